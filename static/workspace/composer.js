// @ts-check
/**
 * The composer of a pane: reply / internal-note modes, Enter sends (Shift+Enter a new line,
 * never while an IME is composing), the typing indicator out, and sending with a client_id:
 * a pending bubble the ack replaces, kept in the outbox until then.
 */
import { find } from "../shared/dom.js";
import { clientId } from "../shared/ids.js";
import { Outbox } from "../shared/outbox.js";
import { api, runHook } from "./desk.js";
import { renderMessage } from "./message-bubble.js";
import { outbox } from "./outbox.js";
import { panes } from "./panes.js";
import { scrollToEnd } from "./timeline.js";

/** @typedef {import("./types").Pane} Pane */
/** @typedef {import("./types").Composer} Composer */
/** @typedef {import("./types").Message} Message */

/**
 * @param {Pane} pane
 * @returns {Composer}
 */
export function makeComposer(pane) {
  const area = /** @type {HTMLTextAreaElement} */ (find(pane.root, ".dk-textarea"));
  const replyBtn = find(pane.root, ".dk-mode-reply");
  const noteBtn = find(pane.root, ".dk-mode-note");
  let isPrivate = false;
  function autosize() {
    area.style.height = "auto";
    area.style.height = Math.min(200, Math.max(64, area.scrollHeight)) + "px";
  }
  /** @type {Composer} */
  const composer = {
    el: area,
    pane,
    conversationId: pane.id,
    get: () => area.value,
    set(text) {
      area.value = text;
      autosize();
    },
    insert(text) {
      const start = area.selectionStart ?? area.value.length;
      const end = area.selectionEnd ?? area.value.length;
      area.setRangeText(text, start, end, "end");
      autosize();
      area.focus();
    },
    focus: () => area.focus({ preventScroll: true }),
    isPrivate: () => isPrivate,
    setPrivate(value) {
      isPrivate = !!value;
      pane.root.classList.toggle("dk-noting", isPrivate);
      replyBtn.setAttribute("aria-pressed", isPrivate ? "false" : "true");
      noteBtn.setAttribute("aria-pressed", isPrivate ? "true" : "false");
      area.placeholder = (isPrivate ? area.dataset.note : area.dataset.reply) || "";
      if (isPrivate) typingOff(pane);
    },
  };
  composer.setPrivate(false);
  replyBtn.addEventListener("click", () => {
    composer.setPrivate(false);
    area.focus();
  });
  noteBtn.addEventListener("click", () => {
    composer.setPrivate(true);
    area.focus();
  });
  area.addEventListener("keydown", (event) => {
    if (event.isComposing || event.keyCode === 229) return; // IME (Chinese input) composing
    if (runHook("composerKeydown", event, composer, api)) {
      event.preventDefault();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      submit(pane);
    }
  });
  area.addEventListener("input", () => {
    autosize();
    if (!isPrivate) typingPing(pane);
    runHook("composerInput", composer, api);
  });
  find(pane.root, ".dk-send").addEventListener("click", () => submit(pane));
  return composer;
}

/** @param {Pane} pane */
function submit(pane) {
  const body = pane.composer.get();
  if (!body.trim()) return;
  api.sendMessage(pane.id, body, { private: pane.composer.isPrivate() });
  pane.composer.set("");
  pane.composer.focus();
}

/* ---------------------------------------------------------------- typing out */

/** @param {Pane} pane */
function typingPing(pane) {
  const out = pane.typingOut;
  const now = Date.now();
  if (!pane.composer.get().trim()) {
    typingOff(pane);
    return;
  }
  if (!out.on || now - out.last > 3000) {
    api.send({ type: "typing", conversation: pane.id, on: true });
    out.on = true;
    out.last = now;
  }
  clearTimeout(out.timer);
  out.timer = setTimeout(() => typingOff(pane), 4000);
}

/** @param {Pane} pane */
export function typingOff(pane) {
  const out = pane.typingOut;
  clearTimeout(out.timer);
  if (out.on) api.send({ type: "typing", conversation: pane.id, on: false });
  out.on = false;
}

/* ---------------------------------------------------------------- sending */

/**
 * Send `message.send` with a fresh client_id and show a pending bubble; returns the client_id.
 * @param {number} conversationId
 * @param {string} body
 * @param {{private?: boolean, extra?: Record<string, unknown>}} [options]
 */
function sendMessage(conversationId, body, options = {}) {
  const pane = panes.get(Number(conversationId)) || api.open(conversationId);
  if (!pane) throw new Error("no such conversation: " + conversationId);
  const id = clientId("desk-");
  const item = Object.assign(
    { client_id: id, conversation: pane.id, body, private: !!options.private },
    options.extra || {},
  );
  /** @type {Message} */
  const message = {
    id: null,
    conversation: pane.id,
    seq: null,
    client_id: id,
    sender: { kind: "agent", id: api.me.id, name: api.me.name },
    kind: typeof item.kind === "string" ? item.kind : "text",
    private: !!options.private,
    body,
    attachment: null,
    card: null,
    created_at: new Date().toISOString(),
  };
  const bubble = renderMessage(message);
  bubble.classList.add("dk-pending");
  pane.timeline.append(bubble);
  pane.pendings.set(id, { el: bubble });
  outbox.add(item);
  // Not connected: the outbox sends it after the next `ready`.
  api.send(Outbox.frame(item));
  typingOff(pane);
  scrollToEnd(pane, true);
  return id;
}

api.sendMessage = sendMessage;
