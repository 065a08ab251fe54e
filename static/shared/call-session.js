// @ts-check
/**
 * The call box of either UI (docs/calls.md): `CallSession` keeps one page's call (ringing,
 * placed, in progress) and its box's state, and handles the call frames the widget and the
 * workspace handle alike; the peer connection itself is `CallPeer` (./rtc.js). The workspace
 * imports it; the widget's calls part gets it as `api.rtc.CallSession`.
 */
import { CallPeer, mediaConstraints, stopStream } from "./rtc.js";

/** @typedef {import("./types").Frame} Frame */

/** @typedef {import("./types").CallView} CallView */
/** @typedef {import("./types").Call} Call */

/** What an ended call's box says, by the server's `end_reason` (else "ended"). */
const END_WORDS = /** @type {Record<string, string>} */ ({ timeout: "no_answer", declined: "declined", disconnected: "lost" });

/** The camera asked for when a voice call turns video on. */
const CAMERA = { width: { ideal: 640 }, height: { ideal: 480 } };

/**
 * One side's call box and its call, the same in the widget and the workspace: the box's
 * state (`data-state`: `ringing`, `calling`, `connecting`, `connected`, `ended`), the timer
 * and getStats bytes once a second (`data-bytes-sent` / `data-bytes-received`), mute,
 * camera off and on (a voice call's camera turned on adds video with a new offer / answer),
 * hang-up, and the call frames both sides handle alike. Each UI builds the box's elements
 * (`build`), gives the words in its language (`word`: mute, unmute, camera_off, camera_on,
 * calling, connecting, connected, ended, no_answer, declined, lost), and handles `call.ring`
 * and `call.busy` itself (with `ring` and `giveUp`).
 */
export class CallSession {
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
    /** @type {Call | null} */
    this.call = null;
    /** @type {Set<number>} calls this page saw end (a late frame about one changes nothing) */
    this.finished = new Set();
    /** @type {Map<number, RTCIceCandidateInit[]>} candidates that came before the peer */
    this.early = new Map();
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
      id: info.id, conversation: info.conversation, media: info.media, caller: info.caller, state: "",
      iceServers: [], icePolicy: "all", stream: null, peer: null, view, connectedAt: 0, tick: undefined, fallback: undefined,
    };
    return this.call;
  }

  /**
   * @param {string} state
   * @param {string} [text]
   */
  setState(state, text) {
    const call = this.call;
    if (!call) return;
    call.state = state;
    call.view.box.dataset.state = state;
    if (text !== undefined) call.view.status.textContent = text;
    call.view.ringButtons.hidden = state !== "ringing";
    call.view.controls.hidden = state === "ringing" || state === "ended";
    if (this.options.onState) this.options.onState(state);
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
    if (remote.srcObject === stream) remote.srcObject = null; // a track joined: load it again
    remote.srcObject = stream;
    remote.play().catch(() => {});
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
    /** @type {MediaStream} */
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
      onState: (state) => {
        if (this.call !== call) return;
        if (state === "connected" && call.state !== "connected") {
          call.connectedAt = Date.now();
          this.setState("connected", this.word("connected"));
          call.tick = setInterval(() => {
            this.tick(call).catch(() => {});
          }, 1000);
        } else if (state === "failed") {
          this.setState("connecting", this.word("connecting"));
        }
      },
    });
    call.peer = peer;
    for (const candidate of this.early.get(id) || []) peer.takeCandidate(candidate).catch(() => {});
    this.early.delete(id);
    if (this.options.side === "agent") peer.offer().catch((error) => console.error("call offer failed", error));
  }

  /**
   * Once a second: the timer, and the bytes flowing (getStats).
   * @param {Call} call
   */
  async tick(call) {
    call.view.timer.textContent = this.options.duration((Date.now() - call.connectedAt) / 1000);
    if (!call.peer) return;
    try {
      const bytes = await call.peer.bytes();
      call.view.box.dataset.bytesSent = String(bytes.sent);
      call.view.box.dataset.bytesReceived = String(bytes.received);
    } catch {
      /* closed meanwhile */
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
    setTimeout(() => call.view.box.remove(), 4000);
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
        // The server ends an unanswered ring; this is only in case its frame never comes.
        call.fallback = setTimeout(() => this.hangUp(), ((frame.ring_seconds || 45) + 10) * 1000);
        return;
      case "call.accepted":
        if (!info || !call || call.id !== info.id) return;
        if (call.caller === this.options.side || frame.ice_servers) {
          if (frame.ice_servers) call.iceServers = frame.ice_servers; // answered here
          if (frame.ice_servers) call.icePolicy = frame.ice_transport_policy === "relay" ? "relay" : "all";
          clearTimeout(call.fallback);
          this.startPeer();
        } else {
          this.close(); // answered on another tab, or by a colleague
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
        if (call.peer) call.peer.takeCandidate(frame.candidate).catch(() => {});
        else this.early.set(frame.call, (this.early.get(frame.call) || []).concat([frame.candidate]));
        return;
      case "call.ended":
        if (info) this.end(info);
        return;
      default:
    }
  }
}
