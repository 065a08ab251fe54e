// @ts-check
/* Voice and video calls in the workspace (docs/calls.md).
 *
 * Each pane's header gets "Voice call" and "Video call"; a shopper's request rings here with
 * Accept / Decline. The agent's side makes the WebRTC offer once the shopper has answered
 * (static/shared/rtc.js); the socket carries the signalling (docs/protocol.md, "Calls").
 * One call at a time, in a box in the corner: the shopper's video, the agent's own, status,
 * timer, mute / camera / hang-up. Ended calls show in the timeline as a line drawn from the
 * message's call card, in the agent's language.
 *
 * The box's `data-state` is `ringing`, `calling`, `connecting`, `connected` or `ended`, and
 * `data-bytes-sent` / `data-bytes-received` follow getStats once a second.
 */
import { CallPeer, mediaConstraints, stopStream } from "../../shared/rtc.js";
import { humanDuration } from "../../shared/media.js";

/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").Frame} Frame */

/**
 * @typedef {{
 *   id: number | null, conversation: number, media: string, caller: string, state: string,
 *   iceServers: RTCIceServer[], stream: MediaStream | null, peer: CallPeer | null,
 *   box: HTMLElement, status: HTMLElement, timer: HTMLElement, remote: HTMLVideoElement,
 *   local: HTMLVideoElement, controls: HTMLElement, ringButtons: HTMLElement,
 *   connectedAt: number, tick: ReturnType<typeof setInterval> | undefined,
 * }} Call
 */

/** @type {Call | null} */
let call = null;
const finished = new Set();

/** The call as it is now (a read TypeScript does not narrow across an await). */
function placing() {
  return call;
}
/** @type {Map<number, RTCIceCandidateInit[]>} */
const early = new Map();
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
    ".dk-call[data-state=ended] .dk-call-media{display:none}" +
    ".dk-msg-call .dk-msg-body::before{content:'\\260E\\FE0E  '}";
  document.head.append(style);
}

/**
 * @param {DeskApi} api
 * @param {string} state
 * @param {string} [text]
 */
function setState(api, state, text) {
  if (!call) return;
  call.state = state;
  call.box.dataset.state = state;
  if (text !== undefined) call.status.textContent = text;
  call.ringButtons.hidden = state !== "ringing";
  call.controls.hidden = state === "ringing" || state === "ended";
}

/**
 * @param {DeskApi} api
 * @param {{id: number | null, conversation: number, media: string, caller: string, title: string}} info
 */
function openBox(api, info) {
  addStyles();
  closeBox();
  const el = api.el;
  const remote = el("video", { class: "dk-call-remote", "data-testid": "dk-call-remote", autoplay: true, playsinline: true });
  const local = el("video", { class: "dk-call-local", "data-testid": "dk-call-local", autoplay: true, playsinline: true, muted: true });
  local.muted = true;
  const status = el("div", { class: "dk-call-status", "data-testid": "dk-call-status", role: "status", "aria-live": "polite" });
  const timer = el("span", { class: "dk-call-timer", "data-testid": "dk-call-timer" }, "0:00");
  const mute = el("button", { type: "button", class: "dk-call-btn", "data-testid": "dk-call-mute", "aria-pressed": "false" }, api.t("Mute"));
  mute.addEventListener("click", () => {
    if (!call || !call.peer) return;
    const on = mute.getAttribute("aria-pressed") !== "true";
    call.peer.setMuted(on);
    mute.setAttribute("aria-pressed", String(on));
    mute.textContent = api.t(on ? "Unmute" : "Mute");
  });
  const camera = el(
    "button",
    { type: "button", class: "dk-call-btn", "data-testid": "dk-call-camera", "aria-pressed": "false", hidden: info.media !== "video" },
    api.t("Camera off"),
  );
  camera.addEventListener("click", () => {
    if (!call || !call.peer) return;
    const off = camera.getAttribute("aria-pressed") !== "true";
    call.peer.setCameraOff(off);
    camera.setAttribute("aria-pressed", String(off));
    camera.textContent = api.t(off ? "Camera on" : "Camera off");
  });
  const hangup = el("button", { type: "button", class: "dk-call-btn dk-call-hangup", "data-testid": "dk-call-hangup" }, api.t("Hang up"));
  hangup.addEventListener("click", () => hangUp(api));
  const accept = el("button", { type: "button", class: "dk-call-btn dk-call-accept", "data-testid": "dk-call-accept" }, api.t("Accept"));
  accept.addEventListener("click", () => acceptCall(api));
  const decline = el("button", { type: "button", class: "dk-call-btn dk-call-hangup", "data-testid": "dk-call-decline" }, api.t("Decline"));
  decline.addEventListener("click", () => {
    if (call && call.id !== null) api.send({ type: "call.decline", call: call.id });
  });
  const controls = el("div", { class: "dk-call-row" }, timer, mute, camera, hangup);
  const ringButtons = el("div", { class: "dk-call-row" }, accept, decline);
  const box = el(
    "section",
    { class: "dk-call", "data-testid": "dk-call", "data-media": info.media, "data-conversation": String(info.conversation), "aria-label": info.title },
    el("strong", {}, info.title),
    el("div", { class: "dk-call-media", hidden: info.media !== "video" }, remote, local),
    status,
    ringButtons,
    controls,
  );
  document.body.append(box);
  call = {
    id: info.id, conversation: info.conversation, media: info.media, caller: info.caller, state: "",
    iceServers: [], stream: null, peer: null, box, status, timer, remote, local, controls, ringButtons,
    connectedAt: 0, tick: undefined,
  };
}

