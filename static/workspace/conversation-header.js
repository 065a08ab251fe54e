// @ts-check
/**
 * A pane's header: who the shopper is, the status, and the actions on the conversation
 * (take, assign / transfer, resolve, reopen, pending, snooze, unassign).
 */
import { el, find } from "../shared/dom.js";
import { channelBadge } from "./channel-badge.js";
import { api, register, runHook, t, updateConversation } from "./desk.js";
import { renderDetails } from "./details-sidebar.js";
import { displayName, statusLabel } from "./list-row.js";
import { render as renderList } from "./list.js";
import { panes } from "./panes.js";
import { applyReceipts } from "./timeline.js";

/** @typedef {import("./types").Pane} Pane */
/** @typedef {import("./types").Conversation} Conversation */
/** @typedef {import("./types").Person} Person */

/** @type {Promise<Person[]> | null} */
let agentsCache = null;

/** The agents one can assign to (fetched once per page). */
function agents() {
  agentsCache =
    agentsCache ||
    api.fetch(api.config.urls.agents).catch((error) => {
      agentsCache = null;
      throw error;
    });
  return agentsCache;
}

/**
 * Draw the header (and the details panel) from the stored conversation.
 * @param {Pane} pane
 */
export function renderHeader(pane) {
  const c = api.conversation(pane.id);
  if (!c) return;
  const root = pane.root;
  if (pane.headerToolsPending) {
    pane.headerToolsPending = false;
    runHook("paneHeaderTools", c, find(root, ".dk-pane-tools"), api);
  }
  const name = displayName(c);
  root.dataset.status = c.status;
  find(root, ".dk-avatar").textContent = name.slice(0, 1).toUpperCase();
  find(root, ".dk-pane-name").textContent = name;
  const channelSlot = root.querySelector(".dk-pane-channel");
  if (channelSlot && c.channel && channelSlot.getAttribute("data-for") !== String(c.channel.id)) {
    channelSlot.setAttribute("data-for", String(c.channel.id));
    channelSlot.replaceChildren(channelBadge(c.channel) || "");
  }
  const sub = ["#" + c.id];
  sub.push(c.assignee ? t("Assigned to %s", [c.assignee.name]) : t("Unassigned"));
  if (c.team) sub.push(c.team.name);
  find(root, ".dk-pane-sub").textContent = sub.join(" · ");
  const pill = find(root, ".dk-status-pill");
  pill.textContent = statusLabel(c.status);
  pill.className = "dk-pill dk-status-pill dk-pill-" + c.status;
  const mine = !!c.assignee && c.assignee.id === api.me.id;
  find(root, ".dk-take").hidden = mine;
  find(root, ".dk-resolve").hidden = c.status === "resolved";
  find(root, ".dk-reopen").hidden = c.status === "open";
  const label = find(pane.tab, ".dk-panetab-label");
  label.textContent = name;
  label.title = name + " (#" + c.id + ")";
  if (c.receipts) {
    pane.receipts.merge(c.receipts.visitor_delivered_seq, c.receipts.visitor_read_seq);
    applyReceipts(pane);
  }
  renderDetails(pane, c);
  fillAssign(pane, c);
}

/**
 * @param {Pane} pane
 * @param {Conversation} c
 */
async function fillAssign(pane, c) {
  const select = /** @type {HTMLSelectElement} */ (find(pane.root, ".dk-assign"));
  // Rebuild only when the assignee changed: an open menu must survive new messages.
  const key = String(c.assignee ? c.assignee.id : "");
  if (pane.assignKey === key) return;
  pane.assignKey = key;
  let list;
  try {
    list = await agents();
  } catch {
    pane.assignKey = null;
    return;
  }
  const options = [select.options[0]];
  for (const agent of list) {
    if (c.assignee && agent.id === c.assignee.id) continue;
    const label = agent.id === api.me.id ? t("%s (me)", [agent.name]) : agent.name;
    options.push(el("option", { value: String(agent.id) }, label));
  }
  select.replaceChildren(...options);
  select.value = "";
}

/**
 * POST an action, show the conversation it returns, toast `done`.
 * @param {Pane} pane
 * @param {string} url
 * @param {object} json
 * @param {string} done
 */
async function act(pane, url, json, done) {
  pane.root.classList.add("dk-busy");
  try {
    const c = await api.fetch(url, { method: "POST", json });
    updateConversation(c);
    renderHeader(pane);
    renderList();
    if (done) api.toast(done);
  } catch (error) {
    api.toast(/** @type {import("./types").ApiError} */ (error).detail || t("That did not work."), "error");
  } finally {
    pane.root.classList.remove("dk-busy");
  }
}

/** @param {Pane} pane */
export function wireActions(pane) {
  const base = api.config.urls.conversations + pane.id;
  const root = pane.root;
  /**
   * @param {number | null} assignee
   * @param {string} done
   */
  const assign = (assignee, done) => act(pane, base + "/assign", { assignee }, done);
  /**
   * @param {string} value
   * @param {object | null} extra
   * @param {string} done
   */
  const status = (value, extra, done) => act(pane, base + "/status", Object.assign({ status: value }, extra || {}), done);
  find(root, ".dk-take").addEventListener("click", () => assign(api.me.id, t("You took the conversation.")));
  find(root, ".dk-resolve").addEventListener("click", () => status("resolved", null, t("Conversation resolved.")));
  find(root, ".dk-reopen").addEventListener("click", () => status("open", null, t("Conversation reopened.")));
  const select = /** @type {HTMLSelectElement} */ (find(root, ".dk-assign"));
  select.addEventListener("change", () => {
    const id = Number(select.value);
    if (!id) return;
    const option = select.selectedOptions[0];
    assign(id, t("Transferred to %s.", [option ? option.textContent || "" : "#" + id]));
  });
  const more = /** @type {HTMLSelectElement} */ (find(root, ".dk-more"));
  more.addEventListener("change", () => {
    const value = more.value;
    more.value = "";
    if (value === "pending") status("pending", null, t("Marked pending."));
    else if (value === "snooze-1h") {
      status("snoozed", { snoozed_until: new Date(Date.now() + 3600e3).toISOString() }, t("Snoozed for an hour."));
    } else if (value === "snooze-tomorrow") {
      const d = new Date();
      d.setDate(d.getDate() + 1);
      d.setHours(9, 0, 0, 0);
      status("snoozed", { snoozed_until: d.toISOString() }, t("Snoozed until tomorrow."));
    } else if (value === "unassign") assign(null, t("Conversation unassigned."));
  });
}

register({
  name: "core.header",
  onFrame(frame) {
    if (!["conversation.created", "conversation.updated", "conversation.assigned"].includes(frame.type)) return;
    const pane = frame.conversation && panes.get(frame.conversation.id);
    if (pane) renderHeader(pane);
  },
});
