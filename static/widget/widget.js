/*
 * Helpdesk storefront widget: the one script a shop includes.
 *
 *   <script src="https://desk.example.com/static/widget/widget.js" async></script>
 *
 * GENERATED from static/widget/core/ by scripts/build-widget.mjs (make widget): do not edit.
 */
"use strict";
(() => {
  // static/widget/core/config.js
  var script = (
    /** @type {HTMLScriptElement} */
    document.currentScript || document.querySelector('script[src*="/widget/widget.js"], script[src*="/widget/core/main.js"]')
  );
  var scriptUrl = new URL(script.src, location.href);
  var baseUrl = (script.dataset.desk || scriptUrl.origin).replace(/\/+$/, "");
  var staticUrl = new URL(/\/core\/main\.js$/.test(scriptUrl.pathname) ? "../" : "./", scriptUrl).href;
  var LANGUAGES = ["de", "ja"];
  var language = pickLanguage(script.dataset.lang || navigator.language || "en");
  var TOKEN_KEY = "helpdesk:visitor_token";
  var OUTBOX_KEY = "helpdesk:outbox";
  var TYPING_REPEAT_MS = 3e3;
  var TYPING_IDLE_MS = 4e3;
  var REMOTE_TYPING_MS = 7e3;
  function pickLanguage(tag) {
    const base = String(tag).toLowerCase().split(/[-_]/)[0];
    if (base === "zh") return "zh-hans";
    return LANGUAGES.includes(base) ? base : "en";
  }
  var locale = language === "zh-hans" ? "zh-Hans" : language;

  // static/shared/dom.js
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === void 0 || value === false) continue;
      if (key === "class") node.className = String(value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "text") node.textContent = String(value);
      else if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(
          key.slice(2),
          /** @type {EventListener} */
          value
        );
      } else if (value === true) node.setAttribute(key, "");
      else if (typeof value !== "string" && key in node) {
        /** @type {unknown} */
        node[key] = value;
      } else node.setAttribute(key, String(value));
    }
    append(node, children);
    return node;
  }
  function append(node, children) {
    for (const child of children.flat()) {
      if (child === null || child === void 0 || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  var SVG = "http://www.w3.org/2000/svg";
  function svgIcon(pathData, className = "hd-icon") {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", className);
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", String(pathData));
    svg.append(path);
    return svg;
  }
  function nearBottom(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  // static/shared/href.js
  function safeHref(url, base) {
    if (typeof url !== "string" || !url) return null;
    try {
      const parsed = new URL(url, base || (typeof location === "undefined" ? void 0 : location.href));
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  }

  // static/shared/media.js
  var ALIASES = (
    /** @type {Record<string, string>} */
    {
      "audio/x-wav": "audio/wav",
      "audio/wave": "audio/wav",
      "audio/vnd.wave": "audio/wav",
      "audio/mp3": "audio/mpeg",
      "audio/x-m4a": "audio/mp4",
      "audio/aac": "audio/mp4",
      "application/x-zip-compressed": "application/zip",
      "image/jpg": "image/jpeg"
    }
  );
  function humanSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(bytes >= 10485760 ? 0 : 1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }
  function humanDuration(seconds) {
    const s = Math.round(seconds || 0);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function baseType(type) {
    const base = String(type || "").split(";")[0].trim().toLowerCase();
    if (ALIASES[base]) return ALIASES[base];
    if (/^text\//.test(base) && base !== "text/html") return "text/plain";
    return base;
  }
  function kindOf(type) {
    if (/^image\//.test(type) && type !== "image/svg+xml") return "image";
    if (/^audio\//.test(type)) return "audio";
    if (/^video\//.test(type)) return "video";
    return "file";
  }
  function precheck(limits, file) {
    if (!limits) return null;
    const type = baseType(file.type);
    const max = limits.max_bytes[kindOf(type)] || limits.max_bytes.file;
    if (file.size > max) return { code: "too_large", limit: max };
    if (type && !limits.allowed_types.includes(type)) return { code: "refused" };
    return null;
  }
  function filesFrom(transfer) {
    if (!transfer) return [];
    const files = Array.from(transfer.files || []);
    if (files.length) return files;
    return Array.from(transfer.items || []).filter((item) => item.kind === "file").map((item) => item.getAsFile()).filter((file) => file !== null);
  }
  function carriesFiles(transfer) {
    return !!transfer && Array.from(transfer.types || []).includes("Files");
  }
  function canRecord() {
    return typeof window.MediaRecorder === "function" && !!navigator.mediaDevices;
  }
  function pickMime(video) {
    const options = video ? ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"] : ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return "";
    return options.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  }
  function recordingName(type, video, when = /* @__PURE__ */ new Date()) {
    const extension = /mp4/.test(type) ? video ? ".mp4" : ".m4a" : /ogg/.test(type) ? ".ogg" : ".webm";
    const stamp = when.toISOString().slice(0, 19).replace(/[:T]/g, "-");
    return (video ? "video-" : "voice-") + stamp + extension;
  }
  async function startRecording({ video, maxSeconds, onTick, onDone }) {
    const stream = await navigator.mediaDevices.getUserMedia(
      video ? { audio: true, video: { width: 640 } } : { audio: true }
    );
    const mime = pickMime(video);
    const chunks = [];
    const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : void 0);
    const started = Date.now();
    let cancelled = false;
    const timer = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1e3);
      onTick(seconds);
      if (seconds >= maxSeconds && recorder.state === "recording") recorder.stop();
    }, 250);
    recorder.ondataavailable = (event) => {
      if (event.data && event.data.size) chunks.push(event.data);
    };
    recorder.onstop = () => {
      clearInterval(timer);
      stream.getTracks().forEach((track) => track.stop());
      if (cancelled || !chunks.length) {
        onDone(null);
        return;
      }
      const type = baseType(recorder.mimeType || mime || (video ? "video/webm" : "audio/webm"));
      onDone(new File(chunks, recordingName(type, video), { type }));
    };
    recorder.start(1e3);
    return {
      stream,
      stop: () => recorder.stop(),
      cancel: () => {
        cancelled = true;
        recorder.stop();
      }
    };
  }
  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  var UploadError = class extends Error {
    /**
     * @param {"network" | "refused"} reason
     * @param {string} detail
     */
    constructor(reason, detail) {
      super(detail);
      this.reason = reason;
    }
  };
  function upload({ url, file, headers, onProgress }) {
    const xhr = new XMLHttpRequest();
    const promise = new Promise((resolve, reject) => {
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable && onProgress) onProgress(Math.floor(event.loaded / event.total * 100));
      };
      xhr.onload = () => {
        const data = parseJson(xhr.responseText);
        if (xhr.status === 201 && data) resolve(data);
        else reject(new UploadError("refused", data && data.detail || "HTTP " + xhr.status));
      };
      xhr.onerror = () => reject(new UploadError("network", "network"));
      xhr.onabort = () => reject(null);
      const form = new FormData();
      form.append("file", file, file.name || "file");
      xhr.open("POST", url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.send(form);
    });
    return { promise, abort: () => xhr.abort() };
  }

  // static/shared/rtc.js
  function mediaConstraints(media) {
    return media === "video" ? { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } } : { audio: true, video: false };
  }
  var CallPeer = class {
    /**
     * @param {{
     *   callId: number,
     *   iceServers?: RTCIceServer[],
     *   iceTransportPolicy?: RTCIceTransportPolicy,
     *   stream: MediaStream,
     *   send: (frame: Frame) => boolean,
     *   polite?: boolean,
     *   onState?: (state: string) => void,
     *   onRemote?: (stream: MediaStream) => void,
     * }} options
     */
    constructor(options) {
      this.callId = options.callId;
      this.stream = options.stream;
      this.send = options.send;
      this.polite = Boolean(options.polite);
      this.makingOffer = false;
      this.pending = false;
      this.held = [];
      this.closed = false;
      const pc = new RTCPeerConnection({
        iceServers: options.iceServers || [],
        iceTransportPolicy: options.iceTransportPolicy || "all"
      });
      this.pc = pc;
      for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream);
      pc.onicecandidate = (event) => {
        if (event.candidate && event.candidate.candidate) {
          this.send({ type: "call.candidate", call: this.callId, candidate: event.candidate.toJSON() });
        }
      };
      pc.ontrack = (event) => {
        const remote = event.streams[0] || new MediaStream([event.track]);
        if (options.onRemote) options.onRemote(remote);
      };
      pc.onconnectionstatechange = () => {
        if (options.onState) options.onState(pc.connectionState);
      };
    }
    /** Make an offer and send it: the agent's side once the call is accepted, and either side
     * when its tracks change mid-call (a voice call's camera turned on). */
    async offer() {
      if (this.pc.signalingState !== "stable") {
        this.pending = true;
        return;
      }
      this.makingOffer = true;
      try {
        const offer = await this.pc.createOffer();
        await this.pc.setLocalDescription(offer);
      } finally {
        this.makingOffer = false;
      }
      const local = this.pc.localDescription;
      if (local) this.send({ type: "call.offer", call: this.callId, sdp: local.sdp });
    }
    /**
     * The other side's offer (the first one, or a renegotiation): take it and answer it.
     * @param {string} sdp
     */
    async takeOffer(sdp) {
      const collision = this.makingOffer || this.pc.signalingState !== "stable";
      if (collision) {
        if (!this.polite) return;
        await this.pc.setLocalDescription({ type: "rollback" });
        this.pending = true;
      }
      await this.pc.setRemoteDescription({ type: "offer", sdp });
      await this.flush();
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      const local = this.pc.localDescription;
      if (local) this.send({ type: "call.answer", call: this.callId, sdp: local.sdp });
      await this.again();
    }
    /** @param {string} sdp */
    async takeAnswer(sdp) {
      if (this.pc.signalingState !== "have-local-offer") return;
      await this.pc.setRemoteDescription({ type: "answer", sdp });
      await this.flush();
      await this.again();
    }
    /** A change that waited for an exchange: offer it now. */
    async again() {
      if (!this.pending || this.closed) return;
      this.pending = false;
      await this.offer();
    }
    /**
     * Send video from now on (a voice call's camera turned on): the track joins the call's
     * stream and a new offer goes out.
     * @param {MediaStreamTrack} track
     */
    async addVideo(track) {
      this.stream.addTrack(track);
      this.pc.addTrack(track, this.stream);
      await this.offer();
    }
    /** Whether this side sends video (a camera track, on or off). */
    hasVideo() {
      return this.stream.getVideoTracks().length > 0;
    }
    /** @param {RTCIceCandidateInit} candidate */
    async takeCandidate(candidate) {
      if (!this.pc.remoteDescription) {
        this.held.push(candidate);
        return;
      }
      await this.pc.addIceCandidate(candidate);
    }
    async flush() {
      const held = this.held;
      this.held = [];
      for (const candidate of held) await this.pc.addIceCandidate(candidate);
    }
    /** @param {boolean} muted */
    setMuted(muted) {
      for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
    }
    /** @param {boolean} off */
    setCameraOff(off) {
      for (const track of this.stream.getVideoTracks()) track.enabled = !off;
    }
    /**
     * Media bytes sent and received so far (RTP, every track), from `getStats`.
     * @returns {Promise<{sent: number, received: number}>}
     */
    async bytes() {
      let sent = 0;
      let received = 0;
      const report = await this.pc.getStats();
      report.forEach((entry) => {
        if (entry.type === "outbound-rtp") sent += entry.bytesSent || 0;
        if (entry.type === "inbound-rtp") received += entry.bytesReceived || 0;
      });
      return { sent, received };
    }
    close() {
      if (this.closed) return;
      this.closed = true;
      this.pc.close();
      stopStream(this.stream);
    }
  };
  function stopStream(stream) {
    if (stream) for (const track of stream.getTracks()) track.stop();
  }

  // static/shared/call-session.js
  var END_WORDS = (
    /** @type {Record<string, string>} */
    { timeout: "no_answer", declined: "declined", disconnected: "lost" }
  );
  var CAMERA = { width: { ideal: 640 }, height: { ideal: 480 } };
  var CallSession = class {
    /**
     * @param {{
     *   side: "agent" | "visitor",
     *   send: (frame: Frame) => boolean,
     *   word: (word: string) => string,
     *   duration: (seconds: number) => string,
     *   build: (info: {media: string, conversation: number | null}) => CallView,
     *   mediaError: () => void,
     *   onState?: (state: string) => void,
     *   getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
     * }} options
     */
    constructor(options) {
      this.options = options;
      this.call = null;
      this.finished = /* @__PURE__ */ new Set();
      this.early = /* @__PURE__ */ new Map();
    }
    /** The call now (TypeScript does not narrow a field across an await). */
    current() {
      return this.call;
    }
    /** @param {string} key */
    word(key) {
      return this.options.word(key);
    }
    /**
     * Build the box for a call (ringing here, or placed from here).
     * @param {{id: number | null, conversation: number | null, media: string, caller: string}} info
     * @returns {Call}
     */
    open(info) {
      this.close();
      const view = this.options.build({ media: info.media, conversation: info.conversation });
      view.local.muted = true;
      view.timer.textContent = "0:00";
      view.media.hidden = info.media !== "video";
      view.mute.setAttribute("aria-pressed", "false");
      view.mute.textContent = this.word("mute");
      this.paintCamera(view, info.media === "video");
      view.mute.addEventListener("click", () => this.toggleMute());
      view.camera.addEventListener("click", () => {
        this.toggleCamera().catch((error) => console.error("camera", error));
      });
      view.hangup.addEventListener("click", () => this.hangUp());
      view.accept.addEventListener("click", () => {
        this.accept().catch((error) => console.error("accept", error));
      });
      view.decline.addEventListener("click", () => {
        if (this.call && this.call.id !== null) this.options.send({ type: "call.decline", call: this.call.id });
      });
      this.call = {
        id: info.id,
        conversation: info.conversation,
        media: info.media,
        caller: info.caller,
        state: "",
        iceServers: [],
        icePolicy: "all",
        stream: null,
        peer: null,
        view,
        connectedAt: 0,
        tick: void 0,
        fallback: void 0
      };
      return this.call;
    }
    /**
     * @param {string} state
     * @param {string} [text]
     */
    setState(state2, text) {
      const call = this.call;
      if (!call) return;
      call.state = state2;
      call.view.box.dataset.state = state2;
      if (text !== void 0) call.view.status.textContent = text;
      call.view.ringButtons.hidden = state2 !== "ringing";
      call.view.controls.hidden = state2 === "ringing" || state2 === "ended";
      if (this.options.onState) this.options.onState(state2);
    }
    /** Remove the box and drop the call (no frame sent). */
    close() {
      const call = this.call;
      if (!call) return;
      this.release(call);
      call.view.box.remove();
      this.call = null;
    }
    /** @param {Call} call */
    release(call) {
      if (call.peer) call.peer.close();
      else stopStream(call.stream);
      clearInterval(call.tick);
      clearTimeout(call.fallback);
    }
    /**
     * @param {CallView} view
     * @param {boolean} on the camera sends
     */
    paintCamera(view, on) {
      view.camera.setAttribute("aria-pressed", String(!on));
      view.camera.textContent = this.word(on ? "camera_off" : "camera_on");
    }
    /** @param {MediaStreamConstraints} constraints */
    devices(constraints) {
      return this.options.getUserMedia ? this.options.getUserMedia(constraints) : navigator.mediaDevices.getUserMedia(constraints);
    }
    /** @param {string} media */
    async getMedia(media) {
      try {
        return await this.devices(mediaConstraints(media));
      } catch {
        this.options.mediaError();
        return null;
      }
    }
    /** @param {Call} call */
    showLocal(call) {
      if (call.stream && call.stream.getVideoTracks().length) {
        call.view.local.srcObject = call.stream;
        call.view.media.hidden = false;
      }
    }
    /**
     * @param {Call} call
     * @param {MediaStream} stream
     */
    showRemote(call, stream) {
      const remote = call.view.remote;
      if (remote.srcObject === stream) remote.srcObject = null;
      remote.srcObject = stream;
      remote.play().catch(() => {
      });
      if (stream.getVideoTracks().length) {
        call.view.media.hidden = false;
        call.view.box.dataset.remoteVideo = "1";
      }
    }
    /**
     * This side places a call: the box says "calling…", the devices are asked for, the invite
     * goes out. Returns "invited", "unsent" (no socket) or "none" (a call already, or no
     * camera or microphone).
     * @param {{conversation: number, media: string}} info
     */
    async place(info) {
      if (this.call) return "none";
      this.open({ id: null, conversation: info.conversation, media: info.media, caller: this.options.side });
      this.setState("calling", this.word("calling"));
      const stream = await this.getMedia(info.media);
      const live = this.current();
      if (!live || live.id !== null || !stream) {
        if (live && live.id === null) this.close();
        stopStream(stream);
        return "none";
      }
      live.stream = stream;
      this.showLocal(live);
      if (!this.options.send({ type: "call.invite", conversation: info.conversation, media: info.media })) {
        this.close();
        return "unsent";
      }
      return "invited";
    }
    /**
     * A call rings here (`call.ring`): the box with Accept / Decline. False when this page
     * already has a call or saw this one end.
     * @param {{id: number, conversation: number, media: string, caller: string}} info
     * @param {string} text
     */
    ring(info, text) {
      if (this.finished.has(info.id) || this.call) return false;
      this.open({ id: info.id, conversation: info.conversation, media: info.media, caller: info.caller });
      this.setState("ringing", text);
      return true;
    }
    /** `call.busy`: a call being placed from here will not ring. */
    giveUp() {
      if (this.call && this.call.id === null) this.close();
    }
    async accept() {
      const call = this.call;
      if (!call || call.id === null || call.state !== "ringing") return;
      const id = call.id;
      this.setState("connecting", this.word("connecting"));
      const stream = await this.getMedia(call.media);
      const live = this.current();
      if (!live || live.id !== id || !stream) {
        stopStream(stream);
        if (live && live.id === id) this.options.send({ type: "call.decline", call: id });
        return;
      }
      live.stream = stream;
      this.showLocal(live);
      this.options.send({ type: "call.accept", call: id });
    }
    hangUp() {
      const call = this.call;
      if (!call) return;
      if (call.id !== null) this.options.send({ type: "call.hangup", call: call.id });
      else this.close();
    }
    toggleMute() {
      const call = this.call;
      if (!call || !call.peer) return;
      const on = call.view.mute.getAttribute("aria-pressed") !== "true";
      call.peer.setMuted(on);
      call.view.mute.setAttribute("aria-pressed", String(on));
      call.view.mute.textContent = this.word(on ? "unmute" : "mute");
    }
    /** Camera off and on; in a voice call, on adds the camera (a new offer / answer). */
    async toggleCamera() {
      const call = this.call;
      if (!call || !call.peer) return;
      const view = call.view;
      if (call.peer.hasVideo()) {
        const off = view.camera.getAttribute("aria-pressed") !== "true";
        call.peer.setCameraOff(off);
        this.paintCamera(view, !off);
        return;
      }
      let camera;
      try {
        camera = await this.devices({ audio: false, video: CAMERA });
      } catch {
        this.options.mediaError();
        return;
      }
      const track = camera.getVideoTracks()[0];
      const peer = call.peer;
      if (!track || this.call !== call || !peer || peer.closed || peer.hasVideo()) {
        stopStream(camera);
        return;
      }
      this.paintCamera(view, true);
      view.box.dataset.localVideo = "1";
      await peer.addVideo(track);
      this.showLocal(call);
    }
    /** Both sides said yes: the peer starts (the agent's side offers, the shopper's answers). */
    startPeer() {
      const call = this.call;
      if (!call || call.id === null || !call.stream || call.peer) return;
      const id = call.id;
      this.setState("connecting", this.word("connecting"));
      const peer = new CallPeer({
        callId: id,
        iceServers: call.iceServers,
        iceTransportPolicy: call.icePolicy,
        stream: call.stream,
        send: this.options.send,
        polite: this.options.side === "visitor",
        onRemote: (stream) => this.showRemote(call, stream),
        onState: (state2) => {
          if (this.call !== call) return;
          if (state2 === "connected" && call.state !== "connected") {
            call.connectedAt = Date.now();
            this.setState("connected", this.word("connected"));
            call.tick = setInterval(() => {
              this.tick(call).catch(() => {
              });
            }, 1e3);
          } else if (state2 === "failed") {
            this.setState("connecting", this.word("connecting"));
          }
        }
      });
      call.peer = peer;
      for (const candidate of this.early.get(id) || []) peer.takeCandidate(candidate).catch(() => {
      });
      this.early.delete(id);
      if (this.options.side === "agent") peer.offer().catch((error) => console.error("call offer failed", error));
    }
    /**
     * Once a second: the timer, and the bytes flowing (getStats).
     * @param {Call} call
     */
    async tick(call) {
      call.view.timer.textContent = this.options.duration((Date.now() - call.connectedAt) / 1e3);
      if (!call.peer) return;
      try {
        const bytes = await call.peer.bytes();
        call.view.box.dataset.bytesSent = String(bytes.sent);
        call.view.box.dataset.bytesReceived = String(bytes.received);
      } catch {
      }
    }
    /**
     * `call.ended`: the box says why, then goes.
     * @param {{id: number, end_reason?: string | null}} ended
     */
    end(ended) {
      this.finished.add(ended.id);
      this.early.delete(ended.id);
      const call = this.call;
      if (!call || call.id !== ended.id) return;
      this.release(call);
      this.setState("ended", this.word(END_WORDS[ended.end_reason || ""] || "ended"));
      this.call = null;
      setTimeout(() => call.view.box.remove(), 4e3);
    }
    /**
     * The call frames both UIs handle alike (`call.ring` and `call.busy` are each UI's).
     * @param {Frame} frame
     */
    onFrame(frame) {
      const info = frame.call && typeof frame.call === "object" ? frame.call : null;
      const call = this.call;
      switch (frame.type) {
        case "call.invited":
          if (!info || !call || call.id !== null) return;
          if (call.conversation !== null && info.conversation !== call.conversation) return;
          call.id = info.id;
          call.iceServers = frame.ice_servers || [];
          call.icePolicy = frame.ice_transport_policy === "relay" ? "relay" : "all";
          call.fallback = setTimeout(() => this.hangUp(), ((frame.ring_seconds || 45) + 10) * 1e3);
          return;
        case "call.accepted":
          if (!info || !call || call.id !== info.id) return;
          if (call.caller === this.options.side || frame.ice_servers) {
            if (frame.ice_servers) call.iceServers = frame.ice_servers;
            if (frame.ice_servers) call.icePolicy = frame.ice_transport_policy === "relay" ? "relay" : "all";
            clearTimeout(call.fallback);
            this.startPeer();
          } else {
            this.close();
          }
          return;
        case "call.offer":
          if (call && call.peer && call.id === frame.call) call.peer.takeOffer(String(frame.sdp)).catch((e) => console.error("call offer", e));
          return;
        case "call.answer":
          if (call && call.peer && call.id === frame.call) call.peer.takeAnswer(String(frame.sdp)).catch((e) => console.error("call answer", e));
          return;
        case "call.candidate":
          if (!call || call.id !== frame.call) return;
          if (call.peer) call.peer.takeCandidate(frame.candidate).catch(() => {
          });
          else this.early.set(frame.call, (this.early.get(frame.call) || []).concat([frame.candidate]));
          return;
        case "call.ended":
          if (info) this.end(info);
          return;
        default:
      }
    }
  };

  // static/shared/ids.js
  function clientId(prefix) {
    const crypto = globalThis.crypto;
    if (crypto && typeof crypto.randomUUID === "function") return prefix + crypto.randomUUID();
    return prefix + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  // static/shared/outbox.js
  function memoryStore() {
    return { load: () => [], save: () => {
    } };
  }
  function localStore(key, storage) {
    return {
      load() {
        try {
          const target = storage || window.localStorage;
          return JSON.parse(target.getItem(key) || "[]");
        } catch {
          return [];
        }
      },
      save(items) {
        try {
          const target = storage || window.localStorage;
          if (items.length) target.setItem(key, JSON.stringify(items));
          else target.removeItem(key);
        } catch {
        }
      }
    };
  }
  var Outbox = class _Outbox {
    /** @param {OutboxStore} [store] */
    constructor(store = memoryStore()) {
      this.store = store;
      const loaded = store.load();
      this.items = Array.isArray(loaded) ? loaded.filter((item) => item && typeof item.client_id === "string") : [];
    }
    /** @param {OutboxItem} item */
    add(item) {
      if (this.has(item.client_id)) return;
      this.items.push(item);
      this.store.save(this.items);
    }
    /** @param {string | null | undefined} clientId */
    has(clientId2) {
      return !!clientId2 && this.items.some((item) => item.client_id === clientId2);
    }
    /**
     * @param {string | null | undefined} clientId
     * @returns {OutboxItem | undefined}
     */
    get(clientId2) {
      return this.items.find((item) => item.client_id === clientId2);
    }
    /**
     * The entry was acknowledged (or refused for good): it is never sent again.
     * @param {string | null | undefined} clientId
     * @returns {boolean} whether it was waiting
     */
    remove(clientId2) {
      const before = this.items.length;
      this.items = this.items.filter((item) => item.client_id !== clientId2);
      if (this.items.length === before) return false;
      this.store.save(this.items);
      return true;
    }
    clear() {
      this.items = [];
      this.store.save(this.items);
    }
    get size() {
      return this.items.length;
    }
    /**
     * The `message.send` frame of an entry. `conversation` fills a missing conversation (the
     * shopper's first message opens one; later messages go to the current one).
     * @param {OutboxItem} item
     * @param {number | null} [conversation]
     * @returns {{type: "message.send", client_id: string, [field: string]: unknown}}
     */
    static frame(item, conversation) {
      const frame = { ...item, type: "message.send" };
      if (conversation && !frame.conversation) frame.conversation = conversation;
      return frame;
    }
    /**
     * Send every waiting entry again, oldest first (after a reconnect, or when the server asked
     * to slow down). Returns how many went out.
     * @param {(frame: {type: "message.send", client_id: string, [field: string]: unknown}) => boolean} send
     * @param {number | null} [conversation]
     */
    flush(send2, conversation) {
      let sent = 0;
      for (const item of this.items) if (send2(_Outbox.frame(item, conversation))) sent += 1;
      return sent;
    }
  };

  // static/shared/time.js
  var HOUR_MINUTE = (
    /** @type {const} */
    { hour: "2-digit", minute: "2-digit" }
  );
  function formatTime(iso, options = {}) {
    if (!iso) return "";
    const date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    const locale3 = options.locale || void 0;
    const time = date.toLocaleTimeString(locale3, HOUR_MINUTE);
    if (!options.dateIfNotToday) return time;
    const now = options.now || /* @__PURE__ */ new Date();
    if (date.toDateString() === now.toDateString()) return time;
    return date.toLocaleDateString(locale3, { month: "short", day: "numeric" }) + " " + time;
  }

  // static/widget/core/part-files.js
  function partName(path) {
    return (path.split("/").pop() || "").replace(/\.js$/, "").replace(/^\d+-/, "");
  }
  function partWanted(name, allow) {
    return allow.includes(name) || allow.includes(name.split("-")[0]);
  }

  // static/widget/core/slots.js
  var slots = (
    /** @type {any} */
    {}
  );

  // static/shared/backoff.js
  function backoffDelay(attempt, options = {}) {
    const baseMs = options.baseMs ?? 500;
    const maxMs = options.maxMs ?? 3e4;
    const random = options.random ?? Math.random;
    const exponent = Math.min(Math.max(attempt, 1), 30);
    const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
    return ceiling / 2 + random() * (ceiling / 2);
  }
  var Backoff = class {
    /** @param {BackoffOptions} [options] */
    constructor(options = {}) {
      this.options = options;
      this.attempts = 0;
    }
    /** @returns {number} milliseconds to wait before the next attempt */
    next() {
      this.attempts += 1;
      return backoffDelay(this.attempts, this.options);
    }
    /** A success: the next failure starts from the shortest delay again. */
    reset() {
      this.attempts = 0;
    }
  };

  // static/shared/socket.js
  var CLIENT_CLOSE = 4e3;
  var SocketClient = class {
    /** @param {SocketClientOptions} options */
    constructor(options) {
      this.options = options;
      this.pingMs = options.pingMs ?? 25e3;
      this.pongTimeoutMs = options.pongTimeoutMs ?? 1e4;
      this.backoff = new Backoff(options.backoff);
      this.ws = null;
      this.state = "closed";
      this.queue = [];
      this.stopped = true;
      this.reconnectTimer = null;
      this.pingTimer = null;
      this.pongTimer = null;
      const online = options.online ?? (typeof window === "undefined" ? null : window);
      if (online) online.addEventListener("online", () => this.connectSoon(0));
    }
    get ready() {
      return this.state === "ready";
    }
    /** Open the socket (and keep it open until `stop`). */
    start() {
      this.stopped = false;
      this.connect();
    }
    /**
     * `start` after `delay` ms, or sooner: a pending reconnect is moved to then (the widget
     * opens its socket only once there is something to talk about).
     * @param {number} delay
     */
    startSoon(delay) {
      this.stopped = false;
      this.connectSoon(delay);
    }
    /** Close for good: no reconnect. */
    stop() {
      this.stopped = true;
      this.clearTimers();
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close(1e3, "stopped");
      this.setState("closed");
    }
    connect() {
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      if (this.stopped) return;
      if (this.options.canConnect && !this.options.canConnect()) return;
      const current = this.ws;
      if (current && (current.readyState === 0 || current.readyState === 1)) return;
      const Impl = this.options.WebSocketImpl ?? WebSocket;
      const ws = new Impl(this.options.url());
      this.ws = ws;
      this.setState("connecting");
      ws.onopen = () => {
        if (ws !== this.ws) return;
        const hello = this.options.hello ? this.options.hello() : null;
        if (hello) ws.send(JSON.stringify(hello));
      };
      ws.onmessage = (event) => {
        if (ws !== this.ws) return;
        this.clearPongTimer();
        let frame;
        try {
          frame = JSON.parse(String(event.data));
        } catch {
          return;
        }
        if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
        if (frame.type === "ready") this.becomeReady();
        this.options.onFrame(frame);
      };
      ws.onclose = (event) => {
        if (ws !== this.ws) return;
        this.closed({ code: event.code, reason: event.reason }, null);
      };
    }
    /**
     * The socket is gone: tell the caller, then reconnect after `delay` (null: the backoff).
     * @private
     * @param {{code: number, reason?: string}} event
     * @param {number | null} delay
     */
    closed(event, delay) {
      this.ws = null;
      this.clearTimers();
      this.setState("closed");
      const handled = this.options.onClose ? this.options.onClose(event) : void 0;
      if (handled === false || this.stopped) return;
      this.connectSoon(delay ?? this.backoff.next());
    }
    /**
     * Stop listening to the current socket at once and close it. A dead connection's closing
     * handshake can take long, so the client does not wait for its `close` event.
     * @private
     * @param {string} reason
     * @param {number | null} delay before the reconnect (null: the backoff)
     */
    abandon(reason, delay) {
      const ws = this.ws;
      if (!ws) return false;
      this.ws = null;
      try {
        ws.close(CLIENT_CLOSE, reason);
      } catch {
      }
      this.closed({ code: CLIENT_CLOSE, reason }, delay);
      return true;
    }
    /** @param {number} delay milliseconds */
    connectSoon(delay) {
      if (this.stopped) return;
      if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    }
    /** Drop the current socket and connect again now (a new session, a new identity). */
    reconnectNow() {
      this.backoff.reset();
      if (!this.abandon("reconnect", 0)) this.connectSoon(0);
    }
    /**
     * Lose the socket as a dead network would; the client reconnects by itself (backoff).
     * @param {string} [reason]
     */
    drop(reason = "dropped") {
      this.abandon(reason, null);
    }
    /**
     * Send a frame now. False when the socket is not ready: the frame is dropped, unless
     * `queueWhileOffline` keeps it for after the next `ready`.
     * @param {Frame} frame
     * @returns {boolean}
     */
    send(frame) {
      const ws = this.ws;
      if (ws && this.state === "ready" && ws.readyState === 1) {
        ws.send(JSON.stringify(frame));
        return true;
      }
      if (this.options.queueWhileOffline && this.options.queueWhileOffline(frame)) {
        this.queue.push(frame);
      }
      return false;
    }
    /** @private */
    becomeReady() {
      this.backoff.reset();
      this.setState("ready");
      for (const frame of this.queue.splice(0)) this.send(frame);
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.ping(), this.pingMs);
    }
    /** @private */
    ping() {
      if (!this.send({ type: "ping" })) return;
      if (this.pongTimer) return;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null;
        this.drop("pong timeout");
      }, this.pongTimeoutMs);
    }
    /** @private */
    clearPongTimer() {
      if (this.pongTimer) clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    /** @private */
    clearTimers() {
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      this.clearPongTimer();
    }
    /**
     * @private
     * @param {SocketState} state
     */
    setState(state2) {
      if (this.state === state2) return;
      this.state = state2;
      if (this.options.onState) this.options.onState(state2);
    }
  };

  // static/shared/receipts.js
  var Receipts = class {
    constructor() {
      this.delivered = 0;
      this.read = 0;
    }
    /**
     * Take a `receipt` frame's cursors (or a conversation payload's); a stale or reordered one
     * never moves a cursor back.
     * @param {number | null | undefined} delivered
     * @param {number | null | undefined} read
     * @returns {boolean} whether anything moved
     */
    merge(delivered, read) {
      const nextDelivered = Math.max(this.delivered, delivered || 0);
      const nextRead = Math.max(this.read, read || 0);
      const moved = nextDelivered !== this.delivered || nextRead !== this.read;
      this.delivered = nextDelivered;
      this.read = nextRead;
      return moved;
    }
    /**
     * The tick of this side's own stored message `seq`.
     * @param {number} seq
     * @returns {TickState}
     */
    stateOf(seq2) {
      if (seq2 <= this.read) return "read";
      if (seq2 <= this.delivered) return "delivered";
      return "sent";
    }
    reset() {
      this.delivered = 0;
      this.read = 0;
    }
  };
  var ReadCursor = class {
    /** @param {number} [sent] */
    constructor(sent = 0) {
      this.sent = sent;
    }
    /**
     * @param {number} seq the highest seq this side has now seen
     * @returns {boolean} a `read` frame for `seq` is due
     */
    due(seq2) {
      return seq2 > this.sent;
    }
    /**
     * The `read` frame for `seq` went out (or the server already knew it).
     * @param {number} seq
     */
    mark(seq2) {
      if (seq2 > this.sent) this.sent = seq2;
    }
    reset(sent = 0) {
      this.sent = sent;
    }
  };

  // static/shared/seq.js
  var SeqCursor = class {
    /** @param {number} [last] every seq up to this one is already held */
    constructor(last = 0) {
      this.last = last;
      this.ahead = /* @__PURE__ */ new Set();
    }
    /**
     * What a message with this seq would be, without recording it.
     * @param {number} seq
     * @returns {SeqVerdict}
     */
    classify(seq2) {
      if (seq2 <= this.last || this.ahead.has(seq2)) return "duplicate";
      return seq2 === this.last + 1 ? "next" : "gap";
    }
    /**
     * Record a held message. Returns the verdict it had before being recorded; a "gap" message
     * is kept aside until the hole before it is filled (or `settle` closes it).
     * @param {number} seq
     * @returns {SeqVerdict}
     */
    accept(seq2) {
      const verdict = this.classify(seq2);
      if (verdict === "next") {
        this.last = seq2;
        this.absorb();
      } else if (verdict === "gap") {
        this.ahead.add(seq2);
      }
      return verdict;
    }
    /**
     * The server replayed everything up to `lastSeq` (`resume.done`): what is still missing
     * below it does not exist for this client (private notes), so the hole is closed.
     * @param {number} lastSeq
     */
    settle(lastSeq) {
      if (lastSeq > this.last) this.last = lastSeq;
      for (const seq2 of this.ahead) if (seq2 <= this.last) this.ahead.delete(seq2);
      this.absorb();
    }
    /** @returns {boolean} a message is held beyond a missing one */
    hasGap() {
      return this.ahead.size > 0;
    }
    /** Forget everything (another conversation). */
    reset(last = 0) {
      this.last = last;
      this.ahead.clear();
    }
    /** @private */
    absorb() {
      while (this.ahead.has(this.last + 1)) {
        this.ahead.delete(this.last + 1);
        this.last += 1;
      }
    }
  };

  // static/shared/storage.js
  function storageGet(key, area = "local") {
    try {
      return (area === "session" ? window.sessionStorage : window.localStorage).getItem(key);
    } catch {
      return null;
    }
  }
  function storageSet(key, value, area = "local") {
    try {
      const storage = area === "session" ? window.sessionStorage : window.localStorage;
      if (value === null) storage.removeItem(key);
      else storage.setItem(key, value);
    } catch {
    }
  }

  // static/widget/core/state.js
  var state = {
    /** @type {Record<string, string>} server strings (from /api/widget/config) */
    strings: {},
    /**
     * Server limits (from /api/widget/config); a message over them fails at once instead of
     * sitting in the outbox forever.
     */
    limits: { max_body_chars: 1e4, max_frame_bytes: 65536 },
    /** @type {import("./types").Session | null} the last POST /api/widget/session response */
    session: null,
    /** @type {Conversation | null} */
    conversation: null,
    /** @type {string | null} */
    token: storageGet(TOKEN_KEY),
    /** @type {import("./types").Identity | null} a verified customer to claim */
    identity: null,
    /** @type {"online" | "connecting" | "offline"} */
    connection: "offline",
    unread: 0,
    resumeInFlight: false,
    started: false,
    built: false,
    connectedOnce: false
  };
  var outbox = new Outbox(localStore(OUTBOX_KEY));
  var seq = new SeqCursor();
  var receipts = new Receipts();
  var readCursor = new ReadCursor();
  var bySeq = /* @__PURE__ */ new Map();
  var byClientId = /* @__PURE__ */ new Map();

  // static/widget/core/socket.js
  var handlers = { frame() {
  }, state() {
  }, close() {
  } };
  function socketHandlers(given) {
    Object.assign(handlers, given);
  }
  var client = new SocketClient({
    url: () => baseUrl.replace(/^http/, "ws") + "/ws/visitor/",
    canConnect: () => !!state.token,
    hello: () => ({ type: "auth", token: state.token }),
    onFrame: (frame) => handlers.frame(frame),
    onState: (socketState) => handlers.state(socketState),
    onClose: (event) => handlers.close(event)
  });
  function isReady() {
    return client.ready;
  }
  function send(frame) {
    return client.send(frame);
  }
  function connect() {
    client.start();
  }
  function connectSoon(delay) {
    client.startSoon(delay);
  }
  function reconnectNow() {
    if (client.stopped) client.start();
    else client.reconnectNow();
  }
  function resume() {
    if (!state.conversation || !client.ready) return;
    state.resumeInFlight = true;
    send({ type: "resume", conversation: state.conversation.id, after_seq: seq.last });
  }

  // static/shared/i18n.js
  function interpolate(format, params) {
    if (!params) return format;
    if (Array.isArray(params)) {
      let index = 0;
      return format.replace(/%s/g, (match) => index < params.length ? String(params[index++]) : match);
    }
    return format.replace(
      /%\((\w+)\)[sd]/g,
      (match, name) => params[name] === void 0 ? match : String(params[name])
    );
  }

  // static/widget/core/strings.js
  var partStrings = {};
  function t(key, params) {
    let text = state.strings[key];
    if (text === void 0) {
      const own = partStrings[language] || {};
      text = own[key] !== void 0 ? own[key] : (partStrings.en || {})[key];
    }
    if (text === void 0) text = key;
    return params ? interpolate(text, params) : text;
  }

  // static/widget/core/parts.js
  var api = (
    /** @type {any} */
    null
  );
  function partsApi(given) {
    api = given;
  }
  var parts = [];
  var listeners = {};
  function safe(fn) {
    try {
      return fn();
    } catch (error) {
      if (window.console) console.error("[helpdesk widget]", error);
      return void 0;
    }
  }
  function emit(event, payload) {
    for (const fn of listeners[event] || []) safe(() => fn(payload, api));
  }
  function callParts(hook, ...args) {
    for (const part of parts) callPart(part, hook, ...args);
  }
  function callPart(part, hook, ...args) {
    const fn = (
      /** @type {Record<string, unknown>} */
      /** @type {unknown} */
      part[hook]
    );
    return typeof fn === "function" ? safe(() => fn.call(part, ...args, api)) : void 0;
  }
  function installPart(part) {
    if (part.styles) {
      slots.root.append(el("style", { "data-part": part.name }, String(part.styles)));
    }
    for (const button of part.composerButtons || []) {
      const label = t(button.label || button.id || part.name);
      slots.tools.append(
        el(
          "button",
          {
            type: "button",
            class: "hd-tool",
            "data-testid": "hd-tool-" + (button.id || part.name),
            "aria-label": label,
            title: label,
            onclick: (event) => safe(() => button.onClick(api, event))
          },
          button.iconPath ? svgIcon(button.iconPath) : button.icon || "•"
        )
      );
    }
    if (typeof part.onReady === "function") safe(() => part.onReady?.(api));
    const session = state.session;
    if (session && typeof part.onSession === "function") safe(() => part.onSession?.(session, api));
    if (isReady() && typeof part.onConnect === "function") {
      safe(() => part.onConnect?.({ type: "ready", conversation: state.conversation }, api));
    }
  }
  function register(part) {
    if (!part || typeof part.name !== "string" || parts.some((p) => p.name === part.name)) return;
    parts.push(part);
    for (const [lang, table] of Object.entries(part.strings || {})) {
      partStrings[lang] = Object.assign(partStrings[lang] || {}, table);
    }
    if (state.built) installPart(part);
  }
  function loadParts(urls) {
    const wanted = (script.dataset.parts || "").trim();
    if (wanted === "none") return Promise.resolve();
    const allow = wanted ? wanted.split(",").map((s) => s.trim()) : null;
    const loads = [];
    for (const path of urls || []) {
      const name = partName(path);
      if (allow && !partWanted(name, allow)) continue;
      const tag = document.createElement("script");
      tag.src = new URL(path, baseUrl + "/").href;
      tag.async = false;
      tag.dataset.helpdeskPart = name;
      loads.push(
        new Promise((resolve) => {
          tag.onload = resolve;
          tag.onerror = resolve;
        })
      );
      document.head.append(tag);
    }
    return Promise.all(loads);
  }

  // static/widget/core/panel.js
  var actions = { submit() {
  }, keystroke() {
  }, read() {
  }, opened() {
  } };
  function panelActions(given) {
    Object.assign(actions, given);
  }
  function build() {
    const host = el("div", { id: "helpdesk-widget" });
    const root = host.attachShadow({ mode: "open" });
    root.append(el("link", { rel: "stylesheet", href: staticUrl + "widget.css" }));
    slots.root = root;
    slots.host = host;
    slots.unread = el("span", {
      class: "hd-badge",
      "data-testid": "hd-unread",
      hidden: true,
      "aria-hidden": "true"
    });
    slots.launcher = el(
      "button",
      {
        type: "button",
        class: "hd-launcher",
        "data-testid": "hd-launcher",
        "aria-label": t("Open chat"),
        "aria-expanded": "false",
        "aria-controls": "hd-panel",
        onclick: () => isOpen() ? close() : open()
      },
      el("span", { class: "hd-launcher-icon", "aria-hidden": "true" }),
      slots.unread
    );
    slots.title = el("div", { class: "hd-title", "data-testid": "hd-title" }, t("Chat with us"));
    slots.status = el(
      "div",
      { class: "hd-status", "data-testid": "hd-status", "aria-live": "polite" },
      t("We typically reply in a few minutes")
    );
    slots.avatar = el("div", { class: "hd-avatar", "aria-hidden": "true" });
    slots.avatarIcon = el("span", { class: "hd-launcher-icon hd-avatar-icon" });
    slots.avatar.append(slots.avatarIcon);
    slots.closeButton = el(
      "button",
      {
        type: "button",
        class: "hd-close",
        "data-testid": "hd-close",
        "aria-label": t("Close chat"),
        onclick: () => close()
      },
      "×"
    );
    slots.header = el(
      "header",
      { class: "hd-header" },
      slots.avatar,
      el("div", { class: "hd-heading" }, slots.title, slots.status),
      slots.closeButton
    );
    slots.banner = el("div", { class: "hd-banner" });
    slots.messages = el("div", {
      class: "hd-messages",
      "data-testid": "hd-messages",
      role: "log",
      "aria-live": "polite",
      "aria-label": t("Messages"),
      tabindex: "0"
    });
    slots.welcome = el(
      "div",
      { class: "hd-welcome" },
      el("strong", {}, t("Hi there!")),
      el("p", {}, t("Ask us anything about products, orders or delivery."))
    );
    slots.messages.append(slots.welcome);
    slots.typing = el(
      "div",
      { class: "hd-typing", "data-testid": "hd-typing", hidden: true, "aria-live": "polite" },
      el("span", { class: "hd-dots", "aria-hidden": "true" }, el("i"), el("i"), el("i")),
      el("span", { class: "hd-typing-text" })
    );
    slots.footer = el("div", { class: "hd-footer" });
    slots.tools = el("div", { class: "hd-tools" });
    slots.input = el("textarea", {
      class: "hd-input",
      "data-testid": "hd-input",
      rows: "1",
      maxlength: String(state.limits.max_body_chars),
      placeholder: t("Type a message…"),
      "aria-label": t("Message")
    });
    slots.sendButton = el(
      "button",
      {
        type: "submit",
        class: "hd-send",
        "data-testid": "hd-send",
        "aria-label": t("Send"),
        title: t("Send")
      },
      el("span", { "aria-hidden": "true" }, "➤")
    );
    slots.composer = el(
      "form",
      { class: "hd-composer", "data-testid": "hd-composer" },
      slots.tools,
      slots.input,
      slots.sendButton
    );
    slots.powered = el("div", { class: "hd-powered" }, t("Powered by Helpdesk"));
    slots.panel = el(
      "section",
      {
        id: "hd-panel",
        class: "hd-panel",
        "data-testid": "hd-panel",
        role: "dialog",
        "aria-label": t("Chat with us"),
        hidden: true,
        "data-connection": state.connection,
        lang: locale
      },
      slots.header,
      slots.banner,
      slots.messages,
      slots.typing,
      slots.footer,
      slots.composer,
      slots.powered
    );
    root.append(slots.panel, slots.launcher);
    slots.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      actions.submit();
    });
    slots.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        actions.submit();
      }
    });
    slots.input.addEventListener("input", () => {
      autosize();
      actions.keystroke();
    });
    slots.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        close();
        slots.launcher.focus();
      }
    });
    document.addEventListener("visibilitychange", () => actions.read());
    (document.body || document.documentElement).append(host);
    state.built = true;
    for (const part of parts) installPart(part);
  }
  function autosize() {
    const input = slots.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }
  function setConnection(value) {
    state.connection = value;
    if (slots.panel) slots.panel.dataset.connection = value;
    if (value === "online") removeNotice("connection");
    else if (state.connectedOnce && value === "offline")
      addSystemNotice(t("Connection lost. Reconnecting…"), { id: "connection" });
  }
  function isOpen() {
    return !!(slots.panel && !slots.panel.hidden);
  }
  function open() {
    if (!slots.panel || isOpen()) return;
    slots.panel.hidden = false;
    slots.launcher.setAttribute("aria-expanded", "true");
    slots.launcher.setAttribute("aria-label", t("Close chat"));
    slots.launcher.classList.add("hd-open");
    scrollToEnd();
    slots.input.focus();
    setUnread(0);
    actions.opened();
    callParts("onOpen");
    emit("open");
  }
  function close() {
    if (!isOpen()) return;
    slots.panel.hidden = true;
    slots.launcher.setAttribute("aria-expanded", "false");
    slots.launcher.setAttribute("aria-label", t("Open chat"));
    slots.launcher.classList.remove("hd-open");
    callParts("onClose");
    emit("close");
  }
  function setUnread(count) {
    state.unread = count;
    if (!slots.unread) return;
    slots.unread.textContent = count > 9 ? "9+" : String(count);
    slots.unread.hidden = count === 0;
    slots.launcher.setAttribute(
      "aria-label",
      isOpen() ? t("Close chat") : count ? t("Open chat (%(n)s unread)", { n: count }) : t("Open chat")
    );
  }
  function scrollToEnd() {
    const list = slots.messages;
    if (list) list.scrollTop = list.scrollHeight;
  }
  function atEnd() {
    return nearBottom(slots.messages);
  }
  function addSystemNotice(content, options) {
    const opts = options || {};
    if (!slots.messages) return null;
    if (opts.id) removeNotice(opts.id);
    const notice = el(
      "div",
      {
        class: "hd-notice",
        role: "status",
        "data-testid": "hd-notice",
        dataset: opts.id ? { noticeId: opts.id } : {}
      },
      content
    );
    const stick = atEnd();
    slots.messages.append(notice);
    if (stick) scrollToEnd();
    if (opts.timeout) setTimeout(() => notice.remove(), opts.timeout);
    return notice;
  }
  function removeNotice(id) {
    if (!slots.messages) return;
    for (const node of slots.messages.querySelectorAll(".hd-notice")) {
      if (
        /** @type {HTMLElement} */
        node.dataset.noticeId === id
      ) node.remove();
    }
  }

  // static/widget/core/header.js
  var remoteTypingTimer;
  var statusNote = null;
  function setHeaderStatus(text) {
    statusNote = text || null;
    updateHeader();
  }
  function updateHeader() {
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
  function showRemoteTyping(frame) {
    clearTimeout(remoteTypingTimer);
    if (!frame.on) {
      slots.typing.hidden = true;
      return;
    }
    const name = frame.sender && frame.sender.name || t("Support");
    const text = (
      /** @type {HTMLElement} */
      slots.typing.querySelector(".hd-typing-text")
    );
    text.textContent = t("%(name)s is typing…", { name });
    const stick = atEnd();
    slots.typing.hidden = false;
    if (stick) scrollToEnd();
    remoteTypingTimer = setTimeout(() => slots.typing.hidden = true, REMOTE_TYPING_MS);
  }

  // static/widget/core/read.js
  var readTimer = null;
  function sendRead() {
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

  // static/widget/core/messages.js
  var locale2 = language === "zh-hans" ? "zh-CN" : language === "en" ? void 0 : language;
  function bubbleFor(message, pending) {
    const sender = message.sender && message.sender.kind || "visitor";
    const own = sender === "visitor";
    const body = el("div", { class: "hd-body", "data-testid": "hd-message-body" });
    const bubble = el("div", {
      class: "hd-message hd-from-" + sender + (own ? " hd-own" : ""),
      "data-testid": "hd-message",
      "data-seq": pending ? "" : String(message.seq),
      "data-client-id": message.client_id || "",
      "data-conversation": pending ? "" : String(message.conversation || ""),
      "data-sender": sender,
      "data-kind": message.kind || "text"
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
      el("time", { datetime: message.created_at || "" }, formatTime(message.created_at, { locale: locale2 }))
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
  function translatedBody(message) {
    const translation = message.translation;
    const sender = message.sender && message.sender.kind;
    if (sender === "visitor" || !translation || translation.status !== "done") return null;
    return typeof translation.body === "string" ? translation.body : null;
  }
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
      t("translation.show_original")
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
      toggle
    );
  }
  var earlyTranslations = /* @__PURE__ */ new Map();
  function translationArrived(frame) {
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
    const clientId2 = known.message.client_id;
    if (clientId2 && byClientId.get(clientId2) === known.el) byClientId.set(clientId2, bubble);
    known.el = bubble;
  }
  var TICK_LABELS = {
    pending: "Sending…",
    sent: "Sent",
    delivered: "Delivered",
    read: "Read",
    failed: "Not sent"
  };
  var TICK_GLYPHS = { pending: "…", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" };
  function setTick(bubble, tickState) {
    const tick = (
      /** @type {HTMLElement | null} */
      bubble.querySelector(".hd-tick")
    );
    if (!tick || tick.dataset.state === tickState) return;
    bubble.dataset.state = tickState;
    tick.dataset.state = tickState;
    tick.textContent = TICK_GLYPHS[tickState];
    tick.setAttribute("aria-label", t(TICK_LABELS[tickState]));
    tick.title = t(TICK_LABELS[tickState]);
  }
  function refreshTicks() {
    if (!slots.messages) return;
    for (const node of slots.messages.querySelectorAll(".hd-own[data-seq]")) {
      const bubble = (
        /** @type {HTMLElement} */
        node
      );
      const number = Number(bubble.dataset.seq);
      if (number) setTick(bubble, receipts.stateOf(number));
    }
  }
  function insertBubble(bubble, at) {
    const list = slots.messages;
    slots.welcome.remove();
    const stick = atEnd();
    let before = null;
    const current = bubble.dataset.conversation;
    const all = (
      /** @type {NodeListOf<HTMLElement>} */
      list.querySelectorAll(".hd-message")
    );
    const tail = lastSettled(all);
    if (at && tail && tail.dataset.conversation === current && Number(tail.dataset.seq) < at) {
      before = tail.nextElementSibling;
      while (before && !before.classList.contains("hd-message")) before = before.nextElementSibling;
    } else if (at) {
      for (const node of all) {
        if (node === bubble) continue;
        if (node.dataset.seq === "") {
          before = node;
          break;
        }
        if (node.dataset.conversation !== current) continue;
        if (Number(node.dataset.seq) > at) {
          before = node;
          break;
        }
      }
    }
    list.insertBefore(bubble, before || null);
    if (stick || !at) scrollToEnd();
  }
  function lastSettled(nodes) {
    for (let i = nodes.length - 1; i >= 0; i -= 1) {
      if (nodes[i].dataset.seq !== "") return nodes[i];
    }
    return null;
  }
  function renderPending(item) {
    if (!state.built || byClientId.has(item.client_id)) return;
    const message = (
      /** @type {Message} */
      Object.assign({}, item, { sender: { kind: "visitor" }, created_at: (/* @__PURE__ */ new Date()).toISOString() })
    );
    const bubble = bubbleFor(message, true);
    byClientId.set(item.client_id, bubble);
    insertBubble(bubble, 0);
  }
  function messageArrived(message) {
    if (!message || typeof message.seq !== "number" || message.private) return;
    const conversation = state.conversation;
    if (conversation && message.conversation !== conversation.id) {
      if (message.conversation < conversation.id) return;
      switchConversation({ id: message.conversation, last_seq: 0 });
    } else if (!conversation) {
      switchConversation({ id: message.conversation, last_seq: 0 });
    }
    const pendingEl = message.client_id ? byClientId.get(message.client_id) : null;
    if (message.client_id) outbox.remove(message.client_id);
    const known = bySeq.get(message.seq);
    if (known) {
      if (pendingEl && pendingEl !== known.el) pendingEl.remove();
      return;
    }
    const early = earlyTranslations.get(message.conversation + ":" + message.seq);
    if (early !== void 0) {
      earlyTranslations.delete(message.conversation + ":" + message.seq);
      if (!message.translation) message = Object.assign({}, message, { translation: early });
    }
    const bubble = bubbleFor(message, false);
    if (pendingEl && pendingEl.isConnected) {
      pendingEl.replaceWith(bubble);
      insertBubble(bubble, message.seq);
    } else {
      insertBubble(bubble, message.seq);
    }
    if (message.client_id) byClientId.set(message.client_id, bubble);
    bySeq.set(message.seq, { message, el: bubble });
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
  var gapTimer = null;
  function scheduleGapResume() {
    if (gapTimer || state.resumeInFlight) return;
    gapTimer = setTimeout(() => {
      gapTimer = null;
      if (seq.hasGap()) resume();
    }, 250);
  }
  function switchConversation(next) {
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
  function markFailed(bubble, reason) {
    setTick(bubble, "failed");
    let note = (
      /** @type {HTMLElement | null} */
      bubble.querySelector(".hd-error")
    );
    if (!note) {
      note = el("div", { class: "hd-error", role: "alert", "data-testid": "hd-error" });
      bubble.append(note);
    }
    note.textContent = reason;
    return note;
  }

  // static/widget/core/session.js
  async function deskFetch(path, init) {
    const options = Object.assign({}, init || {});
    const headers = new Headers(options.headers || {});
    if (state.token && !headers.has("Authorization")) headers.set("Authorization", "Visitor " + state.token);
    if (options.json !== void 0) {
      headers.set("Content-Type", "application/json");
      options.body = JSON.stringify(options.json);
      delete options.json;
    }
    options.headers = headers;
    options.credentials = "omit";
    options.mode = "cors";
    const url = /^https?:/.test(path) ? path : baseUrl + path;
    return fetch(url, options);
  }
  async function startSession() {
    const payload = {
      page: { url: location.href.slice(0, 1e3), title: document.title.slice(0, 300) },
      language
    };
    if (state.token) payload.visitor_token = state.token;
    if (state.identity) payload.identity = state.identity;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await deskFetch("/api/widget/session", { method: "POST", json: payload });
        if (response.status === 401 && payload.visitor_token) {
          delete payload.visitor_token;
          state.token = null;
          storageSet(TOKEN_KEY, null);
          continue;
        }
        if (response.status === 403 && payload.identity) {
          delete payload.identity;
          state.identity = null;
          continue;
        }
        if (!response.ok) throw new Error("session " + response.status);
        const session = await response.json();
        state.session = session;
        state.token = session.visitor_token;
        storageSet(TOKEN_KEY, state.token);
        if (session.conversation) switchConversation(session.conversation);
        callParts("onSession", session);
        emit("session", session);
        return session;
      } catch {
        if (attempt >= 5) {
          addSystemNotice(t("The chat is temporarily unavailable. Retrying…"), { id: "connection" });
        }
        await new Promise((resolve) => setTimeout(resolve, client.backoff.next()));
      }
    }
  }
  if (script.dataset.identity) {
    try {
      state.identity = JSON.parse(script.dataset.identity);
    } catch {
      state.identity = null;
    }
  }
  async function identify(claim) {
    state.identity = claim || null;
    await startSession();
    reconnectNow();
    return state.session;
  }
  async function resetVisitor() {
    state.token = null;
    storageSet(TOKEN_KEY, null);
    outbox.clear();
    state.identity = null;
    state.conversation = null;
    seq.reset();
    readCursor.reset();
    receipts.reset();
    bySeq.clear();
    byClientId.clear();
    setUnread(0);
    if (slots.messages) slots.messages.replaceChildren(slots.welcome);
    updateHeader();
    await startSession();
    reconnectNow();
    return state.session;
  }
  function needsSocket() {
    return !!(state.conversation || isOpen() || outbox.size);
  }
  function ensureSocket() {
    if (state.started && state.token && !client.ws && needsSocket()) connectSoon(0);
  }
  async function start() {
    if (state.started) return;
    state.started = true;
    await startSession();
    if (needsSocket()) connect();
  }

  // static/widget/core/composer.js
  function sendMessage(fields) {
    const item = (
      /** @type {OutboxItem & {body: string, kind: string}} */
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
  function tooLarge(item) {
    if (item.body.length > state.limits.max_body_chars) return true;
    const frame = JSON.stringify(Object.assign({ type: "message.send", conversation: 0 }, item));
    return new Blob([frame]).size > state.limits.max_frame_bytes - 256;
  }
  function flushOutbox() {
    outbox.flush(send, state.conversation && state.conversation.id);
  }
  function flushOne(item) {
    const frame = Outbox.frame(item);
    if (state.conversation) frame.conversation = state.conversation.id;
    send(frame);
  }
  var outboxRetryTimer = null;
  function scheduleOutboxRetry() {
    if (outboxRetryTimer || !outbox.size) return;
    outboxRetryTimer = setTimeout(
      () => {
        outboxRetryTimer = null;
        flushOutbox();
      },
      2e3 + Math.random() * 1e3
    );
  }
  function submitInput() {
    const body = slots.input.value.replace(/\s+$/, "");
    if (!body.trim()) return;
    slots.input.value = "";
    autosize();
    stopTyping();
    sendMessage({ body });
    scrollToEnd();
  }
  var typingOn = false;
  var typingSentAt = 0;
  var typingIdleTimer;
  function typingKeystroke() {
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

  // static/widget/core/api.js
  var api2 = {
    baseUrl,
    staticUrl,
    language,
    t,
    el,
    svgIcon: (pathData) => svgIcon(pathData),
    safeHref,
    media: {
      humanSize,
      humanDuration,
      baseType,
      kindOf,
      filesFrom,
      pickMime,
      recordingName,
      precheck,
      upload,
      startRecording,
      carriesFiles,
      canRecord
    },
    rtc: { CallPeer, CallSession, mediaConstraints, stopStream },
    slots,
    visitorToken: () => state.token,
    session: () => state.session,
    conversation: () => state.conversation,
    messages: () => [...bySeq.values()].map((entry) => entry.message).sort((a, b) => a.seq - b.seq),
    send,
    sendMessage,
    fetch: deskFetch,
    addSystemNotice,
    setHeaderStatus,
    removeNotice,
    open,
    close,
    isOpen,
    on(event, fn) {
      (listeners[event] = listeners[event] || []).push(fn);
    },
    off(event, fn) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
    },
    emit(event, payload) {
      emit(event, payload);
    },
    identify,
    resetVisitor,
    track(name, data) {
      window.dispatchEvent(new CustomEvent("helpdesk:" + name, { detail: data }));
    }
  };

  // static/widget/core/frames.js
  function onSocketState(socketState) {
    if (socketState === "connecting") setConnection("connecting");
  }
  function onSocketClose(event) {
    state.resumeInFlight = false;
    setConnection("offline");
    emit("disconnect", { code: event.code });
    if (event.code === 4401) {
      state.token = null;
      storageSet(TOKEN_KEY, null);
      startSession().then(() => client.connectSoon(client.backoff.next()));
      return false;
    }
    return void 0;
  }
  function onFrame(frame) {
    switch (frame.type) {
      case "ready":
        state.connectedOnce = true;
        setConnection("online");
        if (frame.conversation) switchConversation(frame.conversation);
        resume();
        flushOutbox();
        callParts("onConnect", frame);
        emit("connect", frame);
        break;
      case "message.ack":
      case "message.created":
        messageArrived(frame.message);
        break;
      case "message.translated":
        translationArrived(frame);
        break;
      case "resume.done":
        state.resumeInFlight = false;
        if (state.conversation && frame.conversation === state.conversation.id) {
          seq.settle(frame.last_seq || 0);
          sendRead();
          if (seq.hasGap()) scheduleGapResume();
        }
        break;
      case "resync":
        resume();
        break;
      case "heartbeat": {
        const current = state.conversation;
        const beats = frame.conversations || [];
        const item = current && beats.find((c) => c.id === current.id);
        if (item && item.last_seq > seq.last && !state.resumeInFlight) resume();
        break;
      }
      case "conversation.created":
      case "conversation.updated":
        if (frame.conversation) {
          if (!state.conversation || frame.conversation.id >= state.conversation.id) {
            switchConversation(frame.conversation);
          }
        }
        break;
      case "typing":
        if (frame.sender && frame.sender.kind !== "visitor") showRemoteTyping(frame);
        break;
      case "receipt":
        if (frame.reader === "agent" && state.conversation && frame.conversation === state.conversation.id) {
          receipts.merge(frame.delivered_seq, frame.read_seq);
          refreshTicks();
        }
        break;
      case "error":
        handleError(frame);
        break;
      default:
        break;
    }
    callParts("onFrame", frame);
    emit("frame", frame);
  }
  function handleError(frame) {
    const bubble = frame.client_id ? byClientId.get(frame.client_id) : null;
    const reason = (
      /** @type {Record<string, string>} */
      {
        rate_limited: t("You are sending messages too fast. Retrying…"),
        too_large: t("That message is too long."),
        bad_request: t("That message could not be sent."),
        unavailable: t("The chat is temporarily unavailable. Retrying…"),
        not_found: t("This conversation is no longer available."),
        forbidden: t("That message could not be sent."),
        unauthorized: t("Your session expired. Reconnecting…")
      }[frame.code] || t("Something went wrong.")
    );
    if (bubble && bubble.dataset.seq === "") {
      const retry = frame.code === "rate_limited" || frame.code === "unavailable";
      if (retry) {
        setTimeout(
          () => {
            const item = outbox.get(frame.client_id);
            if (item) flushOne(item);
          },
          2e3 + Math.random() * 1e3
        );
        const note = markFailed(bubble, reason);
        setTick(bubble, "pending");
        setTimeout(() => note.remove(), 4e3);
      } else {
        markFailed(bubble, reason);
        outbox.remove(frame.client_id);
      }
      return;
    }
    if (frame.code === "rate_limited" || frame.code === "unavailable") {
      scheduleOutboxRetry();
      addSystemNotice(reason, { id: "error", timeout: 4e3 });
    } else if (!state.resumeInFlight || frame.code !== "not_found") {
      addSystemNotice(reason, { id: "error", timeout: 6e3 });
    }
    if (state.resumeInFlight) state.resumeInFlight = false;
  }

  // static/widget/core/main.js
  var existing = window.HelpdeskWidget;
  partsApi(api2);
  panelActions({
    submit: submitInput,
    keystroke: typingKeystroke,
    read: sendRead,
    opened() {
      sendRead();
      ensureSocket();
    }
  });
  socketHandlers({ frame: onFrame, state: onSocketState, close: onSocketClose });
  async function loadConfig() {
    try {
      const response = await fetch(baseUrl + "/api/widget/config?lang=" + encodeURIComponent(language), {
        credentials: "omit",
        mode: "cors"
      });
      if (response.ok) return await response.json();
    } catch {
    }
    return { strings: {}, parts: [] };
  }
  async function boot() {
    const config = await loadConfig();
    state.strings = config.strings || {};
    Object.assign(state.limits, config.limits || {});
    build();
    for (const item of outbox.items) renderPending(item);
    await loadParts(config.parts);
    for (const part of widget._q.splice(0)) register(part);
    await start();
    if (script.dataset.open === "1") open();
  }
  var widget = {
    __core: true,
    version: "1",
    register,
    api: api2,
    _q: []
    // parts that loaded before `register` existed
  };
  if (!(existing && existing.__core)) {
    const queued = existing && existing._q || [];
    window.HelpdeskWidget = widget;
    for (const part of queued) register(part);
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", boot, { once: true });
    } else {
      boot();
    }
  }
})();
