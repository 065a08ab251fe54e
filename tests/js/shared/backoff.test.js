import assert from "node:assert/strict";
import { test } from "node:test";

import { Backoff, backoffDelay } from "../../../static/shared/backoff.js";

test("the first retry waits between half a second and a second", () => {
  assert.equal(backoffDelay(1, { random: () => 0 }), 500);
  assert.equal(backoffDelay(1, { random: () => 0.999999 }) < 1000, true);
});

test("each failure doubles the ceiling, with half of it random", () => {
  const low = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, { random: () => 0 }));
  const high = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, { random: () => 1 }));
  assert.deepEqual(low, [500, 1000, 2000, 4000, 8000]);
  assert.deepEqual(high, [1000, 2000, 4000, 8000, 16000]);
});

test("the delay never passes the maximum, even after days offline", () => {
  for (const attempt of [6, 7, 50, 5000]) {
    assert.equal(backoffDelay(attempt, { random: () => 1 }), 30000);
    assert.equal(backoffDelay(attempt, { random: () => 0 }), 15000);
  }
  assert.equal(backoffDelay(3, { baseMs: 1000, maxMs: 5000, random: () => 1 }), 5000);
});

test("jitter spreads clients that failed together", () => {
  const delays = new Set();
  for (let i = 0; i < 50; i += 1) delays.add(Math.round(backoffDelay(4)));
  assert.ok(delays.size > 10, "delays should differ between clients");
  for (const delay of delays) assert.ok(delay >= 4000 && delay <= 8000, String(delay));
});

test("Backoff counts failures and a success starts over", () => {
  const backoff = new Backoff({ random: () => 0 });
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [500, 1000, 2000]);
  backoff.reset();
  assert.equal(backoff.next(), 500);
});
