// @ts-check
/**
 * What the widget does with each server frame and with the socket's ups and downs (socket.js
 * calls these through the handlers main.js gives it).
 */

import { storageSet } from "../../shared/storage.js";
import { TOKEN_KEY } from "./config.js";
import { flushOne, flushOutbox, scheduleOutboxRetry } from "./composer.js";
import { showRemoteTyping } from "./header.js";
import { markFailed, messageArrived, refreshTicks, scheduleGapResume, setTick, switchConversation, translationArrived } from "./messages.js";
import { addSystemNotice, setConnection } from "./panel.js";
import { callParts, emit } from "./parts.js";
import { sendRead } from "./read.js";
import { startSession } from "./session.js";
import { client, resume } from "./socket.js";
import { byClientId, outbox, receipts, seq, state } from "./state.js";
import { t } from "./strings.js";

/** @typedef {import("./types").Frame} Frame */

/** @param {"connecting" | "ready" | "closed"} socketState */
export function onSocketState(socketState) {
  if (socketState === "connecting") setConnection("connecting");
}

/**
 * @param {{code: number, reason?: string}} event
 * @returns {false | undefined} false: the socket waits for the new session to reconnect
 */
export function onSocketClose(event) {
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
}

/** @param {Frame} frame */
export function onFrame(frame) {
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
