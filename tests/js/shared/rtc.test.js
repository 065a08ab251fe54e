import assert from "node:assert/strict";
import { test } from "node:test";

import { CallSession } from "../../../static/shared/call-session.js";
import { CallPeer, mediaConstraints } from "../../../static/shared/rtc.js";

/** A stand-in for the browser's RTCPeerConnection: records what the peer does with it. */
class FakePeerConnection {
  constructor(config) {
    this.config = config;
    this.tracks = [];
    this.added = [];
    this.remoteDescription = null;
    this.localDescription = null;
    this.signalingState = "stable";
    this.closed = false;
    this.offers = 0;
  }
  addTrack(track) {
    this.tracks.push(track);
  }
  async createOffer() {
    this.offers += 1;
    return { type: "offer", sdp: "v=0 offer " + this.offers };
  }
  async createAnswer() {
    return { type: "answer", sdp: "v=0 answer" };
  }
  async setLocalDescription(description) {
    if (description.type === "rollback") {
      this.signalingState = "stable";
      return;
    }
    this.localDescription = description;
    this.signalingState = description.type === "offer" ? "have-local-offer" : "stable";
  }
  async setRemoteDescription(description) {
    this.remoteDescription = description;
    this.signalingState = description.type === "offer" ? "have-remote-offer" : "stable";
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

/** A stand-in MediaStream of the given tracks. */
function streamOf(...tracks) {
  const list = [...tracks];
  return {
    getTracks: () => [...list],
    getAudioTracks: () => list.filter((t) => t.kind === "audio"),
    getVideoTracks: () => list.filter((t) => t.kind === "video"),
    addTrack: (t) => list.push(t),
  };
}

function peer({ polite = false, voice = false } = {}) {
  const audio = track("audio");
  const video = track("video");
  const stream = voice ? streamOf(audio) : streamOf(audio, video);
  const sent = [];
  const p = new CallPeer({ callId: 7, iceServers: [{ urls: ["stun:x"] }], stream, polite, send: (f) => sent.push(f) });
  return { p, sent, audio, video, pc: /** @type {FakePeerConnection} */ (p.pc) };
}

test("the agent's side offers, the shopper's side answers, each with the call id", async () => {
  const agent = peer();
  assert.deepEqual(agent.pc.config.iceServers, [{ urls: ["stun:x"] }]);
  assert.equal(agent.pc.tracks.length, 2);
  await agent.p.offer();
  assert.deepEqual(agent.sent, [{ type: "call.offer", call: 7, sdp: "v=0 offer 1" }]);
  const shopper = peer();
  await shopper.p.takeOffer("v=0 offer 1");
  assert.deepEqual(shopper.pc.remoteDescription, { type: "offer", sdp: "v=0 offer 1" });
  assert.deepEqual(shopper.sent, [{ type: "call.answer", call: 7, sdp: "v=0 answer" }]);
});

test("candidates before the remote description wait for it", async () => {
  const { p, pc } = peer();
  await p.offer();
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

test("a voice call turns video on: the track joins and a new offer goes out", async () => {
  const { p, pc, sent } = peer({ voice: true });
  await p.offer();
  await p.takeAnswer("v=0 answer");
  assert.equal(p.hasVideo(), false);
  const camera = track("video");
  await p.addVideo(camera);
  assert.equal(p.hasVideo(), true);
  assert.equal(pc.tracks.at(-1), camera);
  assert.deepEqual(sent.map((f) => f.sdp), ["v=0 offer 1", "v=0 offer 2"]);
});

test("a change while an exchange is under way waits for its answer", async () => {
  const { p, sent } = peer({ voice: true });
  await p.offer();
  await p.addVideo(track("video")); // the first offer is not answered yet
  assert.equal(sent.length, 1);
  await p.takeAnswer("v=0 answer");
  assert.deepEqual(sent.map((f) => f.sdp), ["v=0 offer 1", "v=0 offer 2"]);
});

test("both offer at once: the polite side rolls back and answers, then offers again; the other ignores", async () => {
  const polite = peer({ polite: true, voice: true });
  await polite.p.takeOffer("v=0 offer 1");
  await polite.p.addVideo(track("video")); // the shopper's offer goes out ...
  assert.equal(polite.pc.signalingState, "have-local-offer");
  await polite.p.takeOffer("v=0 agent's second"); // ... while the agent's arrives
  const kinds = polite.sent.map((f) => f.type);
  assert.deepEqual(kinds, ["call.answer", "call.offer", "call.answer", "call.offer"]);
  assert.deepEqual(polite.pc.remoteDescription, { type: "offer", sdp: "v=0 agent's second" });

  const impolite = peer({ voice: true });
  await impolite.p.offer();
  await impolite.p.takeOffer("v=0 the shopper's"); // ignored: the agent's stands
  assert.equal(impolite.pc.signalingState, "have-local-offer");
  assert.deepEqual(impolite.sent.map((f) => f.type), ["call.offer"]);
  await impolite.p.takeAnswer("v=0 answer");
  assert.equal(impolite.pc.signalingState, "stable");
  await impolite.p.takeAnswer("v=0 late answer"); // an answer to an offer given up: ignored
  assert.equal(impolite.pc.signalingState, "stable");
});

/** Let the promises a click started settle. */
const tick = () => new Promise((r) => setTimeout(r, 5));

/** A stand-in element: what the session reads and writes of a call box's elements. */
function element() {
  const listeners = {};
  return {
    hidden: false,
    textContent: "",
    dataset: {},
    attributes: {},
    muted: false,
    srcObject: null,
    removed: false,
    setAttribute(name, value) {
      this.attributes[name] = String(value);
    },
    getAttribute(name) {
      return this.attributes[name] ?? null;
    },
    addEventListener(type, fn) {
      listeners[type] = fn;
    },
    click() {
      return listeners.click && listeners.click();
    },
    remove() {
      this.removed = true;
    },
    play: async () => {},
  };
}

function session(side, devices) {
  const sent = [];
  const views = [];
  const errors = [];
  const s = new CallSession({
    side,
    send: (f) => {
      sent.push(f);
      return true;
    },
    word: (key) => "<" + key + ">",
    duration: (seconds) => String(Math.round(seconds)),
    build: () => {
      const names = ["box", "media", "status", "timer", "remote", "local", "controls", "ringButtons", "mute", "camera", "hangup", "accept", "decline"];
      const view = Object.fromEntries(names.map((n) => [n, element()]));
      views.push(view);
      return view;
    },
    mediaError: () => errors.push("no media"),
    getUserMedia: async (constraints) => {
      if (!devices) throw new Error("denied");
      return constraints.audio ? streamOf(track("audio"), ...(constraints.video ? [track("video")] : [])) : streamOf(track("video"));
    },
  });
  return { s, sent, views, errors };
}

test("the shopper's side: a voice call rings, is accepted, answered, upgraded to video and ended", async () => {
  const { s, sent, views } = session("visitor", true);
  assert.equal(s.ring({ id: 5, conversation: 3, media: "audio", caller: "agent" }, "Ana is calling"), true);
  const view = views[0];
  assert.equal(view.box.dataset.state, "ringing");
  assert.equal(view.status.textContent, "Ana is calling");
  assert.equal(view.media.hidden, true); // voice: no video area
  assert.equal(view.camera.textContent, "<camera_on>");
  assert.equal(s.ring({ id: 6, conversation: 3, media: "audio", caller: "agent" }, "again"), false);
  view.accept.click();
  await tick();
  assert.deepEqual(sent.at(-1), { type: "call.accept", call: 5 });
  // Candidates that come before the peer wait for it.
  s.onFrame({ type: "call.candidate", call: 5, candidate: { candidate: "candidate:1" } });
  s.onFrame({ type: "call.accepted", call: { id: 5, conversation: 3 }, ice_servers: [] });
  assert.equal(view.box.dataset.state, "connecting");
  s.onFrame({ type: "call.offer", call: 5, sdp: "v=0 offer 1" });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(sent.at(-1).type, "call.answer");
  assert.deepEqual(s.call.peer.pc.added.map((c) => c.candidate), ["candidate:1"]);
  s.call.peer.pc.connectionState = "connected";
  s.call.peer.pc.onconnectionstatechange();
  assert.equal(view.box.dataset.state, "connected");
  view.mute.click();
  assert.equal(view.mute.getAttribute("aria-pressed"), "true");
  assert.equal(view.mute.textContent, "<unmute>");
  view.camera.click();
  await tick();
  assert.equal(view.camera.textContent, "<camera_off>");
  assert.equal(view.media.hidden, false);
  assert.equal(sent.at(-1).type, "call.offer"); // the shopper's side offers the video
  s.onFrame({ type: "call.ended", call: { id: 5, end_reason: "disconnected" } });
  assert.equal(view.box.dataset.state, "ended");
  assert.equal(view.status.textContent, "<lost>");
  assert.equal(s.current(), null);
  // A late frame about the ended call changes nothing.
  assert.equal(s.ring({ id: 5, conversation: 3, media: "audio", caller: "agent" }, "late"), false);
});

test("the agent's side places a call, offers once accepted; busy and refused devices close the box", async () => {
  const agent = session("agent", true);
  assert.equal(await agent.s.place({ conversation: 3, media: "video" }), "invited");
  assert.deepEqual(agent.sent.at(-1), { type: "call.invite", conversation: 3, media: "video" });
  assert.equal(agent.views[0].box.dataset.state, "calling");
  assert.equal(await agent.s.place({ conversation: 4, media: "video" }), "none"); // one at a time
  agent.s.onFrame({ type: "call.invited", call: { id: 9, conversation: 4 }, ice_servers: [] }); // not ours
  assert.equal(agent.s.current().id, null);
  agent.s.onFrame({ type: "call.invited", call: { id: 9, conversation: 3 }, ice_servers: [{ urls: "stun:s" }] });
  assert.equal(agent.s.current().id, 9);
  agent.s.onFrame({ type: "call.accepted", call: { id: 9, conversation: 3 } });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(agent.sent.at(-1).type, "call.offer");
  assert.deepEqual(agent.s.call.peer.pc.config.iceServers, [{ urls: "stun:s" }]);
  agent.s.hangUp();
  assert.deepEqual(agent.sent.at(-1), { type: "call.hangup", call: 9 });
  agent.s.onFrame({ type: "call.ended", call: { id: 9, end_reason: "hangup" } });
  assert.equal(agent.views[0].status.textContent, "<ended>");

  const refused = session("agent", false);
  assert.equal(await refused.s.place({ conversation: 3, media: "audio" }), "none");
  assert.deepEqual(refused.errors, ["no media"]);
  assert.equal(refused.views[0].box.removed, true);

  const busy = session("agent", true);
  await busy.s.place({ conversation: 3, media: "audio" });
  busy.s.giveUp();
  assert.equal(busy.s.current(), null);
});
