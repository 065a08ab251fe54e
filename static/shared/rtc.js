// @ts-check
/**
 * One side of a voice or video call (docs/calls.md): the browser's RTCPeerConnection wired
 * to the socket's call frames (docs/protocol.md, "Calls"). Both UIs use it: the workspace
 * imports it, the widget's calls part gets it as `api.rtc`.
 *
 * The agent's side makes the offer once the call is accepted; the shopper's side answers it.
 * ICE candidates trickle both ways; those that arrive before the remote description are held
 * and added after it.
 */

/** @typedef {import("./types").Frame} Frame */

/**
 * The getUserMedia constraints of a call: voice is audio only.
 * @param {string} media "audio" or "video"
 * @returns {MediaStreamConstraints}
 */
export function mediaConstraints(media) {
  return media === "video" ? { audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } } } : { audio: true, video: false };
}

export class CallPeer {
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
    // Perfect negotiation: when both sides offer at once (both turn the camera on), the
    // polite side (the shopper's) gives its offer up and answers; the other ignores theirs.
    this.polite = Boolean(options.polite);
    this.makingOffer = false;
    /** A change of this side's tracks waits for the exchange under way to finish. */
    this.pending = false;
    /** @type {RTCIceCandidateInit[]} */
    this.held = [];
    this.closed = false;
    // "relay" when the desk is relay-only (CALL_RELAY_ONLY): TURN relays only, neither side
    // learns the other's address.
    const pc = new RTCPeerConnection({
      iceServers: options.iceServers || [],
      iceTransportPolicy: options.iceTransportPolicy || "all",
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
      if (!this.polite) return; // ours stands; the other side answers it
      await this.pc.setLocalDescription({ type: "rollback" });
      this.pending = true; // offer our change again once this exchange is done
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
    if (this.pc.signalingState !== "have-local-offer") return; // an offer given up
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
}

/** @param {MediaStream | null | undefined} stream */
export function stopStream(stream) {
  if (stream) for (const track of stream.getTracks()) track.stop();
}