function closeBox() {
  if (!call) return;
  if (call.peer) call.peer.close();
  else stopStream(call.stream);
  clearInterval(call.tick);
  call.box.remove();
  call = null;
}

/**
 * @param {DeskApi} api
 * @param {string} media
 */
async function getMedia(api, media) {
  try {
    return await navigator.mediaDevices.getUserMedia(mediaConstraints(media));
  } catch {
    api.toast(api.t("Your camera or microphone is not available."), "error");
    return null;
  }
}

/**
 * The agent calls the shopper of a conversation.
 * @param {DeskApi} api
 * @param {number} conversation
 * @param {string} media
 */
async function startCall(api, conversation, media) {
  if (call) {
    api.toast(api.t("Finish your current call first."), "error");
    return;
  }
  const c = api.conversation(conversation);
  const who = (c && c.visitor && c.visitor.name) || "#" + conversation;
  openBox(api, { id: null, conversation, media, caller: "agent", title: who });
  setState(api, "calling", api.t("Calling…"));
  const stream = await getMedia(api, media);
  const live = placing();
  if (!live || live.id !== null) return stopStream(stream);
  if (!stream) return closeBox();
  live.stream = stream;
  if (media === "video") live.local.srcObject = stream;
  if (!api.send({ type: "call.invite", conversation, media })) {
    api.toast(api.t("Not connected. Try again in a moment."), "error");
    closeBox();
  }
}

/** @param {DeskApi} api */
async function acceptCall(api) {
  if (!call || call.id === null || call.state !== "ringing") return;
  const id = call.id;
  setState(api, "connecting", api.t("Connecting…"));
  const stream = await getMedia(api, call.media);
  if (!call || call.id !== id) return stopStream(stream);
  if (!stream) {
    api.send({ type: "call.decline", call: id });
    return;
  }
  call.stream = stream;
  if (call.media === "video") call.local.srcObject = stream;
  api.send({ type: "call.accept", call: id });
}

/** @param {DeskApi} api */
function hangUp(api) {
  if (!call) return;
  if (call.id !== null) api.send({ type: "call.hangup", call: call.id });
  else closeBox();
}

/**
 * Both sides said yes: the agent's side makes the offer.
 * @param {DeskApi} api
 */
