// @ts-check
/**
 * The sidebar of the focused conversation: the core details panel, then one section per part
 * that has `sidebarPanel` (kept while the pane is open).
 */
import { el } from "../shared/dom.js";
import { api, callPart, parts, t } from "./desk.js";
import { displayName, statusLabel } from "./list-row.js";
import { panes } from "./panes.js";

/** @typedef {import("./types").Pane} Pane */
/** @typedef {import("./types").Conversation} Conversation */

/**
 * @param {Pane} pane
 * @param {Conversation} c
 */
export function renderDetails(pane, c) {
  let panel = pane.sidebar.querySelector(".dk-panel-details");
  if (!panel) {
    panel = el("section", { class: "dk-panel dk-panel-details", dataset: { part: "core" } });
    pane.sidebar.prepend(panel);
  }
  /** @type {HTMLElement[]} */
  const rows = [];
  /**
   * @param {string} label
   * @param {string | Node} value
   */
  const row = (label, value) => rows.push(el("dt", {}, label), el("dd", {}, value));
  const v = c.visitor || {};
  row(t("Status"), statusLabel(c.status));
  row(t("Assignee"), c.assignee ? c.assignee.name : t("Unassigned"));
  if (c.team) row(t("Team"), c.team.name);
  row(t("Customer"), v.customer ? t("Verified customer") : t("Anonymous visitor"));
  if (v.current_url) {
    const href = api.safeHref(v.current_url);
    const text = v.current_title || v.current_url;
    row(t("Current page"), href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, text) : text);
  }
  row(t("Started"), api.formatTime(c.created_at));
  if (c.snoozed_until && c.status === "snoozed") row(t("Snoozed until"), api.formatTime(c.snoozed_until));
  if (c.resolved_at && c.status === "resolved") row(t("Resolved"), api.formatTime(c.resolved_at));
  const name = displayName(c);
  panel.replaceChildren(
    el(
      "div",
      { class: "dk-profile" },
      el("span", { class: "dk-avatar dk-avatar-lg", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase()),
      el("div", {}, el("div", { class: "dk-profile-name" }, name), el("div", { class: "dk-profile-sub" }, "#" + c.id)),
    ),
    el("h3", { class: "dk-panel-title" }, t("Conversation")),
    el("dl", { class: "dk-dl" }, rows),
  );
}

/**
 * Build the sidebar once, when the conversation is known.
 * @param {Pane} pane
 */
export function buildSidebar(pane) {
  const c = api.conversation(pane.id);
  if (!c || pane.sidebarBuilt) return;
  pane.sidebarBuilt = true;
  renderDetails(pane, c);
  for (const part of parts) {
    if (typeof part.sidebarPanel !== "function") continue;
    const section = el("section", { class: "dk-panel", dataset: { part: part.name } });
    pane.sidebar.append(section);
    callPart(part, "sidebarPanel", c, section, api);
  }
}

// The sidebar waits for the conversation payload when a pane opens before it is known.
api.on("conversation.updated", (c) => {
  const pane = panes.get(c.id);
  if (pane && !pane.sidebarBuilt && !pane.sidebar.hidden) buildSidebar(pane);
});
