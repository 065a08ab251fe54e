// @ts-check
/*
 * Calls part of the storefront widget (docs/calls.md): the agent's voice or video call rings
 * here with Accept / Decline; the shopper may also ask for a call from the composer. Media
 * flows browser to browser (WebRTC, `api.rtc`); the socket carries the signalling
 * (docs/protocol.md, "Calls"). The call box sits above the messages: the other side's video,
 * the shopper's own, a status and timer, and mute / camera / hang-up.
 *
 * The box's `data-state` is `ringing`, `calling`, `connecting`, `connected` or `ended`; the
 * panel's `data-call` mirrors it (kept after the box closes, for scripts that watch the
 * chat), and the box's `data-bytes-sent` / `data-bytes-received` follow getStats once a second.
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  /** @typedef {import("../core/types").WidgetApi} WidgetApi */
  /** @typedef {import("../core/types").Frame} Frame */
  /** @typedef {import("../../shared/rtc.js").CallPeer} CallPeer */

  /**
   * The call on this page: the one ringing here, being placed from here, or in progress.
   * @type {{
   *   id: number | null, media: string, caller: string, state: string,
   *   iceServers: RTCIceServer[], stream: MediaStream | null, peer: CallPeer | null,
   *   box: HTMLElement, status: HTMLElement, timer: HTMLElement, remote: HTMLVideoElement,
   *   local: HTMLVideoElement, controls: HTMLElement, ringButtons: HTMLElement,
   *   connectedAt: number, tick: ReturnType<typeof setInterval> | undefined,
   *   fallback: ReturnType<typeof setTimeout> | undefined,
   * } | null}
   */
  let call = null;
  /** The call as it is now (a read TypeScript does not narrow across an await). */
  function placing() {
    return call;
  }

  /** Calls this page has seen end (a late frame about one of them changes nothing). */
  const finished = new Set();
  /** Candidates that arrived before the peer existed: call id -> candidates. */
  /** @type {Map<number, RTCIceCandidateInit[]>} */
  const early = new Map();

  /**
   * @param {WidgetApi} api
   * @param {string} state
   * @param {string} [text]
   */
  function setState(api, state, text) {
    if (!call) return;
    call.state = state;
    call.box.dataset.state = state;
    api.slots.panel.dataset.call = state;
    if (text !== undefined) call.status.textContent = text;
    call.ringButtons.hidden = state !== "ringing";
    call.controls.hidden = state === "ringing" || state === "ended";
  }

  /**
   * Build the call box for a call (ringing here, or placed from here).
   * @param {WidgetApi} api
   * @param {{id: number | null, media: string, caller: string}} info
   */
  function openBox(api, info) {
    closeBox(api);
    const el = api.el;
    const remote = el("video", { class: "hdv-remote", "data-testid": "hd-call-remote", autoplay: true, playsinline: true });
    const local = el("video", { class: "hdv-local", "data-testid": "hd-call-local", autoplay: true, playsinline: true, muted: true });
    local.muted = true;
    const status = el("div", { class: "hdv-status", "data-testid": "hd-call-status", role: "status", "aria-live": "polite" });
    const timer = el("span", { class: "hdv-timer", "data-testid": "hd-call-timer" }, "0:00");
    const mute = el("button", { type: "button", class: "hdv-btn", "data-testid": "hd-call-mute", "aria-pressed": "false" }, api.t("calls.mute"));
    mute.addEventListener("click", () => {
      if (!call || !call.peer) return;
      const on = mute.getAttribute("aria-pressed") !== "true";
      call.peer.setMuted(on);
      mute.setAttribute("aria-pressed", String(on));
      mute.textContent = api.t(on ? "calls.unmute" : "calls.mute");
    });
    const camera = el("button", { type: "button", class: "hdv-btn", "data-testid": "hd-call-camera", "aria-pressed": "false", hidden: info.media !== "video" }, api.t("calls.camera_off"));
    camera.addEventListener("click", () => {
      if (!call || !call.peer) return;
      const off = camera.getAttribute("aria-pressed") !== "true";
      call.peer.setCameraOff(off);
      camera.setAttribute("aria-pressed", String(off));
      camera.textContent = api.t(off ? "calls.camera_on" : "calls.camera_off");
    });
    const hangup = el("button", { type: "button", class: "hdv-btn hdv-hangup", "data-testid": "hd-call-hangup" }, api.t("calls.hangup"));
    hangup.addEventListener("click", () => hangUp(api));
    const controls = el("div", { class: "hdv-controls" }, timer, mute, camera, hangup);
    const accept = el("button", { type: "button", class: "hdv-btn hdv-accept", "data-testid": "hd-call-accept" }, api.t("calls.accept"));
    accept.addEventListener("click", () => acceptCall(api));
    const decline = el("button", { type: "button", class: "hdv-btn hdv-hangup", "data-testid": "hd-call-decline" }, api.t("calls.decline"));
    decline.addEventListener("click", () => {
      if (call && call.id !== null) api.send({ type: "call.decline", call: call.id });
    });
    const ringButtons = el("div", { class: "hdv-controls" }, accept, decline);
    const media = el("div", { class: "hdv-media", hidden: info.media !== "video" }, remote, local);
    const box = el("div", { class: "hdv-box", "data-testid": "hd-call", "data-media": info.media }, media, status, ringButtons, controls);
    api.slots.panel.insertBefore(box, api.slots.messages);
    call = {
      id: info.id, media: info.media, caller: info.caller, state: "", iceServers: [],
      stream: null, peer: null, box, status, timer, remote, local, controls, ringButtons,
      connectedAt: 0, tick: undefined, fallback: undefined,
    };
  }

  /** @param {WidgetApi} api */
  function closeBox(api) {
    if (!call) return;
    if (call.peer) call.peer.close();
    else api.rtc.stopStream(call.stream);
    clearInterval(call.tick);
    clearTimeout(call.fallback);
    call.box.remove();
    call = null;
  }

  /**
   * @param {WidgetApi} api
   * @param {string} media
   */
  async function getMedia(api, media) {
    try {
      return await navigator.mediaDevices.getUserMedia(api.rtc.mediaConstraints(media));
    } catch (error) {
      api.addSystemNotice(api.t("calls.no_media"), { id: "call", timeout: 8000 });
      return null;
    }
  }

  /** @param {WidgetApi} api */
  async function acceptCall(api) {
    if (!call || call.id === null || call.state !== "ringing") return;
    const id = call.id;
    setState(api, "connecting", api.t("calls.connecting"));
    const stream = await getMedia(api, call.media);
    if (!call || call.id !== id) return api.rtc.stopStream(stream);
    if (!stream) {
      api.send({ type: "call.decline", call: id });
      return;
    }
    call.stream = stream;
    showLocal(stream);
    api.send({ type: "call.accept", call: id });
  }

  /** @param {MediaStream} stream */
  function showLocal(stream) {
    if (call && call.media === "video") call.local.srcObject = stream;
  }

  /**
   * The shopper asks for a call from the composer.
   * @param {WidgetApi} api
   * @param {string} media
   */
  async function askForCall(api, media) {
    const conversation = api.conversation();
    if (!conversation || call) return;
    openBox(api, { id: null, media, caller: "visitor" });
    setState(api, "calling", api.t("calls.calling"));
    const stream = await getMedia(api, media);
    const live = placing();
    if (!live || live.id !== null) return api.rtc.stopStream(stream);
    if (!stream) {
      closeBox(api);
      return;
    }
    live.stream = stream;
    showLocal(stream);
    api.send({ type: "call.invite", conversation: conversation.id, media });
  }

  /** @param {WidgetApi} api */
  function hangUp(api) {
    if (!call) return;
    if (call.id !== null) api.send({ type: "call.hangup", call: call.id });
    else closeBox(api);
  }

  /**
   * Both sides have said yes: start the peer (the agent's side offers; this side answers).
   * @param {WidgetApi} api
   */
  function startPeer(api) {
    if (!call || call.id === null || !call.stream || call.peer) return;
    const current = call;
    const stream = call.stream;
    const id = /** @type {number} */ (call.id);
    current.peer = new api.rtc.CallPeer({
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
          setState(api, "connected", api.t("calls.connected"));
          current.tick = setInterval(() => tick(api, current), 1000);
        } else if (state === "failed") {
          setState(api, "connecting", api.t("calls.connecting"));
        }
      },
    });
    for (const candidate of early.get(id) || []) current.peer.takeCandidate(candidate).catch(() => {});
    early.delete(id);
  }

  /**
   * Once a second: the timer, and the bytes flowing (getStats).
   * @param {WidgetApi} api
   * @param {NonNullable<typeof call>} current
   */
  async function tick(api, current) {
    current.timer.textContent = api.media.humanDuration((Date.now() - current.connectedAt) / 1000);
    if (!current.peer) return;
    try {
      const bytes = await current.peer.bytes();
      current.box.dataset.bytesSent = String(bytes.sent);
      current.box.dataset.bytesReceived = String(bytes.received);
    } catch (error) {
      /* closed meanwhile */
    }
  }

  /**
   * @param {WidgetApi} api
   * @param {{id: number, end_reason?: string | null, answered_at?: string | null}} ended
   */
  function endCall(api, ended) {
    finished.add(ended.id);
    early.delete(ended.id);
    if (!call || (call.id !== null && call.id !== ended.id)) return;
    /** @type {Record<string, string>} */
    const texts = { timeout: "calls.no_answer", declined: "calls.declined", disconnected: "calls.lost" };
    const text = api.t(texts[ended.end_reason || ""] || "calls.ended");
    const box = call.box;
    if (call.peer) call.peer.close();
    else api.rtc.stopStream(call.stream);
    clearInterval(call.tick);
    clearTimeout(call.fallback);
    setState(api, "ended", text);
    call = null;
    setTimeout(() => box.remove(), 4000);
  }

  /**
   * @param {Frame} frame
   * @param {WidgetApi} api
   */
  function onFrame(frame, api) {
    const info = frame.call && typeof frame.call === "object" ? frame.call : null;
    switch (frame.type) {
      case "call.ring": {
        if (!info || finished.has(info.id) || call) return;
        openBox(api, { id: info.id, media: info.media, caller: info.caller });
        const name = (info.agent && info.agent.name) || "";
        setState(api, "ringing", api.t(info.media === "video" ? "calls.incoming_video" : "calls.incoming_audio", { name }));
        api.open();
        return;
      }
      case "call.invited":
        if (!info || !call || call.id !== null) return;
        call.id = info.id;
        call.iceServers = frame.ice_servers || [];
        // The server ends an unanswered ring; this is only in case its frame never comes.
        call.fallback = setTimeout(() => hangUp(api), ((frame.ring_seconds || 45) + 10) * 1000);
        return;
      case "call.busy":
        if (call && call.id === null) closeBox(api);
        api.addSystemNotice(String(frame.detail || ""), { id: "call", timeout: 10000 });
        return;
      case "call.accepted":
        if (!info || !call || call.id !== info.id) return;
        if (call.caller === "visitor" || frame.ice_servers) {
          // Answered (by the agent, or here): set up and wait for the agent's offer.
          if (frame.ice_servers) call.iceServers = frame.ice_servers;
          clearTimeout(call.fallback);
          setState(api, "connecting", api.t("calls.connecting"));
          startPeer(api);
        } else {
          // Answered on another tab or device of this shopper.
          closeBox(api);
        }
        return;
      case "call.offer":
        if (call && call.peer && call.id === frame.call) call.peer.takeOffer(String(frame.sdp)).catch(() => {});
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
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "calls",
    styles:
      ".hdv-box{display:flex;flex-direction:column;gap:6px;padding:8px;border-bottom:1px solid #eee;background:#111827;color:#fff}" +
      ".hdv-media{position:relative;height:180px;background:#000;border-radius:8px;overflow:hidden}" +
      ".hdv-remote{width:100%;height:100%;object-fit:cover}" +
      ".hdv-local{position:absolute;right:6px;bottom:6px;width:72px;height:54px;object-fit:cover;border:1px solid #fff;border-radius:4px;background:#333}" +
      ".hdv-status{font-size:13px}" +
      ".hdv-controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap}" +
      ".hdv-timer{font-variant-numeric:tabular-nums;margin-right:auto}" +
      ".hdv-btn{border:1px solid rgba(255,255,255,.5);background:transparent;color:inherit;border-radius:6px;padding:3px 10px;cursor:pointer;font:inherit}" +
      ".hdv-btn[aria-pressed=true]{background:rgba(255,255,255,.2)}" +
      ".hdv-accept{background:#16a34a;border-color:#16a34a}" +
      ".hdv-hangup{background:#dc2626;border-color:#dc2626}" +
      ".hdv-box[data-state=ended] .hdv-media{display:none}",
    composerButtons: [
      { id: "call-video", label: "calls.ask_video", icon: "📹", onClick: (api) => askForCall(api, "video") },
      { id: "call-audio", label: "calls.ask_audio", icon: "📞", onClick: (api) => askForCall(api, "audio") },
    ],
    onFrame,
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
