// @ts-check
/**
 * The message list: a bubble per message (a part may render its body), ticks on the
 * shopper's own messages, insertion in seq order, the arrival of a stored message (ack or
 * `message.created`), seq-gap healing and the switch to another conversation.
 */

import { el } from "../../shared/dom.js";
import { formatTime } from "../../shared/time.js";
import { language } from "./config.js";
import { updateHeader } from "./header.js";
import { atEnd, isOpen, scrollToEnd, setUnread } from "./panel.js";
import { callPart, emit, parts } from "./parts.js";
import { sendRead } from "./read.js";
import { slots } from "./slots.js";
import { resume } from "./socket.js";
import { byClientId, bySeq, outbox, readCursor, receipts, seq, state } from "./state.js";
import { t } from "./strings.js";

/** @typedef {import("./types").Message} Message */
/** @typedef {"pending" | "sent" | "delivered" | "read" | "failed"} Tick */

const locale = language === "zh-hans" ? "zh-CN" : language === "en" ? undefined : language;

/**
 * @param {Message} message
 * @param {boolean} pending not stored yet (no seq)
 * @returns {HTMLElement}
 */
function bubbleFor(message, pending) {
  const sender = (message.sender && message.sender.kind) || "visitor";
  const own = sender === "visitor";
  const body = el("div", { class: "hd-body", "data-testid": "hd-message-body" });
  const bubble = el("div", {
    class: "hd-message hd-from-" + sender + (own ? " hd-own" : ""),
    "data-testid": "hd-message",
    "data-seq": pending ? "" : String(message.seq),
    "data-client-id": message.client_id || "",
    "data-conversation": pending ? "" : String(message.conversation || ""),
    "data-sender": sender,
    "data-kind": message.kind || "text",
  });
  if (!own && sender !== "system" && message.sender && message.sender.name) {
    bubble.append(el("div", { class: "hd-sender", "data-testid": "hd-sender" }, message.sender.name));
  }
  bubble.append(body);
  const translated = translatedBody(message);
  renderBody(translated === null ? message : Object.assign({}, message, { body: translated }), body);
  const translation = translationRow(message, body, translated);
  if (translation) bubble.append(translation);
  const meta = el(
    "div",
    { class: "hd-meta" },
    el("time", { datetime: message.created_at || "" }, formatTime(message.created_at, { locale })),
  );
  if (own) {
    meta.append(el("span", { class: "hd-tick", "data-testid": "hd-tick", role: "img" }));
  }
  bubble.append(meta);
  if (own) setTick(bubble, pending ? "pending" : receipts.stateOf(Number(message.seq)));
  if (!pending) {
    for (const part of parts) callPart(part, "decorateMessage", message, bubble);
  }
  return bubble;
}

/**
 * The first part whose `kinds` include the message's kind and whose `renderMessage` returns
 * true owns the body; otherwise the body is the message's text.
 * @param {Message} message
 * @param {HTMLElement} body
 */
function renderBody(message, body) {
  const kind = message.kind || "text";
  for (const part of parts) {
    if (typeof part.renderMessage !== "function") continue;
    if (Array.isArray(part.kinds) && !part.kinds.includes(kind)) continue;
    if (callPart(part, "renderMessage", message, body) === true) return;
    body.replaceChildren();
  }
  body.textContent = message.body || "";
}

/**
 * What the shopper reads of an agent's or the bot's message: its translation into the
 * shopper's language once done (docs/translation.md), else null (the original).
 * @param {Message} message
 * @returns {string | null}
 */
function translatedBody(message) {
  const translation = message.translation;
  const sender = message.sender && message.sender.kind;
  if (sender === "visitor" || !translation || translation.status !== "done") return null;
  return typeof translation.body === "string" ? translation.body : null;
}

/**
 * Under a translated message: "Translated · Show original" (a tap swaps the text back and
 * forth); under one whose translation failed: "Not translated". Null otherwise.
 * @param {Message} message
 * @param {HTMLElement} body
 * @param {string | null} translated
 * @returns {HTMLElement | null}
 */
