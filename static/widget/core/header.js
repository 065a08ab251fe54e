// @ts-check
/** The panel's header: who is replying, and the "… is typing" line under the messages. */

import { REMOTE_TYPING_MS } from "./config.js";
import { atEnd, scrollToEnd } from "./panel.js";
import { slots } from "./slots.js";
import { state } from "./state.js";
import { t } from "./strings.js";

/** @type {ReturnType<typeof setTimeout> | undefined} */
let remoteTypingTimer;
/** @type {string | null} what a part (the queue's business hours) says instead of the default */
let statusNote = null;

/**
 * A part's line for the header while nobody is assigned (e.g. "We're back Monday 09:00"),
 * or null for the default promise.
 * @param {string | null} text
 */
export function setHeaderStatus(text) {
  statusNote = text || null;
  updateHeader();
}

/** Show the assigned agent (initial and name) while the conversation is active. */
export function updateHeader() {
  if (!slots.status) return;
  const conversation = state.conversation;
  const assignee = conversation && conversation.assignee;
  const active = conversation && conversation.status !== "resolved";
  if (active && assignee && assignee.name) {
    slots.title.textContent = t("Chat with us");
    const initial = assignee.name.trim().charAt(0).toUpperCase();
    if (initial) slots.avatar.replaceChildren(initial);
    slots.avatar.classList.add("hd-avatar-agent");
    slots.status.textContent = t("%(name)s is replying", { name: assignee.name });
  } else {
    slots.title.textContent = t("Chat with us");
    slots.avatar.replaceChildren(slots.avatarIcon);
    slots.avatar.classList.remove("hd-avatar-agent");
    slots.status.textContent = statusNote || t("We typically reply in a few minutes");
  }
}

/** @param {import("./types").Frame} frame a `typing` frame from an agent or the bot */
export function showRemoteTyping(frame) {
  clearTimeout(remoteTypingTimer);
  if (!frame.on) {
    slots.typing.hidden = true;
    return;
  }
  const name = (frame.sender && frame.sender.name) || t("Support");
  const text = /** @type {HTMLElement} */ (slots.typing.querySelector(".hd-typing-text"));
  text.textContent = t("%(name)s is typing…", { name: name });
  const stick = atEnd();
  slots.typing.hidden = false;
  if (stick) scrollToEnd();
  // A lost "off" frame must not leave the indicator forever.
  remoteTypingTimer = setTimeout(() => (slots.typing.hidden = true), REMOTE_TYPING_MS);
}
