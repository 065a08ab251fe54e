// @ts-check
/**
 * Priorities: a picker in each pane's header (`p` puts the cursor on it), a badge in the list
 * rows, the list's priority filter (`#dk-priority`) and its order (`#dk-sort`: newest first or
 * most urgent first). Data: the staff conversation's `priority`, POST
 * /api/v1/conversations/{id}/priority, GET /api/v1/conversations/?priority=&sort=
 * (docs/protocol.md).
 */
import { el } from "../shared/dom.js";
import { storageGet, storageSet } from "../shared/storage.js";
import { api, register, t, updateConversation } from "./desk.js";
import { render as renderList, setListFilter, setListSort } from "./list.js";
import { focusedPane, shortcutRegister } from "./shortcuts.js";

/** @typedef {import("./types").Conversation} Conversation */
/** @typedef {import("./list.js").ListSort} ListSort */

export const PRIORITIES = ["urgent", "high", "medium", "low", "none"];
/** @param {string | undefined} name */
const rank = (name) => Math.max(0, 4 - PRIORITIES.indexOf(name || "none"));

/** @param {string} name */
export function priorityLabel(name) {
  /** @type {Record<string, string>} */
  const labels = { urgent: t("Urgent"), high: t("High"), medium: t("Medium"), low: t("Low"), none: t("No priority") };
  return labels[name] || name;
}

/** @type {Map<number, HTMLSelectElement>} the picker of each open pane */
const pickers = new Map();

/**
 * @param {number} id
 * @param {string} priority
 * @param {HTMLSelectElement} select
 */
async function setPriority(id, priority, select) {
  select.disabled = true;
  try {
    const c = await api.fetch(api.config.urls.conversations + id + "/priority", { method: "POST", json: { priority } });
    updateConversation(c);
    renderList();
    api.toast(t("Priority: %s", [priorityLabel(priority)]));
  } catch (error) {
    const c = api.conversation(id);
    select.value = (c && c.priority) || "none";
    api.toast(/** @type {import("./types").ApiError} */ (error).detail || t("That did not work."), "error");
  } finally {
    select.disabled = false;
  }
}

/** @param {Conversation} c */
function picker(c) {
  const select = /** @type {HTMLSelectElement} */ (
    el(
      "select",
      { class: "dk-select dk-priority", "aria-label": t("Priority"), title: t("Priority (p)"), dataset: { testid: "dk-priority-pick" } },
      ...PRIORITIES.map((name) => el("option", { value: name }, priorityLabel(name))),
    )
  );
  select.value = c.priority || "none";
  select.dataset.priority = select.value;
  select.addEventListener("change", () => {
    select.dataset.priority = select.value;
    setPriority(c.id, select.value, select);
  });
  return select;
}

api.on("conversation.updated", (/** @type {Conversation} */ c) => {
  const select = c && pickers.get(c.id);
  const stored = c && api.conversation(c.id);
  if (select && stored && stored.priority && document.activeElement !== select) {
    select.value = stored.priority;
    select.dataset.priority = stored.priority;
  }
});
api.on("conversation.close", (/** @type {number} */ id) => pickers.delete(id));

register({
  name: "core.priority",
  paneHeaderTools(c, tools) {
    const select = picker(c);
    pickers.set(c.id, select);
    tools.prepend(select);
  },
  listDecorator(c, row) {
    const name = c.priority || "none";
    row.dataset.priority = name;
    const badges = row.querySelector(".dk-row-badges");
    if (!badges || name === "none" || badges.querySelector(".dk-prio")) return;
    badges.prepend(
      el("span", { class: "dk-prio dk-prio-" + name, dataset: { priority: name }, title: t("Priority: %s", [priorityLabel(name)]) }, priorityLabel(name)),
    );
  },
});

/** The list's priority filter and order; `p` picks the focused conversation's priority. */
export function initPriority() {
  const filter = /** @type {HTMLSelectElement | null} */ (document.getElementById("dk-priority"));
  const sort = /** @type {HTMLSelectElement | null} */ (document.getElementById("dk-sort"));
  if (filter) {
    filter.addEventListener("change", () => {
      const value = filter.value;
      setListFilter("priority", value, (c) => (c.priority || "none") === value);
    });
  }
  if (sort) {
    const apply = () => {
      storageSet("desk.sort", sort.value);
      /** @type {ListSort} */
      const byPriority = {
        name: "priority",
        compare: (a, b) => rank(b.priority) - rank(a.priority),
        cursor: (last) => ({ before_priority: last.priority || "none" }),
      };
      setListSort(sort.value === "priority" ? byPriority : null);
    };
    sort.value = storageGet("desk.sort") === "priority" ? "priority" : "recent";
    sort.addEventListener("change", apply);
    if (sort.value === "priority") apply();
  }
  shortcutRegister(
    "p",
    () => t("Set the priority"),
    () => {
      const pane = focusedPane();
      const select = pane && /** @type {HTMLSelectElement | null} */ (pane.root.querySelector(".dk-priority"));
      if (select) select.focus();
    },
  );
}
