// @ts-check
/**
 * The shopper's socket (`/ws/visitor/`) on the shared client (`static/shared/socket.js`:
 * backoff, ping and pong timeout, reconnect when the browser comes back online). What the
 * widget does with each frame is frames.js, handed in by main.js through `socketHandlers`:
 * everything above the socket sends through it, so it imports none of them.
 */

import { SocketClient } from "../../shared/socket.js";
import { baseUrl } from "./config.js";
import { seq, state } from "./state.js";

/** @typedef {import("./types").Frame} Frame */

/** @type {import("./types").SocketHandlers} */
const handlers = { frame() {}, state() {}, close() {} };

/** @param {import("./types").SocketHandlers} given */
export function socketHandlers(given) {
  Object.assign(handlers, given);
}

export const client = new SocketClient({
  url: () => baseUrl.replace(/^http/, "ws") + "/ws/visitor/",
  canConnect: () => !!state.token,
  hello: () => ({ type: "auth", token: state.token }),
  onFrame: (frame) => handlers.frame(frame),
  onState: (socketState) => handlers.state(socketState),
  onClose: (event) => handlers.close(event),
});

/** Whether the socket is open and past `ready`. */
export function isReady() {
  return client.ready;
}

/**
 * Send a frame now; false when not connected (the caller keeps what must not be lost).
 * @param {Frame} frame
 */
export function send(frame) {
  return client.send(frame);
}

/** Open the socket (it then stays open, reconnecting as needed). */
export function connect() {
  client.start();
}

/**
 * Open the socket after `delay` (or sooner than a pending reconnect).
 * @param {number} delay milliseconds
 */
export function connectSoon(delay) {
  client.startSoon(delay);
}

/** A new token or identity: drop the socket and connect again at once. */
export function reconnectNow() {
  if (client.stopped) client.start();
  else client.reconnectNow();
}

/** Ask for every message after the last gap-free seq (after `ready`, or to heal a gap). */
export function resume() {
  if (!state.conversation || !client.ready) return;
  state.resumeInFlight = true;
  send({ type: "resume", conversation: state.conversation.id, after_seq: seq.last });
}
