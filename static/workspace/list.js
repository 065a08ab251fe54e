// @ts-check
/**
 * The conversation list: view tabs with counts, status filter, search, unread badges, newest
 * activity first, patched live by conversation.created / conversation.updated frames.
 */
import { byId, el } from "../shared/dom.js";
import { storageGet, storageSet } from "../shared/storage.js";
import { channelBadge } from "./channel-badge.js";
import { api, desk, emit, register, runHook, t, updateConversation } from "./desk.js";

/** @typedef {import("./types").Conversation} Conversation */
/** @typedef {import("./types").Frame} Frame */
/** @typedef {{id: string, label: string, params?: Record<string, string>}} ListTab */

const state = {
  view: storageGet("desk.view") || "all",
  status: storageGet("desk.status") || "open",
  /** a channel id ("" = every channel) */
  channel: storageGet("desk.channel") || "",
  /** a label id ("" = any) */
  label: "",
  q: "",
  /** @type {number[]} ids shown, newest activity first */
  ids: [],
  /** @type {Map<string, ListTab>} */
  extraTabs: new Map(),
  hasMore: false,
  loading: false,
  reqNo: 0,
};
/** @type {ReturnType<typeof setTimeout> | null} */
let refreshTimer = null;
/**
 * Filters parts add to the list (priority.js …): query parameter → its value and the test a
 * live-updated conversation must pass to stay in the list (`null`: the payload cannot tell, so
 * a shown row stays and a new one waits for the next reload of the list).
 * @type {Map<string, {value: string, test: (c: Conversation) => boolean | null}>}
 */
const filters = new Map();
/**
 * An order of the list besides newest activity first: its query parameter `sort`, the
 * comparison applied before activity to live updates, and the next page's cursor parameters.
 * @typedef {{name: string, compare: (a: Conversation, b: Conversation) => number, cursor: (last: Conversation) => Record<string, string>}} ListSort
 */
/** @type {ListSort | null} */
let sorting = null;

/**
 * Filter the list by a query parameter (`value` "" removes the filter) and reload it.
 * @param {string} param
 * @param {string} value
 * @param {(c: Conversation) => boolean | null} test
 */
export function setListFilter(param, value, test) {
  if (value) filters.set(param, { value, test });
  else filters.delete(param);
  load();
}

/**
 * Sort the list by `sort.name` (null: newest activity first) and reload it.
 * @param {ListSort | null} sort
 */
export function setListSort(sort) {
  sorting = sort;
  load();
}
/** Conversations ticked for a bulk action (labels.js). */
export const selected = new Set();

/**
 * Show only conversations with this label ("" for all).
 * @param {string} label
 */
export function setLabelFilter(label) {
  state.label = label;
  load();
}

/** The conversations the list shows, in order. */
export function shownIds() {
  return state.ids.slice();
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

function currentParams() {
  const params = new URLSearchParams();
  const extra = state.extraTabs.get(state.view);
  params.set("view", extra ? "all" : state.view);
  params.set("status", state.status);
  if (state.q) params.set("q", state.q);
  if (state.channel) params.set("channel", state.channel);
  if (state.label) params.set("label", state.label);
  for (const [name, filter] of filters) params.set(name, filter.value);
  if (sorting) params.set("sort", sorting.name);
  if (extra && extra.params) for (const [k, v] of Object.entries(extra.params)) params.set(k, v);
  return params;
}

/** Fetch the list (or, with `append`, the next page of it). */
export async function load({ append = false } = {}) {
  const params = currentParams();
  if (append && state.ids.length) {
    const last = api.conversation(state.ids[state.ids.length - 1]);
    if (last && last.last_activity_at) params.set("before", last.last_activity_at);
    if (last && sorting) for (const [k, v] of Object.entries(sorting.cursor(last))) params.set(k, v);
  }
  const reqNo = ++state.reqNo;
  state.loading = true;
  try {
    const data = await api.fetch(api.config.urls.conversations + "?" + params.toString());
    if (reqNo !== state.reqNo) return; // a newer request superseded this one
    /** @type {number[]} */
    const ids = [];
    for (const c of data.results) {
      const stored = updateConversation(c);
      if (stored) ids.push(stored.id);
    }
    state.ids = append ? state.ids.concat(ids.filter((id) => !state.ids.includes(id))) : ids;
    state.hasMore = data.results.length >= 50;
    renderCounts(data.counts || {});
    render();
    watchList();
  } catch (error) {
    const detail = /** @type {import("./types").ApiError} */ (error).detail || "";
    if (reqNo === state.reqNo) api.toast(t("Could not load conversations.") + " " + detail, "error");
  } finally {
    if (reqNo === state.reqNo) state.loading = false;
  }
}

/* Tell the server what this list shows, so list updates of conversations it does not show
 * are not sent to this workspace at all (docs/protocol.md, list.watch). */
function watchList() {
  const extra = state.extraTabs.get(state.view);
  api.send({
    type: "list.watch",
    view: extra ? "all" : state.view,
    status: state.status,
    ids: state.ids.slice(0, 500),
  });
}

/* Throttled, not debounced: under constant traffic a debounce would never fire. */
let refreshAt = 0;
function scheduleRefresh(delay = 1500) {
  const due = Date.now() + delay;
  if (refreshTimer && refreshAt <= due) return;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshAt = due;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    load();
  }, delay);
}

