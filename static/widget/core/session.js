// @ts-check
/**
 * The shopper's session: `POST /api/widget/session` (a visitor token, kept in localStorage,
 * never in a URL), a verified customer's identity claim, forgetting the visitor, and when the
 * socket is worth opening.
 */

import { storageSet } from "../../shared/storage.js";
import { baseUrl, language, script, TOKEN_KEY } from "./config.js";
import { switchConversation } from "./messages.js";
import { addSystemNotice, isOpen, setUnread } from "./panel.js";
import { updateHeader } from "./header.js";
import { callParts, emit } from "./parts.js";
import { slots } from "./slots.js";
import { client, connect, connectSoon, reconnectNow } from "./socket.js";
import { byClientId, bySeq, outbox, readCursor, receipts, seq, state } from "./state.js";
import { t } from "./strings.js";

/**
 * `fetch(baseUrl + path)` with `Authorization: Visitor <token>` and no cookies; `init.json`
 * becomes a JSON body.
 * @param {string} path
 * @param {RequestInit & {json?: unknown}} [init]
 */
export async function deskFetch(path, init) {
  const options = Object.assign({}, init || {});
  const headers = new Headers(options.headers || {});
  if (state.token && !headers.has("Authorization")) headers.set("Authorization", "Visitor " + state.token);
  if (options.json !== undefined) {
    headers.set("Content-Type", "application/json");
    options.body = JSON.stringify(options.json);
    delete options.json;
  }
  options.headers = headers;
  options.credentials = "omit";
  options.mode = "cors";
  const url = /^https?:/.test(path) ? path : baseUrl + path;
  return fetch(url, options);
}

/**
 * Create or renew the session (retrying with backoff until the desk answers).
 * @returns {Promise<import("./types").Session>}
 */
export async function startSession() {
  /** @type {Record<string, unknown>} */
  const payload = {
    page: { url: location.href.slice(0, 1000), title: document.title.slice(0, 300) },
    language: language,
  };
  if (state.token) payload.visitor_token = state.token;
  if (state.identity) payload.identity = state.identity;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const response = await deskFetch("/api/widget/session", { method: "POST", json: payload });
      if (response.status === 401 && payload.visitor_token) {
        delete payload.visitor_token;
        state.token = null;
        storageSet(TOKEN_KEY, null);
        continue;
      }
      if (response.status === 403 && payload.identity) {
        // A refused identity claim changes nothing: carry on as the anonymous visitor.
        delete payload.identity;
        state.identity = null;
        continue;
      }
      if (!response.ok) throw new Error("session " + response.status);
      const session = await response.json();
      state.session = session;
      state.token = session.visitor_token;
      storageSet(TOKEN_KEY, state.token);
      if (session.conversation) switchConversation(session.conversation);
      callParts("onSession", session);
      emit("session", session);
      return session;
    } catch {
      if (attempt >= 5) {
        addSystemNotice(t("The chat is temporarily unavailable. Retrying…"), { id: "connection" });
      }
      await new Promise((resolve) => setTimeout(resolve, client.backoff.next()));
    }
  }
}

// Verified customer (CONTRACT.md): from data-identity, or later through api.identify().
if (script.dataset.identity) {
  try {
    state.identity = JSON.parse(script.dataset.identity);
  } catch {
    state.identity = null; // a malformed attribute is ignored
  }
}

/**
 * `api.identify(claim)`: claim a verified customer, then reconnect as them.
 * @param {import("./types").Identity | null} claim
 */
export async function identify(claim) {
  state.identity = claim || null;
  await startSession();
  reconnectNow();
  return state.session;
}

/** Forget this browser's visitor (a shared computer, "sign out"): new token, empty panel. */
export async function resetVisitor() {
  state.token = null;
  storageSet(TOKEN_KEY, null);
  outbox.clear();
  state.identity = null;
  state.conversation = null;
  seq.reset();
  readCursor.reset();
  receipts.reset();
  bySeq.clear();
  byClientId.clear();
  setUnread(0);
  if (slots.messages) slots.messages.replaceChildren(slots.welcome);
  updateHeader();
  await startSession();
  reconnectNow();
  return state.session;
}

// A page view opens no socket: browsing is reported over HTTP (parts/browsing.js keeps the
// agents' "now viewing" live) and the socket opens only when there is something to talk
// about: a conversation already, the panel opened (by the shopper or a proactive greeting)
// or a message queued. An idle socket per page view cost the server memory and CPU for
// every browsing shopper (docs/performance.md, "Does a page view need a socket?").
function needsSocket() {
  return !!(state.conversation || isOpen() || outbox.size);
}

/** Open the socket if there is now something to talk about. */
export function ensureSocket() {
  if (state.started && state.token && !client.ws && needsSocket()) connectSoon(0);
}

/** The first use: a session, then the socket if needed. */
export async function start() {
  if (state.started) return;
  state.started = true;
  await startSession();
  if (needsSocket()) connect();
}
