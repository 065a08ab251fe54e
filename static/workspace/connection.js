// @ts-check
/**
 * The agent's socket (`/ws/agent/`, authenticated by the session cookie) on the shared
 * client: backoff, ping and pong timeout, reconnect when the browser comes back online. Every
 * server frame reaches the parts' `onFrame` hooks in registration order — the core's own
 * modules are registered first — which is the one way to hear a frame in the workspace.
 */
import { SocketClient } from "../shared/socket.js";
import { api, emit, register, runHook, t } from "./desk.js";
import { toast } from "./alerts.js";

/** @typedef {import("./types").Frame} Frame */

const LABELS = /** @type {const} */ ({ connecting: "connecting", ready: "open", closed: "closed" });

/** @param {"connecting" | "open" | "closed"} state */
function showState(state) {
  const box = document.getElementById("dk-conn");
  if (!box) return;
  box.dataset.state = state;
  const text = /** @type {HTMLElement | null} */ (box.querySelector(".dk-conn-text"));
  if (text && text.dataset[state]) text.textContent = text.dataset[state] || "";
}

/** Frames that are not worth keeping for a reconnect (or are re-sent anyway). */
const EPHEMERAL = new Set(["ping", "typing", "resume", "message.send"]);

export const client = new SocketClient({
  url: () => (location.protocol === "https:" ? "wss://" : "ws://") + location.host + api.config.urls.socket,
  onState: (state) => showState(LABELS[state]),
  onFrame(frame) {
    if (frame.type === "ready") emit("socket.open", frame);
    if (frame.type === "conversations.updated") {
      // Several list updates in one frame (list.watch's `batch`, docs/protocol.md): each
      // reaches the parts as the conversation.updated frame it stands for, in order.
      for (const conversation of frame.conversations || []) {
        runHook("onFrame", { type: "conversation.updated", conversation }, api);
      }
      return;
    }
    runHook("onFrame", frame, api);
  },
  onClose(event) {
    emit("socket.close", event);
    if (event.code === 4401 || event.code === 4403) {
      // The session ended (logged out elsewhere): the login page brings the agent back.
      location.href = api.config.urls.login + "?next=" + encodeURIComponent(location.pathname);
      return false;
    }
    return undefined;
  },
  // A frame sent while reconnecting goes out after the next `ready`. Messages wait in the
  // outbox instead, and each pane resumes by itself.
  queueWhileOffline: (frame) => !EPHEMERAL.has(frame.type),
});

api.send = (frame) => client.send(frame);

/* Errors that name no message: a toast. (The pane that sent a message shows its failure.) */
register({
  name: "core.errors",
  onFrame(frame) {
    if (frame.type !== "error" || frame.client_id) return;
    if (frame.code === "rate_limited") toast(t("Slow down a little."), "error");
    else if (frame.code !== "not_found") toast(frame.detail || t("Something went wrong."), "error");
  },
});
