import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";

import { CLIENT_CLOSE, SocketClient } from "../../../static/shared/socket.js";

/** A WebSocket double: the test plays the server. */
class FakeSocket {
  static all = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closedWith = null;
    FakeSocket.all.push(this);
  }

  send(data) {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(JSON.parse(data));
  }

  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // --- the server's side ---
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }

  frame(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  serverClose(code) {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }

  types() {
    return this.sent.map((f) => f.type);
  }
}

/** An EventTarget standing in for `window` (the `online` event). */
function fakeWindow() {
  const listeners = new Map();
  return {
    addEventListener: (type, fn) => listeners.set(type, fn),
    fire: (type) => listeners.get(type)?.(),
  };
}

function client(overrides = {}) {
  const frames = [];
  const states = [];
  const closes = [];
  const win = fakeWindow();
  const socket = new SocketClient({
    url: () => "ws://desk.test/ws/visitor/",
    onFrame: (frame) => frames.push(frame),
    onState: (state) => states.push(state),
    onClose: (event) => {
      closes.push(event);
    },
    WebSocketImpl: /** @type {any} */ (FakeSocket),
    online: win,
    backoff: { random: () => 0 },
    ...overrides,
  });
  return { socket, frames, states, closes, win };
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1];

beforeEach(() => {
  FakeSocket.all = [];
  mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
});
afterEach(() => mock.timers.reset());

test("the hello frame goes first; sending waits for the server's ready", () => {
  const { socket, frames, states } = client({ hello: () => ({ type: "auth", token: "t" }) });
  socket.start();
  const ws = last();
  assert.equal(socket.send({ type: "typing" }), false); // not open yet: refused
  ws.open();
  assert.deepEqual(ws.sent, [{ type: "auth", token: "t" }]);
  assert.equal(socket.send({ type: "typing" }), false); // open, but not ready
  ws.frame({ type: "ready", conversation: null });
  assert.equal(socket.send({ type: "typing" }), true);
  assert.deepEqual(ws.types(), ["auth", "typing"]);
  assert.deepEqual(states, ["connecting", "ready"]);
  assert.deepEqual(frames.map((f) => f.type), ["ready"]);
});

test("frames that are not JSON objects with a type are ignored", () => {
  const { socket, frames } = client();
  socket.start();
  const ws = last();
  ws.open();
  ws.onmessage({ data: "not json" });
  ws.onmessage({ data: "[1,2]" });
  ws.onmessage({ data: '{"no": "type"}' });
  ws.frame({ type: "pong" });
  assert.deepEqual(frames, [{ type: "pong" }]);
});

test("a silent socket is closed after the pong timeout and a new one opens", () => {
  const { socket, closes } = client({ pingMs: 25000, pongTimeoutMs: 10000 });
  socket.start();
  const first = last();
  first.open();
  first.frame({ type: "ready" });
  mock.timers.tick(25000);
  assert.deepEqual(first.types(), ["ping"]);
  mock.timers.tick(9999);
  assert.equal(first.closedWith, null); // still within the deadline
  mock.timers.tick(1);
  assert.deepEqual(first.closedWith, { code: CLIENT_CLOSE, reason: "pong timeout" });
  assert.equal(socket.state, "closed");
  assert.deepEqual(closes, [{ code: CLIENT_CLOSE, reason: "pong timeout" }]);
  // The dead socket's late close event changes nothing.
  first.serverClose(1006);
  assert.equal(closes.length, 1);
  mock.timers.tick(1000); // first retry: within 0.5–1 s
  assert.equal(FakeSocket.all.length, 2);
  assert.equal(last().url, "ws://desk.test/ws/visitor/");
});

