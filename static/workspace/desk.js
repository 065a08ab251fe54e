// @ts-check
/**
 * Core of the agent workspace: the `api` handed to parts, the parts registry, local events
 * and the conversation store. The other core modules (list, tabs, timeline, composer, …)
 * fill in their part of `api`; features are parts in static/workspace/parts/ (docs/frontend.md).
 */
import { el } from "../shared/dom.js";
import { safeHref } from "../shared/href.js";
import { Translator, interpolate } from "../shared/i18n.js";
import { formatTime } from "../shared/time.js";

/** @typedef {import("./types").DeskApi} DeskApi */
/** @typedef {import("./types").DeskPart} DeskPart */
/** @typedef {import("./types").Conversation} Conversation */
/** @typedef {import("./types").Listener} Listener */
/** @typedef {import("./types").FetchOptions} FetchOptions */
/** @typedef {import("./types").ApiError} ApiError */

/** @type {DeskPart[]} */
export const parts = [];
/** @type {Map<string, Set<Listener>>} */
const listeners = new Map();
export const translator = new Translator();
export const desk = { booted: false };

/**
 * Translate (Django's JavaScript catalog): `t("Sent")`, `t("%s is typing…", [name])`.
 * @param {string} msgid
 * @param {import("../shared/i18n.js").Params} [params]
 */
export function t(msgid, params) {
  return translator.t(msgid, params);
}

/* ---- REST with CSRF; errors carry the contract's error shape ---- */

/** @param {string} name */
function cookie(name) {
  const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
  return match ? decodeURIComponent(match[1]) : "";
}

/** The CSRF token of the session (Django's cookie). */
export function csrfToken() {
  return cookie("csrftoken");
}

/**
 * @param {string} url
 * @param {FetchOptions} [options]
 */
async function apiFetch(url, options = {}) {
  /** @type {Record<string, string>} */
  const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
  /** @type {RequestInit} */
  const init = { method: options.method || "GET", headers, credentials: "same-origin" };
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  } else if (options.body !== undefined) init.body = options.body;
  if (init.method !== "GET" && init.method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(url, init);
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    /** @type {ApiError} */
    const error = new Error((data && data.detail) || response.statusText || "HTTP " + response.status);
    error.status = response.status;
    error.code = data && data.code;
    error.detail = data && data.detail;
    error.fields = data && data.fields;
    throw error;
  }
  return data;
}

/* ---- the parts registry ---- */

/**
 * Add a part. A part registered after the boot still gets its one-time hooks.
 * @param {DeskPart} part
 */
export function register(part) {
  if (!part || typeof part.name !== "string") throw new Error("Desk.register needs {name}");
  if (parts.some((p) => p.name === part.name)) {
    console.warn("desk: part registered twice:", part.name);
    return;
  }
  parts.push(part);
  if (!desk.booted) return;
  if (typeof part.onReady === "function") callPart(part, "onReady", api);
  const tools = document.getElementById("dk-topbar-tools");
  if (tools && typeof part.topbarTools === "function") callPart(part, "topbarTools", tools, api);
}

/**
 * Call one hook of one part; a hook that throws is logged and skipped.
 * @param {DeskPart} part
 * @param {keyof DeskPart} hook
 * @param {...any} args
 */
export function callPart(part, hook, ...args) {
  try {
    const fn = /** @type {(...args: any[]) => unknown} */ (part[hook]);
    return fn.apply(part, args);
  } catch (error) {
    console.error("desk part " + part.name + "." + hook + " failed", error);
    return undefined;
  }
}

/**
 * Call `hook` on every part that has it, in registration order; true if any returned true.
 * @param {keyof DeskPart} hook
 * @param {...any} args
 */
export function runHook(hook, ...args) {
  let handled = false;
  for (const part of parts) {
    if (typeof part[hook] === "function" && callPart(part, hook, ...args) === true) handled = true;
  }
  return handled;
}

/* ---- local events (socket.open, conversation.updated, message, …) ---- */

/**
 * @param {string} name
 * @param {Listener} fn
 */
function on(name, fn) {
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(fn);
}

/**
 * @param {string} name
 * @param {Listener} fn
 */
function off(name, fn) {
  const set = listeners.get(name);
  if (set) set.delete(fn);
}

/**
 * @param {string} name
 * @param {unknown} [payload]
 */
export function emit(name, payload) {
  for (const fn of listeners.get(name) || []) {
    try {
      fn(payload);
    } catch (error) {
      console.error("desk listener " + name, error);
    }
  }
}

/* ---- the conversation store ---- */

/**
 * Upsert a conversation payload and tell everyone (`conversation.updated`). A payload of an
 * older `version` than the row held (a list page or a fetch read before a live update the
 * store already has, docs/protocol.md) changes nothing: the row held is returned.
 * @param {Partial<Conversation> | null | undefined} payload
 * @returns {Conversation | null}
 */
export function updateConversation(payload) {
  if (!payload || typeof payload.id !== "number") return null;
  const known = api.conversations.get(payload.id);
  if (known && isOlder(payload, known)) return known;
  /** @type {Conversation} */
  const merged = Object.assign({}, known || {}, /** @type {Conversation} */ (payload));
  if (known && payload.unread === undefined) merged.unread = known.unread || 0;
  api.conversations.set(payload.id, merged);
  emit("conversation.updated", merged);
  return merged;
}

/**
 * Whether `payload` tells an older state of the conversation than `known` (both versioned).
 * @param {Partial<Conversation>} payload
 * @param {Conversation} known
 */
export function isOlder(payload, known) {
  return typeof payload.version === "number" && typeof known.version === "number" && payload.version < known.version;
}

/** @returns {never} */
function notBooted() {
  throw new Error("desk not booted");
}

/* ---- the api handed to parts (the other core modules fill in their members) ---- */

/** @type {DeskApi} */
export const api = {
  config: /** @type {import("./types").DeskConfig} */ (/** @type {unknown} */ ({ urls: {}, parts: [] })),
  me: { id: 0, name: "" },
  t,
  interpolate: (format, params) => interpolate(format, params),
  el,
  formatTime: (iso) => formatTime(iso, { locale: document.documentElement.lang || undefined, dateIfNotToday: true }),
  safeHref: (url) => safeHref(url),
  send: () => false,
  sendMessage: notBooted,
  fetch: apiFetch,
  conversations: new Map(),
  conversation: (id) => api.conversations.get(Number(id)),
  active: () => null,
  openIds: () => [],
  open: () => null,
  close: () => {},
  pane: () => null,
  composer: () => null,
  notify: () => false,
  beep: () => {},
  toast: () => {},
  on,
  off,
  refreshList: () => {},
  addListTab: () => {},
};
