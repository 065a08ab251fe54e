// @ts-check
/**
 * The open conversations as tabs: open, focus, close, and the split view that shows the
 * focused pane beside the one focused before it. Each pane is built from the page's
 * `#dk-pane-tpl`; its messages live in timeline.js, its composer in composer.js.
 */
import { byId, el, find } from "../shared/dom.js";
import { ReadCursor, Receipts } from "../shared/receipts.js";
import { SeqCursor } from "../shared/seq.js";
import { storageSet } from "../shared/storage.js";
import { makeComposer, typingOff } from "./composer.js";
import { renderHeader, wireActions } from "./conversation-header.js";
import { api, emit, runHook, t, updateConversation } from "./desk.js";
import { buildSidebar } from "./details-sidebar.js";
import { outbox } from "./outbox.js";
import { isVisible, layout, panes } from "./panes.js";
import { markRead, resume, scrollToEnd } from "./timeline.js";

/** @typedef {import("./types").Pane} Pane */

/**
 * Open (and focus) the pane of conversation `id`; the first open loads its history.
 * @param {number | string} value
 * @returns {Pane | null}
 */
export function open(value) {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) return null;
  let pane = panes.get(id);
  if (!pane) {
    pane = createPane(id);
    panes.set(id, pane);
    layout.order.push(id);
    emit("conversation.open", id);
    resume(pane, 0);
    if (!api.conversation(id)) {
      api.fetch(api.config.urls.conversations + id).then(
        (c) => updateConversation(c),
        () => api.toast(t("Conversation not found."), "error"),
      );
    }
  }
  focus(id);
  return pane;
}

/**
 * Show `id` (and, in split view, the pane focused before it next to it).
 * @param {number | null} id
 * @param {{keepFocus?: boolean}} [options]
 */
export function focus(id, options = {}) {
  const { order } = layout;
  if (layout.focusedId !== null && layout.focusedId !== id && panes.has(layout.focusedId)) {
    layout.secondaryId = layout.focusedId;
  }
  layout.focusedId = id;
  if (layout.secondaryId === id || layout.secondaryId === null || !panes.has(layout.secondaryId)) {
    layout.secondaryId = order.slice().reverse().find((other) => other !== id) ?? null;
  }
  for (const pane of panes.values()) {
    const on = pane.id === id;
    const beside = layout.split && pane.id === layout.secondaryId;
    const wasHidden = pane.root.hidden;
    pane.root.hidden = !(on || beside);
    pane.root.classList.toggle("dk-pane-focused", on && layout.split && layout.secondaryId !== null);
    pane.tab.classList.toggle("dk-panetab-active", on);
    pane.tab.classList.toggle("dk-panetab-beside", beside);
    pane.tab.setAttribute("aria-selected", on ? "true" : "false");
    pane.sidebar.hidden = !on;
    if (on || beside) pane.tab.classList.remove("dk-panetab-unread");
    if ((on || beside) && wasHidden) scrollToEnd(pane, true);
  }
  byId("dk-placeholder").hidden = panes.size > 0;
  find(document, "#dk-sidebar .dk-sidebar-empty").hidden = panes.size > 0;
  const pane = id === null ? undefined : panes.get(id);
  if (pane) {
    renderHeader(pane);
    buildSidebar(pane);
    markRead(pane);
    if (!options.keepFocus) pane.composer.focus();
  }
  const other = layout.split && layout.secondaryId !== null ? panes.get(layout.secondaryId) : undefined;
  if (other) markRead(other);
  emit("conversation.focus", id);
}

/** @param {boolean} value */
export function setSplit(value) {
  layout.split = !!value;
  storageSet("desk.split", layout.split ? "1" : "0");
  const button = document.getElementById("dk-split");
  if (button) button.setAttribute("aria-pressed", layout.split ? "true" : "false");
  byId("dk-panes").classList.toggle("dk-split", layout.split);
  if (layout.focusedId !== null) focus(layout.focusedId, { keepFocus: true });
}

