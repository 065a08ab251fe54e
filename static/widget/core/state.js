// @ts-check
/**
 * The widget's state, shared by its modules: the session, the conversation shown, the
 * outbox, the seq cursor and the receipts. One object so every module reads the same values.
 */

import { Outbox, localStore } from "../../shared/outbox.js";
import { Receipts, ReadCursor } from "../../shared/receipts.js";
import { SeqCursor } from "../../shared/seq.js";
import { storageGet } from "../../shared/storage.js";
import { OUTBOX_KEY, TOKEN_KEY } from "./config.js";

/** @typedef {import("./types").Conversation} Conversation */

export const state = {
  /** @type {Record<string, string>} server strings (from /api/widget/config) */
  strings: {},
  /**
   * Server limits (from /api/widget/config); a message over them fails at once instead of
   * sitting in the outbox forever.
   */
  limits: { max_body_chars: 10000, max_frame_bytes: 65536 },
  /** @type {import("./types").Session | null} the last POST /api/widget/session response */
  session: null,
  /** @type {Conversation | null} */
  conversation: null,
  /** @type {string | null} */
  token: storageGet(TOKEN_KEY),
  /** @type {import("./types").Identity | null} a verified customer to claim */
  identity: null,
  /** @type {"online" | "connecting" | "offline"} */
  connection: "offline",
  unread: 0,
  resumeInFlight: false,
  started: false,
  built: false,
  connectedOnce: false,
};

/** Messages sent but not acknowledged; kept across reloads. */
export const outbox = new Outbox(localStore(OUTBOX_KEY));
/** The gap-free seq of the conversation shown. */
export const seq = new SeqCursor();
/** The agents' delivered / read cursors over the shopper's messages. */
export const receipts = new Receipts();
/** The shopper's own read cursor (what the last `read` frame said). */
export const readCursor = new ReadCursor();
/** @type {Map<number, {message: import("./types").Message, el: HTMLElement}>} */
export const bySeq = new Map();
/** @type {Map<string, HTMLElement>} client_id → bubble (own messages, pending or acked) */
export const byClientId = new Map();