function translationRow(message, body, translated) {
  const sender = message.sender && message.sender.kind;
  if (sender === "visitor" || !message.translation) return null;
  if (translated === null) {
    if (message.translation.status !== "failed") return null;
    return el("div", { class: "hd-translation hd-translation-failed", "data-testid": "hd-not-translated" }, t("translation.not_translated"));
  }
  const toggle = el(
    "button",
    { type: "button", class: "hd-translation-toggle", "data-testid": "hd-translation-toggle" },
    t("translation.show_original"),
  );
  let original = false;
  toggle.addEventListener("click", () => {
    original = !original;
    renderBody(original ? message : Object.assign({}, message, { body: translated }), body);
    toggle.textContent = original ? t("translation.show_translation") : t("translation.show_original");
    body.dataset.shown = original ? "original" : "translation";
  });
  body.dataset.shown = "translation";
  return el(
    "div",
    { class: "hd-translation" },
    el("span", { class: "hd-translated", "data-testid": "hd-translated" }, t("translation.translated")),
    " · ",
    toggle,
  );
}

/** @type {Map<string, any>} translations that arrived before their message ("conv:seq") */
const earlyTranslations = new Map();

/**
 * A `message.translated` frame: the message's bubble is drawn again with its translation.
 * @param {import("./types").Frame} frame `conversation`, `message` (id), `seq`, `translation`
 */
export function translationArrived(frame) {
  const known = bySeq.get(frame.seq);
  const conversation = state.conversation;
  if (!known || !conversation || frame.conversation !== conversation.id) {
    earlyTranslations.set(frame.conversation + ":" + frame.seq, frame.translation);
    if (earlyTranslations.size > 50) earlyTranslations.delete(earlyTranslations.keys().next().value || "");
    return;
  }
  if (known.message.id !== frame.message) return;
  known.message = Object.assign({}, known.message, { translation: frame.translation });
  const bubble = bubbleFor(known.message, false);
  known.el.replaceWith(bubble);
  const clientId = known.message.client_id;
  if (clientId && byClientId.get(clientId) === known.el) byClientId.set(clientId, bubble);
  known.el = bubble;
}

