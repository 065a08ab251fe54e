// @ts-check
/**
 * The conversation list: what it shows (view, filters, search, sort), loading it page by page,
 * the tabs' counts, newest activity first, patched live by conversation.created / .updated
 * frames. Its rows are list-row.js; its tabs and filters, list-controls.js.
 */
import { byId, el } from "../shared/dom.js";
import { storageGet } from "../shared/storage.js";
import { api, register, t, updateConversation } from "./desk.js";
import { displayName, listRow, previewText } from "./list-row.js";

/** @typedef {import("./types").Conversation} Conversation */
/** @typedef {import("./types").Frame} Frame */
/** @typedef {{id: string, label: string, params?: Record<string, string>}} ListTab */

/** What the list shows: its view, filters, search and rows (list-controls.js sets them). */
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
export { state as listState };
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
  /* Conversations a live update changed while the request was out: the page was read before
   * (or while) they changed, so for them the store's row and the filters decide, not the page. */
  /** @type {Set<number>} */
  const changed = new Set();
  changedWhileLoading.add(changed);
  try {
    const data = await api.fetch(api.config.urls.conversations + "?" + params.toString());
    if (reqNo !== state.reqNo) return; // a newer request superseded this one
    /** @type {number[]} */
    const ids = [];
    for (const c of data.results) {
      // A row older than the store's (a live update came after the read) is not taken.
      const stored = updateConversation(c);
      if (stored) ids.push(stored.id);
    }
    state.ids = append ? state.ids.concat(ids.filter((id) => !state.ids.includes(id))) : ids;
    if (changed.size) {
      for (const id of changed) {
        const c = api.conversation(id);
        if (c) place(c, state.ids.includes(id));
      }
      sortIds();
    }
    state.hasMore = data.results.length >= 50;
    renderCounts(data.counts || {});
    render();
    watchList();
  } catch (error) {
    const detail = /** @type {import("./types").ApiError} */ (error).detail || "";
    if (reqNo === state.reqNo) api.toast(t("Could not load conversations.") + " " + detail, "error");
  } finally {
    changedWhileLoading.delete(changed);
    if (reqNo === state.reqNo) state.loading = false;
  }
}

/** One set per list request out: the conversations live updates changed since it was sent. */
/** @type {Set<Set<number>>} */
const changedWhileLoading = new Set();

/* Tell the server what this list shows, so list updates of conversations it does not show
 * are not sent to this workspace at all, and the others come several to a frame
 * (docs/protocol.md, list.watch). */
function watchList() {
  const extra = state.extraTabs.get(state.view);
  api.send({
    type: "list.watch",
    view: extra ? "all" : state.view,
    status: state.status,
    ids: state.ids.slice(0, 500),
    batch: true,
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

/**
 * Show or hide a conversation a live update changed, as the list's filters say of it.
 * @param {Conversation} c
 * @param {boolean} shown whether it is on the list (a search adds none)
 */
function place(c, shown) {
  const verdict = matches(c);
  if (verdict === null) {
    // Kept as it is until the reload settles it.
  } else if (verdict && !(state.q && !shown)) {
    if (!state.ids.includes(c.id)) state.ids.push(c.id);
  } else if (shown && !state.extraTabs.has(state.view)) {
    state.ids = state.ids.filter((id) => id !== c.id);
  }
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

/** Draw the rows from the store (no request). */
export function render() {
  const list = document.getElementById("dk-rows");
  if (!list) return;
  const rows = [];
  for (const id of state.ids) {
    const c = api.conversation(id);
    if (c) rows.push(listRow(c));
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

/**
 * For each conversation, the `version` each field was last set at by a live update, and the
 * row's version then (`row`): a row the store took from elsewhere since (a list load) counts
 * all its fields at its own version.
 * @type {Map<number, {row: number, fields: Map<string, number>}>}
 */
const fieldVersions = new Map();

/**
 * What of a live update is newer than the row the store holds (docs/protocol.md, `version`):
 * all of it when its version is not lower than the row's; else only the fields no newer
 * update set (a label change's `labels`, overtaken by a message's update that leaves them out);
 * null when that is nothing. Without a version (an older server), all of it, as it came.
 * @param {Partial<Conversation> & {id: number}} payload
 * @returns {Partial<Conversation> & {id: number} | null}
 */
function newerPart(payload) {
  const version = payload.version;
  if (typeof version !== "number") return payload;
  const known = api.conversation(payload.id);
  const rowVersion = known && typeof known.version === "number" ? known.version : -1;
  let seen = fieldVersions.get(payload.id);
  if (!seen || seen.row !== rowVersion) {
    seen = { row: rowVersion, fields: new Map() };
    fieldVersions.set(payload.id, seen);
  }
  /** @param {string} key */
  const setAt = (key) => {
    const at = seen.fields.get(key);
    if (at !== undefined) return at;
    return known && key in known ? rowVersion : -1;
  };
  /** @type {Record<string, unknown>} */
  const part = { id: payload.id };
  for (const [key, value] of Object.entries(payload)) {
    if (key === "id" || (version < rowVersion && (key === "version" || setAt(key) >= version))) continue;
    part[key] = value;
    seen.fields.set(key, version);
  }
  seen.row = Math.max(rowVersion, version);
  if (Object.keys(part).length === 1) return null;
  return /** @type {Partial<Conversation> & {id: number}} */ (part);
}

/**
 * A live change to one conversation: patch it in place, then reconcile from the server.
 * @param {Frame} frame
 */
function onConversationFrame(frame) {
  const update = frame.conversation;
  if (!update || typeof update.id !== "number") return;
  // An update older than the row (a newer one overtook it) changes nothing, but a
  // conversation.created is still news: a quick assignment's update may come first.
  const payload = newerPart(update) || (frame.type === "conversation.created" ? { id: update.id } : null);
  if (!payload) return;
  const before = api.conversation(payload.id);
  const active = api.active();
  const isOpenVisible = active && active.id === payload.id && !document.hidden;
  let unread = before ? before.unread || 0 : 0;
  const newVisitorMessage = looksLikeNewShopperMessage(before, payload);
  if (newVisitorMessage && !isOpenVisible) unread += 1;
  if (frame.type === "conversation.created" && !before) unread = Math.max(unread, 1);
  const c = updateConversation(Object.assign({}, payload, { unread }));
  if (!c) return;
  for (const changed of changedWhileLoading) changed.add(c.id);
  place(c, state.ids.includes(c.id));
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
 * @param {Partial<Conversation>} after
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
      const payload = frame.conversation;
      const valid = !!payload && typeof payload.id === "number";
      const update = valid ? newerPart(payload) : null;
      // An older payload than the row (a newer update overtook it) leaves the row as it is.
      const c = update ? updateConversation(update) : valid ? api.conversation(payload.id) || null : null;
      if (update) for (const changed of changedWhileLoading) changed.add(update.id);
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

api.refreshList = () => {
  load();
};
