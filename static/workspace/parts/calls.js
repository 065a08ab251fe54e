// @ts-check
/* Voice and video calls in the workspace (docs/calls.md).
 *
 * Each pane's header gets "Voice call" and "Video call"; a shopper's request rings here with
 * Accept / Decline. The call itself (state, timer, mute, camera, the peer connection and its
 * frames) is static/shared/call-session.js's `CallSession`, shared with the widget: the agent's side
 * makes the WebRTC offer once the shopper has answered; the socket carries the signalling
 * (docs/protocol.md, "Calls"). This part builds the box in the desk's markup and words, and
 * handles the ring and the busy answer. One call at a time, in a box in the corner: the
 * shopper's video, the agent's own, status, timer, mute / camera / hang-up (in a voice call,
 * the camera button turns video on: a new offer / answer). Ended calls show in the timeline
 * as a line drawn from the message's call card, in the agent's language.
 *
 * The box's `data-state` is `ringing`, `calling`, `connecting`, `connected` or `ended`, and
 * `data-bytes-sent` / `data-bytes-received` follow getStats once a second.
 */
import { CallSession } from "../../shared/call-session.js";
import { humanDuration } from "../../shared/media.js";

/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").Frame} Frame */
/** @typedef {import("../../shared/types").CallView} CallView */

/** The session's words, as the desk's (English source) strings. */
/** @type {Record<string, string>} */
const WORDS = {
  mute: "Mute",
  unmute: "Unmute",
  camera_off: "Camera off",
  camera_on: "Camera on",
  calling: "Calling…",
  connecting: "Connecting…",
  connected: "Connected",
  ended: "Call ended",
  no_answer: "No answer",
  declined: "Call declined",
  lost: "The call was cut off.",
};

/** @type {CallSession | null} */
let session = null;

let styled = false;

function addStyles() {
  if (styled) return;
  styled = true;
  const style = document.createElement("style");
  style.textContent =
    ".dk-call{position:fixed;right:16px;top:60px;width:340px;z-index:50;background:#111827;color:#fff;border-radius:10px;" +
    "box-shadow:0 8px 24px rgba(0,0,0,.3);padding:10px;display:flex;flex-direction:column;gap:8px}" +
    ".dk-call-media{position:relative;height:200px;background:#000;border-radius:8px;overflow:hidden}" +
    ".dk-call-remote{width:100%;height:100%;object-fit:cover}" +
    ".dk-call-local{position:absolute;right:6px;bottom:6px;width:84px;height:63px;object-fit:cover;border:1px solid #fff;border-radius:4px;background:#333}" +
    ".dk-call-row{display:flex;gap:6px;align-items:center;flex-wrap:wrap}" +
    ".dk-call-timer{font-variant-numeric:tabular-nums;margin-right:auto}" +
    ".dk-call-btn{border:1px solid rgba(255,255,255,.5);background:transparent;color:inherit;border-radius:6px;padding:3px 10px;cursor:pointer}" +
    ".dk-call-btn[aria-pressed=true]{background:rgba(255,255,255,.2)}" +
    ".dk-call-accept{background:#16a34a;border-color:#16a34a}" +
    ".dk-call-hangup{background:#dc2626;border-color:#dc2626}" +
    ".dk-call-media[hidden]{display:none}" +
    ".dk-call[data-state=ended] .dk-call-media{display:none}" +
    ".dk-msg-call .dk-msg-body::before{content:'\\260E\\FE0E  '}";
  document.head.append(style);
}

/**
 * The desk's call box, in the corner: `build` for the session.
 * @param {DeskApi} api
 * @param {{media: string, conversation: number | null}} info
 * @returns {CallView}
 */
function build(api, info) {
  addStyles();
  const el = api.el;
  const c = info.conversation === null ? null : api.conversation(info.conversation);
  const title = (c && c.visitor && c.visitor.name) || "#" + info.conversation;
  const remote = el("video", { class: "dk-call-remote", "data-testid": "dk-call-remote", autoplay: true, playsinline: true });
  const local = el("video", { class: "dk-call-local", "data-testid": "dk-call-local", autoplay: true, playsinline: true, muted: true });
  const status = el("div", { class: "dk-call-status", "data-testid": "dk-call-status", role: "status", "aria-live": "polite" });
  const timer = el("span", { class: "dk-call-timer", "data-testid": "dk-call-timer" });
  const mute = el("button", { type: "button", class: "dk-call-btn", "data-testid": "dk-call-mute" });
  const camera = el("button", { type: "button", class: "dk-call-btn", "data-testid": "dk-call-camera" });
  const hangup = el("button", { type: "button", class: "dk-call-btn dk-call-hangup", "data-testid": "dk-call-hangup" }, api.t("Hang up"));
  const accept = el("button", { type: "button", class: "dk-call-btn dk-call-accept", "data-testid": "dk-call-accept" }, api.t("Accept"));
  const decline = el("button", { type: "button", class: "dk-call-btn dk-call-hangup", "data-testid": "dk-call-decline" }, api.t("Decline"));
  const controls = el("div", { class: "dk-call-row" }, timer, mute, camera, hangup);
  const ringButtons = el("div", { class: "dk-call-row" }, accept, decline);
  const media = el("div", { class: "dk-call-media" }, remote, local);
  const box = el(
    "section",
    { class: "dk-call", "data-testid": "dk-call", "data-media": info.media, "data-conversation": String(info.conversation), "aria-label": title },
    el("strong", {}, title),
    media,
    status,
    ringButtons,
    controls,
  );
  document.body.append(box);
  return { box, media, status, timer, remote, local, controls, ringButtons, mute, camera, hangup, accept, decline };
}

