import assert from "node:assert/strict";
import { test } from "node:test";

import { ReadCursor, Receipts } from "../../../static/shared/receipts.js";

test("ticks follow the other side's cursors", () => {
  const receipts = new Receipts();
  assert.equal(receipts.stateOf(1), "sent");
  receipts.merge(3, 1);
  assert.deepEqual([1, 2, 3, 4].map((seq) => receipts.stateOf(seq)), ["read", "delivered", "delivered", "sent"]);
});

test("a stale or reordered receipt never moves a cursor back", () => {
  const receipts = new Receipts();
  assert.equal(receipts.merge(5, 4), true);
  assert.equal(receipts.merge(2, 1), false);
  assert.equal(receipts.merge(null, undefined), false);
  assert.deepEqual([receipts.delivered, receipts.read], [5, 4]);
  assert.equal(receipts.merge(5, 5), true);
  assert.equal(receipts.stateOf(5), "read");
});

test("reset starts a new conversation at nothing delivered", () => {
  const receipts = new Receipts();
  receipts.merge(5, 5);
  receipts.reset();
  assert.equal(receipts.stateOf(1), "sent");
});

test("a read frame is due only when this side's cursor would move", () => {
  const cursor = new ReadCursor();
  assert.equal(cursor.due(0), false);
  assert.equal(cursor.due(3), true);
  cursor.mark(3);
  assert.equal(cursor.due(3), false);
  assert.equal(cursor.due(2), false);
  cursor.mark(1); // never back
  assert.equal(cursor.sent, 3);
  assert.equal(cursor.due(4), true);
  cursor.reset(10); // the conversation says the server already has 10
  assert.equal(cursor.due(9), false);
});
