import assert from "node:assert/strict";
import { test } from "node:test";

import { SeqCursor } from "../../../static/shared/seq.js";

test("messages in order move the cursor", () => {
  const cursor = new SeqCursor();
  assert.equal(cursor.accept(1), "next");
  assert.equal(cursor.accept(2), "next");
  assert.equal(cursor.last, 2);
  assert.equal(cursor.hasGap(), false);
});

test("a repeat (a replay, a second ack) is a duplicate and changes nothing", () => {
  const cursor = new SeqCursor(3);
  assert.equal(cursor.classify(2), "duplicate");
  assert.equal(cursor.accept(3), "duplicate");
  assert.equal(cursor.last, 3);
});

test("a seq past a missing one is a gap, held until the hole is filled", () => {
  const cursor = new SeqCursor(1);
  assert.equal(cursor.accept(3), "gap");
  assert.equal(cursor.accept(4), "gap");
  assert.equal(cursor.last, 1);
  assert.equal(cursor.hasGap(), true);
  assert.equal(cursor.classify(3), "duplicate"); // already held
  assert.equal(cursor.accept(2), "next");
  // Filling the hole takes in everything held behind it.
  assert.equal(cursor.last, 4);
  assert.equal(cursor.hasGap(), false);
});

test("classify does not record anything", () => {
  const cursor = new SeqCursor(0);
  assert.equal(cursor.classify(5), "gap");
  assert.equal(cursor.classify(1), "next");
  assert.equal(cursor.hasGap(), false);
  assert.equal(cursor.last, 0);
});

test("a resume that ends past a hole closes it: what is missing is a private note", () => {
  const cursor = new SeqCursor(2);
  cursor.accept(5);
  cursor.settle(4); // the server replayed up to 4; seq 3 and 4 were notes
  assert.equal(cursor.last, 5);
  assert.equal(cursor.hasGap(), false);
});

test("a resume that ends before a held message leaves the gap", () => {
  const cursor = new SeqCursor(2);
  cursor.accept(9);
  cursor.settle(4);
  assert.equal(cursor.last, 4);
  assert.equal(cursor.hasGap(), true);
  assert.equal(cursor.classify(5), "next");
});

test("an old resume never moves the cursor back", () => {
  const cursor = new SeqCursor(7);
  cursor.settle(3);
  assert.equal(cursor.last, 7);
});

test("reset forgets the conversation", () => {
  const cursor = new SeqCursor(2);
  cursor.accept(6);
  cursor.reset();
  assert.equal(cursor.last, 0);
  assert.equal(cursor.hasGap(), false);
  assert.equal(cursor.classify(1), "next");
});
