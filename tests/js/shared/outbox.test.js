import assert from "node:assert/strict";
import { test } from "node:test";

import { Outbox, localStore } from "../../../static/shared/outbox.js";

/** A Storage double with the three methods the outbox uses. */
function fakeStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => data.set(key, String(value)),
    removeItem: (key) => data.delete(key),
  };
}

test("entries wait in order until acknowledged", () => {
  const outbox = new Outbox();
  outbox.add({ client_id: "a", body: "one" });
  outbox.add({ client_id: "b", body: "two" });
  outbox.add({ client_id: "a", body: "one again" }); // the same client_id is one message
  assert.deepEqual(outbox.items.map((i) => i.body), ["one", "two"]);
  assert.equal(outbox.remove("a"), true);
  assert.equal(outbox.remove("a"), false);
  assert.equal(outbox.has("b"), true);
  assert.equal(outbox.has("a"), false);
  assert.equal(outbox.size, 1);
});

test("flush re-sends every waiting entry with its own client_id, oldest first", () => {
  const outbox = new Outbox();
  outbox.add({ client_id: "a", body: "one", kind: "text" });
  outbox.add({ client_id: "b", body: "two", kind: "text", conversation: 9 });
  const sent = [];
  const count = outbox.flush((frame) => {
    sent.push(frame);
    return true;
  }, 7);
  assert.equal(count, 2);
  assert.deepEqual(sent, [
    { type: "message.send", client_id: "a", body: "one", kind: "text", conversation: 7 },
    // An entry that names its conversation keeps it.
    { type: "message.send", client_id: "b", body: "two", kind: "text", conversation: 9 },
  ]);
  // Sending does not acknowledge: both are still waiting for their acks.
  assert.equal(outbox.size, 2);
});

test("a flush on a closed socket keeps everything for the next one", () => {
  const outbox = new Outbox();
  outbox.add({ client_id: "a", body: "one" });
  assert.equal(outbox.flush(() => false), 0);
  assert.equal(outbox.size, 1);
});

test("a frame never carries the outbox's own fields over the type", () => {
  const frame = Outbox.frame({ client_id: "a", type: "forged", body: "x" }, null);
  assert.equal(frame.type, "message.send");
  assert.equal("conversation" in frame, false);
});

test("a persisted outbox survives a reload and forgets acknowledged entries", () => {
  const storage = fakeStorage();
  const first = new Outbox(localStore("helpdesk:outbox", storage));
  first.add({ client_id: "a", body: "one" });
  first.add({ client_id: "b", body: "two" });
  first.remove("a");
  const reloaded = new Outbox(localStore("helpdesk:outbox", storage));
  assert.deepEqual(reloaded.items, [{ client_id: "b", body: "two" }]);
  reloaded.remove("b");
  // Empty: the key is gone, not an empty list left behind.
  assert.equal(storage.data.has("helpdesk:outbox"), false);
});

test("a damaged stored outbox is ignored, entries without client_id dropped", () => {
  const broken = new Outbox(localStore("k", fakeStorage({ k: "{not json" })));
  assert.equal(broken.size, 0);
  const mixed = new Outbox(localStore("k", fakeStorage({ k: JSON.stringify([{ body: "x" }, null, { client_id: "c" }]) })));
  assert.deepEqual(mixed.items, [{ client_id: "c" }]);
  const notList = new Outbox(localStore("k", fakeStorage({ k: JSON.stringify({ client_id: "c" }) })));
  assert.equal(notList.size, 0);
});

test("a storage that refuses writes leaves a working in-memory outbox", () => {
  const storage = fakeStorage();
  storage.setItem = () => {
    throw new Error("QuotaExceededError");
  };
  const outbox = new Outbox(localStore("k", storage));
  outbox.add({ client_id: "a" });
  assert.equal(outbox.has("a"), true);
});