/**
 * Close a pane and stop following its conversation.
 * @param {number | string} value
 */
export function close(value) {
  const pane = panes.get(Number(value));
  if (!pane) return;
  api.send({ type: "unsubscribe", conversation: pane.id });
  typingOff(pane);
  for (const clientId of pane.pendings.keys()) outbox.remove(clientId);
  pane.root.remove();
  pane.tab.remove();
  pane.sidebar.remove();
  panes.delete(pane.id);
  layout.order.splice(layout.order.indexOf(pane.id), 1);
  emit("conversation.close", pane.id);
  if (layout.secondaryId === pane.id) layout.secondaryId = null;
  if (layout.focusedId === pane.id) {
    layout.focusedId = null;
    focus(layout.order.length ? layout.order[layout.order.length - 1] : null);
  } else if (layout.focusedId !== null) focus(layout.focusedId, { keepFocus: true });
}

/**
 * @param {number} id
 * @returns {Pane}
 */
function createPane(id) {
  const template = /** @type {HTMLTemplateElement} */ (byId("dk-pane-tpl"));
  const root = /** @type {HTMLElement} */ (/** @type {Element} */ (template.content.firstElementChild).cloneNode(true));
  root.dataset.conversation = String(id);
  byId("dk-panes").append(root);
  const tab = el(
    "div",
    { class: "dk-panetab", role: "tab", dataset: { id: String(id) } },
    el("button", { type: "button", class: "dk-panetab-label", onclick: () => focus(id) }, "#" + id),
    el(
      "button",
      { type: "button", class: "dk-panetab-close", title: t("Close"), "aria-label": t("Close"), onclick: () => close(id) },
      "×",
    ),
  );
  byId("dk-panetabs").append(tab);
  const sidebar = el("div", { class: "dk-sidebar-conv", dataset: { conversation: String(id) } });
  byId("dk-sidebar").append(sidebar);

  const cursor = new SeqCursor();
  /** @type {Pane} */
  const pane = {
    id,
    root,
    tab,
    sidebar,
    timeline: find(root, ".dk-timeline"),
    messages: new Map(),
    pendings: new Map(),
    cursor,
    get lastSeq() {
      return cursor.last;
    },
    resuming: false,
    gapSeen: false,
    read: new ReadCursor(),
    receipts: new Receipts(),
    loaded: false,
    // Unknown to the list (opened from a link): nothing counts as new until it has loaded.
    openedAtSeq: api.conversation(id)?.last_seq ?? Number.MAX_SAFE_INTEGER,
    sidebarBuilt: false,
    headerToolsPending: false,
    assignKey: null,
    typingTimer: undefined,
    typingOut: { on: false, last: 0, timer: undefined },
    composer: /** @type {import("./types").Composer} */ (/** @type {unknown} */ (null)),
  };
  pane.composer = makeComposer(pane);
  // In split view, working in the other pane makes it the focused one (and its sidebar).
  root.addEventListener("focusin", () => {
    if (layout.focusedId !== id) focus(id, { keepFocus: true });
  });
  wireActions(pane);
  runHook("composerTools", find(root, ".dk-composer-tools"), pane.composer, api);
  const c = api.conversation(id);
  if (c) runHook("paneHeaderTools", c, find(root, ".dk-pane-tools"), api);
  else pane.headerToolsPending = true;
  return pane;
}

/** The split-view button. */
export function initTabs() {
  const button = document.getElementById("dk-split");
  if (button) button.addEventListener("click", () => setSplit(!layout.split));
  setSplit(layout.split);
}

Object.assign(api, {
  open,
  close,
  active: () => (layout.focusedId ? api.conversation(layout.focusedId) || { id: layout.focusedId } : null),
  openIds: () => layout.order.slice(),
  /** @param {number | string} [id] */
  pane: (id) => panes.get(Number(id || layout.focusedId)) || null,
  /** @param {number | string} [id] */
  composer: (id) => {
    const pane = panes.get(Number(id || layout.focusedId));
    return pane ? pane.composer : null;
  },
});

export { isVisible };