/** @type {Record<Tick, string>} */
const TICK_LABELS = {
  pending: "Sending…",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not sent",
};
/** @type {Record<Tick, string>} */
const TICK_GLYPHS = { pending: "…", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" };

/**
 * @param {HTMLElement} bubble
 * @param {Tick} tickState
 */
export function setTick(bubble, tickState) {
  const tick = /** @type {HTMLElement | null} */ (bubble.querySelector(".hd-tick"));
  if (!tick || tick.dataset.state === tickState) return;
  bubble.dataset.state = tickState;
  tick.dataset.state = tickState;
  tick.textContent = TICK_GLYPHS[tickState];
  tick.setAttribute("aria-label", t(TICK_LABELS[tickState]));
  tick.title = t(TICK_LABELS[tickState]);
}

/** Re-derive the ticks of the shopper's stored messages from the receipts. */
export function refreshTicks() {
  if (!slots.messages) return;
  for (const node of slots.messages.querySelectorAll(".hd-own[data-seq]")) {
    const bubble = /** @type {HTMLElement} */ (node);
    const number = Number(bubble.dataset.seq);
    if (number) setTick(bubble, receipts.stateOf(number));
  }
}

/**
 * Insert by seq so late or replayed messages land in place; pending ones stay at the end.
 * @param {HTMLElement} bubble
 * @param {number} at its seq (0: pending)
 */
function insertBubble(bubble, at) {
  const list = slots.messages;
  slots.welcome.remove();
  const stick = atEnd();
  /** @type {Element | null} */
  let before = null;
  const current = bubble.dataset.conversation;
  const all = /** @type {NodeListOf<HTMLElement>} */ (list.querySelectorAll(".hd-message"));
  const tail = lastSettled(all);
  if (at && tail && tail.dataset.conversation === current && Number(tail.dataset.seq) < at) {
    before = tail.nextElementSibling; // the common case: newest message, after the last one
    while (before && !before.classList.contains("hd-message")) before = before.nextElementSibling;
  } else if (at) {
    for (const node of all) {
      if (node === bubble) continue;
      if (node.dataset.seq === "") {
        before = node; // pending bubbles stay last
        break;
      }
      if (node.dataset.conversation !== current) continue; // an earlier conversation
      if (Number(node.dataset.seq) > at) {
        before = node;
        break;
      }
    }
  }
  list.insertBefore(bubble, before || null);
  if (stick || !at) scrollToEnd();
}

/** @param {NodeListOf<HTMLElement>} nodes */
function lastSettled(nodes) {
  for (let i = nodes.length - 1; i >= 0; i -= 1) {
    if (nodes[i].dataset.seq !== "") return nodes[i];
  }
  return null;
}

/**
 * The shopper's own bubble for an outbox entry, before the server stored it.
 * @param {import("../../shared/outbox.js").OutboxItem} item
 */
export function renderPending(item) {
  if (!state.built || byClientId.has(item.client_id)) return;
  const message = /** @type {Message} */ (
    Object.assign({}, item, { sender: { kind: "visitor" }, created_at: new Date().toISOString() })
  );
  const bubble = bubbleFor(message, true);
  byClientId.set(item.client_id, bubble);
  insertBubble(bubble, 0);
}

/**
 * A stored message arrived (`message.ack` or `message.created`, live or replayed).
 * @param {Message | undefined} message
 */
export function messageArrived(message) {
  if (!message || typeof message.seq !== "number" || message.private) return;
  const conversation = state.conversation;
  if (conversation && message.conversation !== conversation.id) {
    // Another conversation (a new one after a resolved one): follow the newest.
    if (message.conversation < conversation.id) return;
    switchConversation({ id: message.conversation, last_seq: 0 });
  } else if (!conversation) {
    switchConversation({ id: message.conversation, last_seq: 0 });
  }
  const pendingEl = message.client_id ? byClientId.get(message.client_id) : null;
  if (message.client_id) outbox.remove(message.client_id);
  const known = bySeq.get(message.seq);
  if (known) {
    // A replay or a repeated ack (idempotent re-send): keep the bubble we have.
    if (pendingEl && pendingEl !== known.el) pendingEl.remove();
    return;
  }
  const early = earlyTranslations.get(message.conversation + ":" + message.seq);
  if (early !== undefined) {
    earlyTranslations.delete(message.conversation + ":" + message.seq);
    if (!message.translation) message = Object.assign({}, message, { translation: early });
  }
  const bubble = bubbleFor(message, false);
  if (pendingEl && pendingEl.isConnected) {
    pendingEl.replaceWith(bubble);
    // Acked: move it to its seq position (usually where it already was).
    insertBubble(bubble, message.seq);
  } else {
    insertBubble(bubble, message.seq);
  }
  if (message.client_id) byClientId.set(message.client_id, bubble);
  bySeq.set(message.seq, { message: message, el: bubble });
  if (seq.accept(message.seq) === "gap") scheduleGapResume();
  const fromOther = message.sender && message.sender.kind !== "visitor";
  if (fromOther) {
    slots.typing.hidden = true;
    if (!isOpen() || document.visibilityState !== "visible") {
      if (message.seq > readCursor.sent) setUnread(state.unread + 1);
    }
    sendRead();
  }
  emit("message", message);
}

/** @type {ReturnType<typeof setTimeout> | null} */
let gapTimer = null;

/** A message arrived past a missing one: `resume` soon, unless the hole fills by itself. */
export function scheduleGapResume() {
  if (gapTimer || state.resumeInFlight) return;
  // Give reordered frames a moment; a true gap (or a private note) is healed by resume.
  gapTimer = setTimeout(() => {
    gapTimer = null;
    if (seq.hasGap()) resume();
  }, 250);
}

/**
 * Show `next` (the same conversation updated, or another one: then the list starts over).
 * @param {import("./types").Conversation} next
 */
export function switchConversation(next) {
  const conversation = state.conversation;
  if (conversation && next.id === conversation.id) {
    state.conversation = Object.assign({}, conversation, next);
  } else {
    state.conversation = next;
    seq.reset();
    readCursor.reset();
    receipts.reset();
    bySeq.clear();
  }
  const known = state.conversation.receipts;
  if (known) {
    receipts.merge(known.agent_delivered_seq, known.agent_read_seq);
    readCursor.mark(known.visitor_read_seq || 0);
  }
  updateHeader();
  refreshTicks();
}

/**
 * Mark the shopper's bubble as not sent, with the reason under it.
 * @param {HTMLElement} bubble
 * @param {string} reason
 * @returns {HTMLElement} the reason's element
 */
export function markFailed(bubble, reason) {
  setTick(bubble, "failed");
  let note = /** @type {HTMLElement | null} */ (bubble.querySelector(".hd-error"));
  if (!note) {
    note = el("div", { class: "hd-error", role: "alert", "data-testid": "hd-error" });
    bubble.append(note);
  }
  note.textContent = reason;
  return note;
}
