// @ts-check
/**
 * A pane's stream of messages: history and healing by `resume` (after_seq 0 on open; the
 * last gap-free seq after a reconnect or when a frame went missing), acks replacing pending
 * bubbles, the shopper's typing, receipts (ticks on the agent's own messages) and the read
 * cursor sent while the pane is visible.
 */
import { el, find, nearBottom } from "../shared/dom.js";
import { api, emit, register, t, updateConversation } from "./desk.js";
import { displayName } from "./list-row.js";
import { render as renderList } from "./list.js";
import { renderMessage } from "./message-bubble.js";
import { isVisible, layout, panes } from "./panes.js";
import { Outbox } from "../shared/outbox.js";
import { outbox } from "./outbox.js";

/** @typedef {import("./types").Pane} Pane */
/** @typedef {import("./types").Message} Message */
/** @typedef {import("./types").Frame} Frame */

/**
 * Ask the server for every message after `afterSeq` (it answers with `resume.done`).
 * @param {Pane} pane
 * @param {number} afterSeq
 */
export function resume(pane, afterSeq) {
  pane.resuming = true;
  pane.gapSeen = false;
  api.send({ type: "resume", conversation: pane.id, after_seq: afterSeq });
}

/**
 * @param {Pane} pane
 * @param {boolean} [force] scroll even if the agent scrolled up to read
 */
export function scrollToEnd(pane, force) {
  if (force || nearBottom(pane.timeline)) pane.timeline.scrollTop = pane.timeline.scrollHeight;
}

/**
 * Show a stored message if it is the next one. A message past a missing seq is not shown:
 * the pane resumes from the database instead (the layer is a doorbell), so it never shows
 * holes. Returns whether it was added.
 * @param {Pane} pane
 * @param {Message} m
 */
export function addMessage(pane, m) {
  if (typeof m.seq !== "number") return false;
  const verdict = pane.cursor.classify(m.seq);
  if (verdict === "duplicate") return false;
  if (verdict === "gap") {
    pane.gapSeen = true;
    if (!pane.resuming) resume(pane, pane.lastSeq);
    return false;
  }
  pane.cursor.accept(m.seq);
  pane.messages.set(m.seq, m);
  const pending = m.client_id ? pane.pendings.get(m.client_id) : undefined;
  if (pending && m.client_id && m.sender.kind === "agent") {
    pending.el.remove();
    pane.pendings.delete(m.client_id);
    outbox.remove(m.client_id);
  }
  const bubble = renderMessage(m);
  const firstPending = pane.timeline.querySelector(".dk-pending");
  const stick = nearBottom(pane.timeline);
  pane.timeline.insertBefore(bubble, firstPending);
  applyReceipts(pane);
  // Forced: a tall card the agent just sent would otherwise leave the view "not near the end".
  if (pane.loaded && (stick || m.sender.kind === "agent")) scrollToEnd(pane, true);
  emit("message", m);
  return true;
}

/** @param {Message} m */
function onMessageCreated(m) {
  const pane = panes.get(m.conversation);
  if (!pane) return;
  const added = addMessage(pane, m);
  if (!added || m.sender.kind !== "visitor") return;
  // While the pane loads, its history arrives as these frames too: only a message past what
  // the list knew when the pane opened is new (it may arrive before the history ends).
  if (!pane.loaded && (m.seq || 0) <= pane.openedAtSeq) return;
  if (isVisible(pane)) markRead(pane);
  else if (layout.focusedId !== pane.id) pane.tab.classList.add("dk-panetab-unread");
  const c = api.conversation(pane.id);
  api.notify(t("New message from %s", [c ? displayName(c) : "#" + pane.id]), m.body, { conversation: pane.id });
}

/** @param {Frame} frame */
function onResumeDone(frame) {
  const pane = panes.get(frame.conversation);
  if (!pane) return;
  pane.resuming = false;
  const loading = pane.timeline.querySelector(".dk-loading");
  if (loading) loading.remove();
  if (!pane.loaded) {
    pane.loaded = true;
    if (!pane.messages.size && !pane.pendings.size) {
      pane.timeline.append(el("div", { class: "dk-timeline-empty" }, t("No messages yet.")));
    }
    scrollToEnd(pane, true);
  }
  if (frame.last_seq > pane.lastSeq && pane.gapSeen) resume(pane, pane.lastSeq);
  markRead(pane);
}

/** The server's channel layer may have dropped frames: every open pane heals, and the
 * list reloads (its updates travel the same way). */
function onResync() {
  for (const pane of panes.values()) if (!pane.resuming) resume(pane, pane.lastSeq);
  emit("resync", null);
}

/**
 * Each watched conversation's last seq (after a pong): a pane behind it lost its last
 * message(s) and resumes.
 * @param {Frame} frame
 */
function onHeartbeat(frame) {
  for (const item of frame.conversations || []) {
    const pane = panes.get(item.id);
    if (pane && pane.loaded && !pane.resuming && item.last_seq > pane.lastSeq) resume(pane, pane.lastSeq);
  }
}

