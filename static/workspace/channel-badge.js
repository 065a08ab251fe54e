// @ts-check
/**
 * The channel a conversation came through, as a small badge (list rows, pane header, the
 * sidebar's past conversations): its kind as a short mark, the channel's name as its title.
 */
import { el } from "../shared/dom.js";
import { t } from "./desk.js";

/** @typedef {{id?: number, kind?: string, name?: string}} ChannelRef */

/** @type {Record<string, string>} */
const MARKS = { web: "Web", email: "@", api: "App", whatsapp: "WA", wechat: "WX" };

/** @param {string} kind */
export function channelKindLabel(kind) {
  /** @type {Record<string, string>} */
  const labels = {
    web: t("Web chat"),
    email: t("Email"),
    api: t("Shop app"),
    whatsapp: t("WhatsApp"),
    wechat: t("WeChat"),
  };
  return labels[kind] || kind;
}

/**
 * @param {ChannelRef | null | undefined} channel
 * @returns {HTMLElement | null}
 */
export function channelBadge(channel) {
  if (!channel || !channel.kind) return null;
  const label = channelKindLabel(channel.kind);
  const title = channel.name && channel.name !== label ? label + " · " + channel.name : label;
  return el(
    "span",
    { class: "dk-ch dk-ch-" + channel.kind, title, "aria-label": title, dataset: { channelKind: channel.kind } },
    MARKS[channel.kind] || "?",
  );
}
