// @ts-check
/**
 * The shopper's socket (`/ws/visitor/`) on the shared client (`static/shared/socket.js`:
 * backoff, ping and pong timeout, reconnect when the browser comes back online), and what the
 * widget does with each server frame.
 */

import { SocketClient } from "../../shared/socket.js";
import { storageSet } from "../../shared/storage.js";
import { baseUrl, TOKEN_KEY } from "./config.js";
import { flushOne, flushOutbox, scheduleOutboxRetry, sendRead } from "./composer.js";
import { showRemoteTyping } from "./header.js";
import { markFailed, messageArrived, refreshTicks, scheduleGapResume, setTick, switchConversation, translationArrived } from "./messages.js";
import { addSystemNotice, setConnection } from "./panel.js";
import { callParts, emit } from "./parts.js";
import { startSession } from "./session.js";
import { byClientId, outbox, receipts, seq, state } from "./state.js";
import { t } from "./strings.js";

/** @typedef {import("./types").Frame} Frame */

export const client = new SocketClient({
  url: () => baseUrl.replace(/^http/, "ws") + "/ws/visitor/",
  canConnect: () => !!state.token,
  hello: () => ({ type: "auth", token: state.token }),
  onFrame,
  onState(socketState) {
    if (socketState === "connecting") setConnection("connecting");
  },
  onClose(event) {
    state.resumeInFlight = false;
    setConnection("offline");
    emit("disconnect", { code: event.code });
    if (event.code === 4401) {
      // The token is no longer valid (e.g. the visitor was erased): start a new session.
      state.token = null;
      storageSet(TOKEN_KEY, null);
      startSession().then(() => client.connectSoon(client.backoff.next()));
      return false;
    }
    return undefined;
  },
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

/** @param {Frame} frame */
function onFrame(frame) {
  switch (frame.type) {
    case "ready":
      state.connectedOnce = true;
      setConnection("online");
      if (frame.conversation) switchConversation(frame.conversation);
      resume();
      flushOutbox();
      callParts("onConnect", frame);
      emit("connect", frame);
      break;
    case "message.ack":
    case "message.created":
      messageArrived(frame.message);
      break;
    case "message.translated":
      translationArrived(frame);
      break;
    case "resume.done":
      state.resumeInFlight = false;
      if (state.conversation && frame.conversation === state.conversation.id) {
        seq.settle(frame.last_seq || 0);
        sendRead();
        if (seq.hasGap()) scheduleGapResume();
      }
      break;
    case "resync":
      // The server's channel layer may have dropped frames: heal from the database.
      resume();
      break;
    case "heartbeat": {
      // The conversation's last seq (after a pong): a lost last message shows here.
      const current = state.conversation;
      /** @type {{id: number, last_seq: number}[]} */
      const beats = frame.conversations || [];
      const item = current && beats.find((c) => c.id === current.id);
      if (item && item.last_seq > seq.last && !state.resumeInFlight) resume();
      break;
    }
    case "conversation.created":
    case "conversation.updated":
      if (frame.conversation) {
        if (!state.conversation || frame.conversation.id >= state.conversation.id) {
          switchConversation(frame.conversation);
        }
      }
      break;
    case "typing":
      if (frame.sender && frame.sender.kind !== "visitor") showRemoteTyping(frame);
      break;
    case "receipt":
      if (frame.reader === "agent" && state.conversation && frame.conversation === state.conversation.id) {
        receipts.merge(frame.delivered_seq, frame.read_seq);
        refreshTicks();
      }
      break;
    case "error":
      handleError(frame);
      break;
    default:
      break;
  }
  callParts("onFrame", frame);
  emit("frame", frame);
}

/** @param {Frame} frame */
function handleError(frame) {
  const bubble = frame.client_id ? byClientId.get(frame.client_id) : null;
  const reason =
    /** @type {Record<string, string>} */ ({
      rate_limited: t("You are sending messages too fast. Retrying…"),
      too_large: t("That message is too long."),
      bad_request: t("That message could not be sent."),
      unavailable: t("The chat is temporarily unavailable. Retrying…"),
      not_found: t("This conversation is no longer available."),
      forbidden: t("That message could not be sent."),
      unauthorized: t("Your session expired. Reconnecting…"),
    })[frame.code] || t("Something went wrong.");
  if (bubble && bubble.dataset.seq === "") {
    const retry = frame.code === "rate_limited" || frame.code === "unavailable";
    if (retry) {
      setTimeout(
        () => {
          const item = outbox.get(frame.client_id);
          if (item) flushOne(item);
        },
        2000 + Math.random() * 1000,
      );
      const note = markFailed(bubble, reason);
      setTick(bubble, "pending"); // still queued: it goes out again by itself
      setTimeout(() => note.remove(), 4000);
    } else {
      markFailed(bubble, reason);
      outbox.remove(frame.client_id);
    }
    return;
  }
  if (frame.code === "rate_limited" || frame.code === "unavailable") {
    // The server drops a rate-limited frame before reading it, so the error names no
    // client_id: send whatever is still unacked again shortly (the server dedupes).
    scheduleOutboxRetry();
    addSystemNotice(reason, { id: "error", timeout: 4000 });
  } else if (!state.resumeInFlight || frame.code !== "not_found") {
    addSystemNotice(reason, { id: "error", timeout: 6000 });
  }
  if (state.resumeInFlight) state.resumeInFlight = false;
}
