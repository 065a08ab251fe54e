import assert from "node:assert/strict";
import { test } from "node:test";

import { CallPeer, mediaConstraints } from "../../../static/shared/rtc.js";

/** A stand-in for the browser's RTCPeerConnection: records what the peer does with it. */
class FakePeerConnection {
  constructor(config) {
    this.config = config;
    this.tracks = [];
    this.added = [];
    this.remoteDescription = null;
    this.localDescription = null;
    this.closed = false;
  }
  addTrack(track) {
    this.tracks.push(track);
  }
  async createOffer() {
    return { type: "offer", sdp: "v=0 offer" };
  }
  async createAnswer() {
    return { type: "answer", sdp: "v=0 answer" };
  }
  async setLocalDescription(description) {
    this.localDescription = description;
  }
  async setRemoteDescription(description) {
    this.remoteDescription = description;
  }
  async addIceCandidate(candidate) {
    this.added.push(candidate);
  }
  async getStats() {
    return new Map([
      ["a", { type: "outbound-rtp", bytesSent: 100 }],
      ["b", { type: "outbound-rtp", bytesSent: 50 }],
      ["c", { type: "inbound-rtp", bytesReceived: 70 }],
      ["d", { type: "candidate-pair", bytesReceived: 999 }],
    ]);
  }
  close() {
    this.closed = true;
  }
}
globalThis.RTCPeerConnection = FakePeerConnection;

function track(kind) {
  return { kind, enabled: true, stopped: false, stop() { this.stopped = true; } };
}

function peer() {
  const audio = track("audio");
  const video = track("video");
  const stream = { getTracks: () => [audio, video], getAudioTracks: () => [audio], getVideoTracks: () => [video] };
  const sent = [];
  const p = new CallPeer({ callId: 7, iceServers: [{ urls: ["stun:x"] }], stream, send: (f) => sent.push(f) });
  return { p, sent, audio, video, pc: /** @type {FakePeerConnection} */ (p.pc) };
}

test("the agent's side offers, the shopper's side answers, each with the call id", async () => {
  const agent = peer();
  assert.deepEqual(agent.pc.config.iceServers, [{ urls: ["stun:x"] }]);
  assert.equal(agent.pc.tracks.length, 2);
  await agent.p.offer();
  assert.deepEqual(agent.sent, [{ type: "call.offer", call: 7, sdp: "v=0 offer" }]);
  const shopper = peer();
  await shopper.p.takeOffer("v=0 offer");
  assert.deepEqual(shopper.pc.remoteDescription, { type: "offer", sdp: "v=0 offer" });
  assert.deepEqual(shopper.sent, [{ type: "call.answer", call: 7, sdp: "v=0 answer" }]);
});

test("candidates before the remote description wait for it", async () => {
  const { p, pc } = peer();
  await p.takeCandidate({ candidate: "candidate:1" });
  assert.deepEqual(pc.added, []);
  await p.takeAnswer("v=0 answer");
  await p.takeCandidate({ candidate: "candidate:2" });
  assert.deepEqual(pc.added.map((c) => c.candidate), ["candidate:1", "candidate:2"]);
});

test("local candidates go out; the end-of-candidates marker does not", () => {
  const { pc, sent } = peer();
  pc.onicecandidate({ candidate: { candidate: "candidate:9", toJSON: () => ({ candidate: "candidate:9", sdpMid: "0" }) } });
  pc.onicecandidate({ candidate: null });
  assert.deepEqual(sent, [{ type: "call.candidate", call: 7, candidate: { candidate: "candidate:9", sdpMid: "0" } }]);
});

test("mute and camera off switch the tracks; bytes add up RTP only; close stops the devices", async () => {
  const { p, pc, audio, video } = peer();
  p.setMuted(true);
  p.setCameraOff(true);
  assert.equal(audio.enabled, false);
  assert.equal(video.enabled, false);
  p.setMuted(false);
  assert.equal(audio.enabled, true);
  assert.deepEqual(await p.bytes(), { sent: 150, received: 70 });
  p.close();
  p.close();
  assert.equal(pc.closed, true);
  assert.equal(audio.stopped && video.stopped, true);
});

test("a voice call asks for the microphone only", () => {
  assert.deepEqual(mediaConstraints("audio"), { audio: true, video: false });
  assert.equal(mediaConstraints("video").audio, true);
  assert.ok(mediaConstraints("video").video);
});