/** @param {Record<string, number>} counts */
function renderCounts(counts) {
  for (const node of document.querySelectorAll("#dk-tabs .dk-count")) {
    const n = counts[/** @type {HTMLElement} */ (node).dataset.count || ""];
    node.textContent = n ? String(n) : "";
  }
}

/**
 * @param {Conversation} c
 * @returns {boolean | null} null: a filter cannot tell from the payload
 */
function matches(c) {
  if (state.status !== "any" && c.status !== state.status) return false;
  if (state.channel && c.channel && String(c.channel.id) !== state.channel) return false;
  if (state.view === "mine" && !(c.assignee && c.assignee.id === api.me.id)) return false;
  if (state.view === "unassigned" && c.assignee) return false;
  let verdict = /** @type {boolean | null} */ (true);
  for (const filter of filters.values()) {
    const passed = filter.test(c);
    if (passed === false) return false;
    if (passed === null) verdict = null;
  }
  return verdict;
}

function sortIds() {
  /** @param {number} id */
  const key = (id) => {
    const c = api.conversation(id);
    return (c && c.last_activity_at) || "";
  };
  const first = sorting && sorting.compare;
  state.ids.sort((a, b) => {
    const ca = api.conversation(a);
    const cb = api.conversation(b);
    const order = first && ca && cb ? first(ca, cb) : 0;
    return order || (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : b - a);
  });
}

/**
 * The list's one line: the newest public message, or "[image]" and the like in the desk's
 * language for a message without text.
 * @param {Conversation} c
 */