/**
 * @param {DeskApi} api
 * @returns {CallSession}
 */
function sessionFor(api) {
  if (!session) {
    session = new CallSession({
      side: "agent",
      send: (frame) => api.send(frame),
      word: (key) => api.t(WORDS[key] || key),
      duration: humanDuration,
      build: (info) => build(api, info),
      mediaError: () => api.toast(api.t("Your camera or microphone is not available."), "error"),
    });
  }
  return session;
}

/**
 * The agent calls the shopper of a conversation.
 * @param {DeskApi} api
 * @param {number} conversation
 * @param {string} media
 */
async function startCall(api, conversation, media) {
  const calls = sessionFor(api);
  if (calls.current()) {
    api.toast(api.t("Finish your current call first."), "error");
    return;
  }
  if ((await calls.place({ conversation, media })) === "unsent") {
    api.toast(api.t("Not connected. Try again in a moment."), "error");
  }
}

/**
 * The line a call card stands for, in the agent's language.
 * @param {DeskApi} api
 * @param {Record<string, any>} card
 */
function callLine(api, card) {
  const video = card.media === "video";
  if (!card.answered_at) {
    if (card.end_reason === "busy") return api.t(video ? "Missed video call: the agent was busy" : "Missed voice call: the agent was busy");
    if (card.end_reason === "declined") return api.t(video ? "Video call declined" : "Voice call declined");
    return api.t(video ? "Missed video call" : "Missed voice call");
  }
  const params = { name: String(card.answered_by || ""), duration: humanDuration(card.duration || 0) };
  return api.interpolate(api.t(video ? "Video call answered by %(name)s, %(duration)s" : "Voice call answered by %(name)s, %(duration)s"), params, true);
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "calls",
  paneHeaderTools(conversation, el, api) {
    // Only the web chat's shopper has a socket to ring (email, WhatsApp… have none).
    if (conversation.channel && conversation.channel.kind !== "web") return;
    for (const media of ["audio", "video"]) {
      const label = api.t(media === "video" ? "Video call" : "Voice call");
      el.append(
        api.el(
          "button",
          {
            type: "button",
            class: "dk-btn dk-btn-ghost dk-call-start",
            "data-testid": "dk-call-" + media,
            "data-media": media,
            title: label,
            "aria-label": label,
            onclick: () => {
              startCall(api, conversation.id, media).catch((error) => console.error("call", error));
            },
          },
          media === "video" ? "📹" : "📞",
        ),
      );
    }
  },
  renderMessage(m, node, api) {
    const card = m.card;
    if (!card || card.type !== "call" || !m.sender || m.sender.kind !== "system") return;
    node.classList.add("dk-msg-call");
    node.dataset.call = String(card.id);
    node.dataset.missed = card.missed ? "1" : "0";
    const body = node.querySelector(".dk-msg-body");
    if (body) body.textContent = callLine(api, card);
  },
  onFrame(frame, api) {
    const calls = sessionFor(api);
    const info = frame.call && typeof frame.call === "object" ? frame.call : null;
    if (frame.type === "call.ring") {
      // A shopper asks for a call (an agent's own calls never ring the desk).
      if (!info || info.caller !== "visitor") return;
      const c = api.conversation(info.conversation);
      const who = (c && c.visitor && c.visitor.name) || "#" + info.conversation;
      const format = info.media === "video" ? "%(name)s is calling (video)" : "%(name)s is calling (voice)";
      const text = api.interpolate(api.t(format), { name: who }, true);
      if (!calls.ring(info, text)) return;
      api.beep();
      api.notify(text, "", { conversation: info.conversation, force: true });
      return;
    }
    if (frame.type === "call.busy") {
      calls.giveUp();
      /** @type {Record<string, string>} */
      const texts = {
        self_busy: "Finish your current call first.",
        conversation_busy: "A call is already under way in this conversation.",
      };
      api.toast(texts[frame.reason] ? api.t(texts[frame.reason]) : String(frame.detail || ""), "error");
      return;
    }
    calls.onFrame(frame);
  },
};

export default part;