/**
 * Send `read` for everything shown, if the pane is on screen and the cursor moves.
 * @param {Pane} pane
 */
export function markRead(pane) {
  if (!isVisible(pane) || !pane.loaded) return;
  if (!pane.read.due(pane.lastSeq)) return;
  pane.read.mark(pane.lastSeq);
  api.send({ type: "read", conversation: pane.id, seq: pane.lastSeq });
  const c = api.conversation(pane.id);
  if (c && c.unread) {
    updateConversation({ id: pane.id, unread: 0 });
    renderList();
  }
}

/** @param {Frame} frame */
function onTyping(frame) {
  const pane = panes.get(frame.conversation);
  if (!pane || !frame.sender || frame.sender.kind !== "visitor") return;
  const box = find(pane.root, ".dk-typing");
  clearTimeout(pane.typingTimer);
  if (frame.on) {
    find(box, ".dk-typing-text").textContent = t("%s is typing…", [frame.sender.name || t("Customer")]);
    box.hidden = false;
    pane.typingTimer = setTimeout(() => {
      box.hidden = true;
    }, 8000);
  } else box.hidden = true;
}

/** @param {Frame} frame */
function onReceipt(frame) {
  const pane = panes.get(frame.conversation);
  if (!pane || frame.reader !== "visitor") return;
  pane.receipts.merge(frame.delivered_seq, frame.read_seq);
  applyReceipts(pane);
}

/** @type {Record<string, string>} */
const TICKS = { sent: "✓", delivered: "✓✓", read: "✓✓" };

/**
 * The shopper's delivered / read ticks on the agent's own public messages.
 * @param {Pane} pane
 */
export function applyReceipts(pane) {
  /** @type {Record<string, string>} */
  const titles = { sent: t("Sent"), delivered: t("Delivered"), read: t("Read") };
  for (const node of pane.timeline.querySelectorAll(".dk-msg-mine:not(.dk-pending)")) {
    const bubble = /** @type {HTMLElement} */ (node);
    const state = pane.receipts.stateOf(Number(bubble.dataset.seq));
    if (bubble.dataset.receipt === state) continue;
    bubble.dataset.receipt = state;
    const tick = /** @type {HTMLElement | null} */ (bubble.querySelector(".dk-ticks"));
    if (tick) {
      tick.textContent = TICKS[state];
      tick.title = titles[state];
    }
  }
}

/** @param {Frame} frame */
function onAck(frame) {
  const m = /** @type {Message | undefined} */ (frame.message);
  if (!m) return;
  const pane = panes.get(m.conversation);
  if (!pane) return;
  if (addMessage(pane, m)) return;
  // Already shown (a replay got here first) or a gap is being healed: the pending bubble is
  // replaced when the message itself arrives.
  const pending = pane.pendings.get(frame.client_id);
  if (pending && typeof m.seq === "number" && pane.messages.has(m.seq)) {
    pending.el.remove();
    pane.pendings.delete(frame.client_id);
    outbox.remove(frame.client_id);
  }
}

/** @param {Frame} frame */
function onError(frame) {
  if (!frame.client_id) return;
  for (const pane of panes.values()) {
    const pending = pane.pendings.get(frame.client_id);
    if (pending) failPending(pending.el, frame.client_id, frame.detail);
  }
}

/**
 * Mark a pending bubble failed, with a Retry that re-sends the same client_id.
 * @param {HTMLElement} bubble
 * @param {string} clientId
 * @param {string} [detail]
 */
export function failPending(bubble, clientId, detail) {
  bubble.classList.add("dk-failed");
  const status = find(bubble, ".dk-msg-status");
  status.replaceChildren(
    el("span", { class: "dk-fail-text" }, detail || t("Not sent")),
    " ",
    el(
      "button",
      {
        type: "button",
        class: "dk-linkbtn",
        onclick: () => {
          bubble.classList.remove("dk-failed");
          status.replaceChildren();
          const item = outbox.get(clientId);
          // The same client_id: the server stores it at most once.
          if (item) api.send(Outbox.frame(item));
        },
      },
      t("Retry"),
    ),
  );
}

register({
  name: "core.timeline",
  onFrame(frame) {
    switch (frame.type) {
      case "message.created":
        return onMessageCreated(frame.message);
      case "message.ack":
        return onAck(frame);
      case "resume.done":
        return onResumeDone(frame);
      case "typing":
        return onTyping(frame);
      case "receipt":
        return onReceipt(frame);
      case "error":
        return onError(frame);
      case "resync":
        return onResync();
      case "heartbeat":
        return onHeartbeat(frame);
      default:
        return undefined;
    }
  },
});

api.on("socket.open", () => {
  // After a reconnect every open pane heals from the last seq it holds, and the messages that
  // were never acked go out again (client_id makes that safe).
  for (const pane of panes.values()) resume(pane, pane.lastSeq);
  outbox.flush((frame) => api.send(frame));
});

document.addEventListener("visibilitychange", () => {
  for (const pane of panes.values()) markRead(pane);
});