function previewText(c) {
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

/** @param {string} status */
export function statusLabel(status) {
  /** @type {Record<string, string>} */
  const labels = { open: t("Open"), pending: t("Pending"), snoozed: t("Snoozed"), resolved: t("Resolved") };
  return labels[status] || status;
}

/** @param {Conversation} c */
function renderRow(c) {
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

/** Draw the rows from the store (no request). */
export function render() {
  const list = document.getElementById("dk-rows");
  if (!list) return;
  const rows = [];
  for (const id of state.ids) {
    const c = api.conversation(id);
    if (c) rows.push(renderRow(c));
  }
  if (state.hasMore) {
    rows.push(
      el(
        "li",
        { class: "dk-more-row" },
        el("button", { type: "button", class: "dk-btn dk-btn-ghost", onclick: () => load({ append: true }) }, t("Load more")),
      ),
    );
  }
  list.replaceChildren(...rows);
  list.dataset.loaded = "1";
  byId("dk-list-empty").hidden = state.ids.length > 0;
}

function renderTabs() {
  const tabs = byId("dk-tabs");
  for (const extra of state.extraTabs.values()) {
    if (!tabs.querySelector('[data-view="' + CSS.escape(extra.id) + '"]')) {
      tabs.append(
        el(
          "button",
          { type: "button", role: "tab", class: "dk-tab", dataset: { view: extra.id } },
          extra.label,
          " ",
          el("span", { class: "dk-count", dataset: { count: extra.id } }),
        ),
      );
    }
  }
  for (const tab of tabs.querySelectorAll(".dk-tab")) {
    const selected = /** @type {HTMLElement} */ (tab).dataset.view === state.view;
    tab.classList.toggle("dk-tab-active", selected);
    tab.setAttribute("aria-selected", selected ? "true" : "false");
  }
}

/**
 * A live change to one conversation: patch it in place, then reconcile from the server.
 * @param {Frame} frame
 */
function onConversationFrame(frame) {
  const payload = frame.conversation;
  if (!payload || typeof payload.id !== "number") return;
  const before = api.conversation(payload.id);
  const active = api.active();
  const isOpenVisible = active && active.id === payload.id && !document.hidden;
  let unread = before ? before.unread || 0 : 0;
  const newVisitorMessage = looksLikeNewShopperMessage(before, payload);
  if (newVisitorMessage && !isOpenVisible) unread += 1;
  if (frame.type === "conversation.created" && !before) unread = Math.max(unread, 1);
  const c = updateConversation(Object.assign({}, payload, { unread }));
  if (!c) return;
  const shown = state.ids.includes(c.id);
  const verdict = matches(c);
  if (verdict === null) {
    // Kept as it is until the reload below settles it.
  } else if (verdict && !(state.q && !shown)) {
    if (!shown) state.ids.push(c.id);
  } else if (shown && !state.extraTabs.has(state.view)) {
    state.ids = state.ids.filter((id) => id !== c.id);
  }
  sortIds();
  render();
  const preview = previewText(c);
  if (frame.type === "conversation.created") {
    api.notify(t("New conversation"), displayName(c) + ": " + preview, { conversation: c.id });
  } else if (newVisitorMessage && !api.openIds().includes(c.id) && !isMuted(c)) {
    api.notify(t("New message from %s", [displayName(c)]), preview, { conversation: c.id });
  }
  scheduleRefresh();
}

/**
 * Muted by an automation rule (docs/automation.md): its messages make no sound.
 * @param {Conversation} c
 */
function isMuted(c) {
  return !!c.muted_until && Date.parse(c.muted_until) > Date.now();
}

/**
 * @param {Conversation | undefined} before
 * @param {Conversation} after
 */
function looksLikeNewShopperMessage(before, after) {
  if (!after.last_message || after.last_message.sender !== "visitor") return false;
  if (!before) return true;
  if ((after.last_seq || 0) <= (before.last_seq || 0)) return false;
  const prev = before.last_message || { sender: "", preview: "" };
  // Notes and activity lines bump last_seq but not the preview.
  return prev.sender !== "visitor" || prev.preview !== after.last_message.preview;
}

register({
  name: "core.list",
  onFrame(frame) {
    if (frame.type === "conversation.created" || frame.type === "conversation.updated") {
      onConversationFrame(frame);
    } else if (frame.type === "conversation.assigned") {
      const c = updateConversation(frame.conversation);
      const focused = api.active();
      // Taking a conversation or replying to an unassigned one assigns it too: no notice then.
      if (c && c.assignee && c.assignee.id === api.me.id && !(focused && focused.id === c.id)) {
        api.notify(t("Conversation assigned to you"), displayName(c), { conversation: c.id });
        api.toast(t("%s was assigned to you.", [displayName(c)]));
      }
      scheduleRefresh(300);
    } else if (frame.type === "conversation.read") {
      const c = api.conversation(frame.conversation);
      if (c && frame.read_seq >= (c.last_seq || 0)) {
        updateConversation({ id: c.id, unread: 0 });
        render();
      }
    }
  },
});

api.on("socket.open", () => load());
// The channel layer may have dropped list updates (core.timeline hears `resync`).
api.on("resync", () => load());
api.on("conversation.focus", () => render());
api.on("conversation.close", () => render());

/** Wire the tabs, the status filter and the search box; first load. */
export function initList() {
  const statusSelect = /** @type {HTMLSelectElement} */ (byId("dk-status"));
  statusSelect.value = state.status;
  statusSelect.addEventListener("change", () => {
    state.status = statusSelect.value;
    storageSet("desk.status", state.status);
    load();
  });
  byId("dk-tabs").addEventListener("click", (e) => {
    const tab = /** @type {HTMLElement | null} */ (/** @type {Element} */ (e.target).closest(".dk-tab"));
    if (!tab) return;
    state.view = tab.dataset.view || "all";
    storageSet("desk.view", state.view);
    renderTabs();
    load();
  });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let searchTimer;
  const search = /** @type {HTMLInputElement} */ (byId("dk-search"));
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.q = search.value.trim().slice(0, 100);
      load();
    }, 250);
  });
  if (!["mine", "unassigned", "all"].includes(state.view)) state.view = "all";
  initChannelFilter();
  renderTabs();
  load();
}

/** The channel filter: shown once the desk has more than one channel. */
async function initChannelFilter() {
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById("dk-channel"));
  if (!select) return;
  select.addEventListener("change", () => {
    state.channel = select.value;
    storageSet("desk.channel", state.channel);
    load();
  });
  /** @type {{id: number, name: string, kind: string, active: boolean}[]} */
  let channels;
  try {
    channels = await api.fetch("/api/v1/channels/");
  } catch {
    return;
  }
  const options = [el("option", { value: "" }, t("All channels"))];
  for (const ch of channels) options.push(el("option", { value: String(ch.id) }, ch.name));
  select.replaceChildren(...options);
  if (state.channel && !channels.some((ch) => String(ch.id) === state.channel)) {
    state.channel = "";
    storageSet("desk.channel", "");
    load();
  }
  select.value = state.channel;
  select.hidden = channels.length < 2 && !state.channel;
}

api.refreshList = () => {
  load();
};
api.addListTab = (tab) => {
  if (!tab || !tab.id || !tab.label) throw new Error("addListTab needs {id, label}");
  state.extraTabs.set(tab.id, tab);
  const restore = storageGet("desk.view") === tab.id && state.view !== tab.id;
  if (restore) state.view = tab.id;
  if (desk.booted) {
    renderTabs();
    if (restore) load();
  }
};
