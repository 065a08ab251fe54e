// @ts-check
/**
 * A conversation in words and as one row of the list: the shopper's name, the status, the
 * preview line, the row itself and the bulk-action selection it ticks.
 */
import { el } from "../shared/dom.js";
import { channelBadge } from "./channel-badge.js";
import { api, emit, runHook, t } from "./desk.js";

/** @typedef {import("./types").Conversation} Conversation */

/** Conversations ticked for a bulk action (labels.js). */
export const selected = new Set();

/**
 * The shopper's name, or "Visitor #id".
 * @param {Conversation} c
 */
export function displayName(c) {
  const visitor = c.visitor;
  if (visitor && visitor.name && visitor.nickname) {
    // A made-up "Amber Otter": each word in the desk's language (Chinese without the space).
    const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
    return visitor.name
      .split(" ")
      .map((word) => t(word))
      .join(zh ? "" : " ");
  }
  return (visitor && visitor.name) || t("Visitor #%s", [visitor ? visitor.id : c.id]);
}

/** @param {string} status */
export function statusLabel(status) {
  /** @type {Record<string, string>} */
  const labels = { open: t("Open"), pending: t("Pending"), snoozed: t("Snoozed"), resolved: t("Resolved") };
  return labels[status] || status;
}

/**
 * A label as a coloured chip.
 * @param {{id: number, name: string, color: string}} label
 */
export function labelChip(label) {
  const chip = el("span", { class: "dk-label", dataset: { label: String(label.id) }, title: label.name }, label.name);
  // Set through the CSSOM: the page's CSP allows no style attributes.
  chip.style.setProperty("--dk-label", /^#[0-9a-fA-F]{6}$/.test(label.color) ? label.color : "#64748b");
  return chip;
}

/**
 * The list's one line: the newest public message, or "[image]" and the like in the desk's
 * language for a message without text.
 * @param {Conversation} c
 */
export function previewText(c) {
  const preview = (c.last_message && c.last_message.preview) || "";
  /** @type {Record<string, string>} */
  const kinds = { "[image]": t("[image]"), "[file]": t("[file]"), "[audio]": t("[audio]"), "[video]": t("[video]"), "[card]": t("[card]") };
  return kinds[preview] || preview;
}

/** @param {Conversation} c */
function previewPrefix(c) {
  const sender = c.last_message && c.last_message.sender;
  if (sender === "agent") return t("Agent:") + " ";
  if (sender === "bot") return t("Bot:") + " ";
  return "";
}

/**
 * One row of the conversation list: avatar, channel, name, time, preview, unread count,
 * status, assignee, labels, the bulk-action checkbox; parts decorate it (`listDecorator`).
 * @param {Conversation} c
 */
export function listRow(c) {
  const focused = api.active();
  const name = displayName(c);
  const unread = c.unread || 0;
  const row = el(
    "li",
    {
      class:
        "dk-row" +
        (unread ? " dk-row-unread" : "") +
        (focused && focused.id === c.id ? " dk-row-active" : "") +
        (api.openIds().includes(c.id) ? " dk-row-open" : ""),
      dataset: { id: String(c.id), status: c.status },
      tabindex: "0",
      role: "button",
      onclick: () => api.open(c.id),
      onkeydown: (/** @type {KeyboardEvent} */ e) => {
        if (e.key === "Enter") api.open(c.id);
      },
    },
    el("span", { class: "dk-avatar", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase()),
    el(
      "div",
      { class: "dk-row-main" },
      el(
        "div",
        { class: "dk-row-top" },
        channelBadge(c.channel),
        el("span", { class: "dk-row-name" }, name),
        el("time", { class: "dk-row-time", datetime: c.last_activity_at || "" }, api.formatTime(c.last_activity_at)),
      ),
      el(
        "div",
        { class: "dk-row-bottom" },
        el(
          "span",
          { class: "dk-row-preview" },
          previewPrefix(c) + (previewText(c) || t("No messages yet")),
        ),
        unread ? el("span", { class: "dk-unread", title: t("Unread messages") }, String(unread > 99 ? "99+" : unread)) : null,
      ),
      el(
        "div",
        { class: "dk-row-meta" },
        el("span", { class: "dk-pill dk-pill-" + c.status }, statusLabel(c.status)),
        el("span", { class: "dk-row-assignee" }, c.assignee ? c.assignee.name : t("Unassigned")),
        el("span", { class: "dk-row-badges" }),
      ),
      c.labels && c.labels.length ? el("div", { class: "dk-row-labels" }, ...c.labels.map(labelChip)) : null,
    ),
  );
  const check = el("input", {
    type: "checkbox",
    class: "dk-row-check",
    "aria-label": t("Select"),
    checked: selected.has(c.id),
    onclick: (/** @type {MouseEvent} */ e) => e.stopPropagation(),
    onchange: (/** @type {Event} */ e) => {
      if (/** @type {HTMLInputElement} */ (e.target).checked) selected.add(c.id);
      else selected.delete(c.id);
      emit("selection", selected);
    },
  });
  row.prepend(check);
  runHook("listDecorator", c, row, api);
  return row;
}
