// @ts-check
/**
 * What the shopper sends: messages through the outbox (optimistic bubble, `client_id`,
 * re-sent until acknowledged) and typing on/off. Read receipts are read.js.
 */

import { clientId } from "../../shared/ids.js";
import { Outbox } from "../../shared/outbox.js";
import { TYPING_IDLE_MS, TYPING_REPEAT_MS } from "./config.js";
import { markFailed, renderPending } from "./messages.js";
import { autosize, scrollToEnd } from "./panel.js";
import { ensureSocket, start } from "./session.js";
import { slots } from "./slots.js";
import { send } from "./socket.js";
import { byClientId, outbox, state } from "./state.js";
import { t } from "./strings.js";

/** @typedef {import("../../shared/outbox.js").OutboxItem} OutboxItem */

/**
 * `api.sendMessage`: an optimistic bubble, the outbox, and `message.send` now if connected.
 * @param {Record<string, unknown>} [fields] `body`, `kind` and any extra frame fields
 * @returns {string} the message's client_id
 */
export function sendMessage(fields) {
  const item = /** @type {OutboxItem & {body: string, kind: string}} */ (
    Object.assign({}, fields || {}, { client_id: clientId("w-") })
  );
  item.body = item.body || "";
  item.kind = item.kind || "text";
  delete item.type;
  if (tooLarge(item)) {
    renderPending(item);
    const bubble = byClientId.get(item.client_id);
    if (bubble) markFailed(bubble, t("That message is too long."));
    return item.client_id;
  }
  outbox.add(item);
  renderPending(item);
  flushOne(item);
  if (!state.started) start();
  else ensureSocket();
  return item.client_id;
}

/** @param {OutboxItem & {body: string}} item */
function tooLarge(item) {
  if (item.body.length > state.limits.max_body_chars) return true;
  const frame = JSON.stringify(Object.assign({ type: "message.send", conversation: 0 }, item));
  return new Blob([frame]).size > state.limits.max_frame_bytes - 256;
}

/** Send every unacknowledged message again (after `ready`; the server dedupes). */
export function flushOutbox() {
  outbox.flush(send, state.conversation && state.conversation.id);
}

/** @param {OutboxItem} item */
export function flushOne(item) {
  const frame = Outbox.frame(item);
  if (state.conversation) frame.conversation = state.conversation.id;
  send(frame);
}

/** @type {ReturnType<typeof setTimeout> | null} */
let outboxRetryTimer = null;

/** The server asked to slow down: send the outbox again in 2–3 s. */
export function scheduleOutboxRetry() {
  if (outboxRetryTimer || !outbox.size) return;
  outboxRetryTimer = setTimeout(
    () => {
      outboxRetryTimer = null;
      flushOutbox();
    },
    2000 + Math.random() * 1000,
  );
}

/** Enter or the send button. */
export function submitInput() {
  const body = slots.input.value.replace(/\s+$/, "");
  if (!body.trim()) return;
  slots.input.value = "";
  autosize();
  stopTyping();
  sendMessage({ body: body });
  scrollToEnd();
}

let typingOn = false;
let typingSentAt = 0;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let typingIdleTimer;

/** A keystroke in the input: `typing on` (repeated every 3 s), off after 4 s idle. */
export function typingKeystroke() {
  const conversation = state.conversation;
  if (!conversation) return;
  const now = Date.now();
  if (!typingOn || now - typingSentAt > TYPING_REPEAT_MS) {
    if (send({ type: "typing", conversation: conversation.id, on: true })) {
      typingOn = true;
      typingSentAt = now;
    }
  }
  clearTimeout(typingIdleTimer);
  typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}

function stopTyping() {
  clearTimeout(typingIdleTimer);
  const conversation = state.conversation;
  if (typingOn && conversation) send({ type: "typing", conversation: conversation.id, on: false });
  typingOn = false;
}
