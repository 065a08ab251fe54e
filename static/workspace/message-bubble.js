// @ts-check
/**
 * One message bubble of a pane's timeline. Parts extend it through
 * `renderMessage(message, el, api)`; every piece of message data goes in as text.
 */
import { el } from "../shared/dom.js";
import { api, runHook, t } from "./desk.js";
import { displayName } from "./list-row.js";

/** @typedef {import("./types").Message} Message */

/** @param {string} kind */
function kindLabel(kind) {
  /** @type {Record<string, string>} */
  const labels = { image: t("Image"), file: t("File"), audio: t("Audio"), video: t("Video"), card: t("Card") };
  return labels[kind] || kind;
}

/**
 * The name over a bubble. The shopper's is the conversation's current one (a name learnt
 * later, or a made-up one in the desk's language), not the one stored with the message.
 * @param {Message} m
 */
function authorName(m) {
  const kind = m.sender && m.sender.kind;
  if (kind === "visitor") {
    const c = api.conversation(m.conversation);
    if (c && c.visitor) return displayName(c);
  }
  return (m.sender && m.sender.name) || (kind === "visitor" ? t("Customer") : "");
}

/**
 * @param {Message} m a stored message, or a pending one (`seq` null)
 * @returns {HTMLElement}
 */
export function renderMessage(m) {
  const kind = m.sender && m.sender.kind;
  const mine = kind === "agent" && m.sender.id === api.me.id;
  const system = kind === "system";
  const classes = ["dk-msg", "dk-msg-" + (kind || "unknown")];
  if (kind === "agent" || kind === "bot") classes.push("dk-msg-out");
  else if (!system) classes.push("dk-msg-in");
  if (mine && !m.private) classes.push("dk-msg-mine");
  if (m.private && !system) classes.push("dk-private");
  const body = el("div", { class: "dk-msg-body" });
  body.textContent = m.body || (m.kind !== "text" ? "[" + kindLabel(m.kind) + "]" : "");
  const card = /** @type {{type?: string, name?: string} | null} */ (m.card);
  // Routing's "… has joined" is stored in the shopper's language; the desk reads its own.
  if (system && card && card.type === "agent_joined" && card.name) body.textContent = t("%s has joined the conversation", [card.name]);
  const node = el(
    "div",
    {
      class: classes.join(" "),
      dataset: { seq: m.seq === null ? "" : String(m.seq), kind: m.kind, sender: kind || "", clientId: m.client_id || "" },
    },
    system
      ? null
      : el(
          "div",
          { class: "dk-msg-meta" },
          m.private ? el("span", { class: "dk-note-label" }, t("Internal note")) : null,
          el("span", { class: "dk-msg-author" }, authorName(m)),
          kind === "bot" ? el("span", { class: "dk-pill dk-pill-bot" }, t("Bot")) : null,
        ),
    el("div", { class: "dk-msg-bubble" }, body, el("div", { class: "dk-msg-extra" })),
    el(
      "div",
      { class: "dk-msg-foot" },
      el("time", { datetime: m.created_at || "" }, api.formatTime(m.created_at)),
      mine && !m.private ? el("span", { class: "dk-ticks", "aria-hidden": "false" }) : null,
      el("span", { class: "dk-msg-status" }),
    ),
  );
  if (m.kind !== "text") node.classList.add("dk-msg-unrendered");
  runHook("renderMessage", m, node, api);
  return node;
}
