// @ts-check
/**
 * The shopper's read receipts: a `read` frame with the highest seq of the others' messages
 * once the panel is open and the page visible, coalesced over 150 ms.
 */

import { isOpen, setUnread } from "./panel.js";
import { send } from "./socket.js";
import { bySeq, readCursor, state } from "./state.js";

/** @type {ReturnType<typeof setTimeout> | null} */
let readTimer = null;

/** Coalesced: a replay of many messages sends one read receipt, not one per message. */
export function sendRead() {
  if (readTimer) return;
  readTimer = setTimeout(() => {
    readTimer = null;
    sendReadNow();
  }, 150);
}

function sendReadNow() {
  const conversation = state.conversation;
  if (!conversation || !isOpen() || document.visibilityState !== "visible") return;
  let highest = 0;
  for (const [number, entry] of bySeq) {
    if (entry.message.sender.kind !== "visitor" && number > highest) highest = number;
  }
  if (readCursor.due(highest) && send({ type: "read", conversation: conversation.id, seq: highest })) {
    readCursor.mark(highest);
  }
  if (isOpen() && document.visibilityState === "visible") setUnread(0);
}