function startPeer(api) {
  if (!call || call.id === null || !call.stream || call.peer) return;
  const current = call;
  const stream = call.stream;
  const id = /** @type {number} */ (call.id);
  setState(api, "connecting", api.t("Connecting…"));
  current.peer = new CallPeer({
    callId: id,
    iceServers: current.iceServers,
    stream,
    send: (frame) => api.send(frame),
    onRemote: (stream) => {
      current.remote.srcObject = stream;
      current.remote.play().catch(() => {});
    },
    onState: (state) => {
      if (call !== current) return;
      if (state === "connected" && current.state !== "connected") {
        current.connectedAt = Date.now();
        setState(api, "connected", api.t("Connected"));
        current.tick = setInterval(() => tick(current), 1000);
      } else if (state === "failed") {
        setState(api, "connecting", api.t("Connecting…"));
      }
    },
  });
  for (const candidate of early.get(id) || []) current.peer.takeCandidate(candidate).catch(() => {});
  early.delete(id);
  current.peer.offer().catch((error) => console.error("call offer failed", error));
}

/** @param {Call} current */
async function tick(current) {
  current.timer.textContent = humanDuration((Date.now() - current.connectedAt) / 1000);
  if (!current.peer) return;
  try {
    const bytes = await current.peer.bytes();
    current.box.dataset.bytesSent = String(bytes.sent);
    current.box.dataset.bytesReceived = String(bytes.received);
  } catch {
    /* closed meanwhile */
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

/**
 * @param {DeskApi} api
 * @param {{id: number, end_reason?: string | null}} ended
 */
function endCall(api, ended) {
  finished.add(ended.id);
  early.delete(ended.id);
  if (!call || call.id !== ended.id) return;
  /** @type {Record<string, string>} */
  const texts = { timeout: "No answer", declined: "Call declined", disconnected: "The call was cut off.", cancelled: "Call ended" };
  const text = api.t(texts[ended.end_reason || ""] || "Call ended");
  const box = call.box;
  if (call.peer) call.peer.close();
  else stopStream(call.stream);
  clearInterval(call.tick);
  setState(api, "ended", text);
  call = null;
  setTimeout(() => box.remove(), 4000);
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
            onclick: () => startCall(api, conversation.id, media),
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
    const info = frame.call && typeof frame.call === "object" ? frame.call : null;
    switch (frame.type) {
      case "call.ring": {
        // A shopper asks for a call (an agent's own calls never ring the desk).
        if (!info || info.caller !== "visitor" || finished.has(info.id) || call) return;
        const c = api.conversation(info.conversation);
        const who = (c && c.visitor && c.visitor.name) || "#" + info.conversation;
        openBox(api, { id: info.id, conversation: info.conversation, media: info.media, caller: "visitor", title: who });
        const format = info.media === "video" ? "%(name)s is calling (video)" : "%(name)s is calling (voice)";
        setState(api, "ringing", api.interpolate(api.t(format), { name: who }, true));
        api.beep();
        api.notify(api.interpolate(api.t(format), { name: who }, true), "", { conversation: info.conversation, force: true });
        return;
      }
      case "call.invited":
        if (!info || !call || call.id !== null || info.conversation !== call.conversation) return;
        call.id = info.id;
        call.iceServers = frame.ice_servers || [];
        return;
      case "call.busy": {
        if (call && call.id === null) closeBox();
        /** @type {Record<string, string>} */
        const texts = {
          self_busy: "Finish your current call first.",
          conversation_busy: "A call is already under way in this conversation.",
        };
        api.toast(texts[frame.reason] ? api.t(texts[frame.reason]) : String(frame.detail || ""), "error");
        return;
      }
      case "call.accepted":
        if (!info || !call || call.id !== info.id) return;
        if (call.caller === "agent" || frame.ice_servers) {
          if (frame.ice_servers) call.iceServers = frame.ice_servers;
          startPeer(api);
        } else {
          closeBox(); // a colleague answered it
        }
        return;
      case "call.answer":
        if (call && call.peer && call.id === frame.call) call.peer.takeAnswer(String(frame.sdp)).catch(() => {});
        return;
      case "call.candidate":
        if (!call || call.id !== frame.call) return;
        if (call.peer) call.peer.takeCandidate(frame.candidate).catch(() => {});
        else early.set(frame.call, (early.get(frame.call) || []).concat([frame.candidate]));
        return;
      case "call.ended":
        if (info) endCall(api, info);
        return;
      default:
    }
  },
};

export default part;
