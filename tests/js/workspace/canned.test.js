import assert from "node:assert/strict";
import { test } from "node:test";

import { enterAction } from "../../../static/workspace/parts/canned.js";

const base = { menuOpen: false, pending: false, items: 0, hasToken: false, text: "" };

test("Enter on a picker with no match keeps the text instead of sending it", () => {
  assert.equal(enterAction({ ...base, menuOpen: true, hasToken: true, text: "/" }), "hold");
  assert.equal(enterAction({ ...base, menuOpen: true, hasToken: true, text: "thanks /zzz" }), "hold");
});

test("Enter before the picker's search answers does not send the half-typed shortcut", () => {
  assert.equal(enterAction({ ...base, pending: true, hasToken: true, text: "/ret" }), "hold");
});

test("a lone slash is never sent, even with the picker closed", () => {
  assert.equal(enterAction({ ...base, hasToken: true, text: "/" }), "hold");
  assert.equal(enterAction({ ...base, text: "  /\n" }), "hold");
});

test("Enter on a picker with matches inserts the highlighted reply", () => {
  assert.equal(enterAction({ ...base, menuOpen: true, items: 2, hasToken: true, text: "/re" }), "choose");
});

test("ordinary messages, and a shortcut the agent closed the picker on, are sent", () => {
  assert.equal(enterAction({ ...base, text: "hello" }), "pass");
  assert.equal(enterAction({ ...base, text: "see https://shop.example/returns" }), "pass");
  assert.equal(enterAction({ ...base, hasToken: true, text: "/shrug" }), "pass");
  assert.equal(enterAction({ ...base, text: "//" }), "pass");
});