test("a socket that answers keeps living; any frame counts as an answer", () => {
  const { socket } = client({ pingMs: 25000, pongTimeoutMs: 10000 });
  socket.start();
  const ws = last();
  ws.open();
  ws.frame({ type: "ready" });
  for (let round = 0; round < 4; round += 1) {
    mock.timers.tick(25000);
    mock.timers.tick(3000);
    ws.frame(round % 2 ? { type: "pong" } : { type: "message.created", message: {} });
  }
  mock.timers.tick(20000);
  assert.equal(ws.closedWith, null);
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(ws.types().filter((t) => t === "ping").length, 5);
});

test("reconnects back off exponentially and reset after a ready", () => {
  const { socket } = client();
  socket.start();
  const delays = [];
  for (let n = 0; n < 4; n += 1) {
    const before = FakeSocket.all.length;
    last().serverClose(1006);
    let waited = 0;
    while (FakeSocket.all.length === before) {
      mock.timers.tick(100);
      waited += 100;
    }
    delays.push(waited);
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000]);
  last().open();
  last().frame({ type: "ready" });
  last().serverClose(1006);
  mock.timers.tick(499);
  const count = FakeSocket.all.length;
  mock.timers.tick(1);
  assert.equal(FakeSocket.all.length, count + 1);
});

test("coming back online reconnects at once instead of waiting for the backoff", () => {
  const { socket, win } = client({ backoff: { random: () => 1, baseMs: 10000 } });
  socket.start();
  last().serverClose(1006);
  assert.equal(FakeSocket.all.length, 1);
  win.fire("online");
  mock.timers.tick(0);
  assert.equal(FakeSocket.all.length, 2);
});

test("startSoon opens a stopped client later, or brings a pending reconnect forward", () => {
  const { socket } = client({ backoff: { random: () => 1, baseMs: 10000 } });
  socket.connectSoon(0);
  mock.timers.tick(0);
  assert.equal(FakeSocket.all.length, 0, "a client never started stays closed");
  socket.startSoon(50);
  mock.timers.tick(49);
  assert.equal(FakeSocket.all.length, 0);
  mock.timers.tick(1);
  assert.equal(FakeSocket.all.length, 1);
  last().serverClose(1006); // the backoff would wait 20 s
  socket.startSoon(0);
  mock.timers.tick(0);
  assert.equal(FakeSocket.all.length, 2);
});

test("onClose returning false takes over the reconnect", () => {
  const { socket } = client({ onClose: (event) => (event.code === 4401 ? false : undefined) });
  socket.start();
  last().serverClose(4401);
  mock.timers.tick(60000);
  assert.equal(FakeSocket.all.length, 1);
  socket.connectSoon(0);
  mock.timers.tick(0);
  assert.equal(FakeSocket.all.length, 2);
});

test("frames chosen by queueWhileOffline go out after the next ready, others are refused", () => {
  const { socket } = client({ queueWhileOffline: (frame) => frame.type === "read" });
  socket.start();
  assert.equal(socket.send({ type: "read", seq: 3 }), false);
  assert.equal(socket.send({ type: "typing", on: true }), false);
  const ws = last();
  ws.open();
  ws.frame({ type: "ready" });
  assert.deepEqual(ws.sent, [{ type: "read", seq: 3 }]);
});

test("canConnect false keeps it closed; reconnectNow replaces a live socket at once", () => {
  let token = null;
  const { socket } = client({ canConnect: () => token !== null });
  socket.start();
  assert.equal(FakeSocket.all.length, 0);
  token = "t";
  socket.connect();
  const first = last();
  first.open();
  first.frame({ type: "ready" });
  socket.reconnectNow();
  assert.equal(first.closedWith.code, CLIENT_CLOSE);
  mock.timers.tick(0);
  assert.equal(FakeSocket.all.length, 2);
});

test("stop closes for good", () => {
  const { socket } = client();
  socket.start();
  const ws = last();
  ws.open();
  ws.frame({ type: "ready" });
  socket.stop();
  assert.equal(ws.closedWith.code, 1000);
  mock.timers.tick(120000);
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(socket.send({ type: "ping" }), false);
});
