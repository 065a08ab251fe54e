import assert from "node:assert/strict";
import { test } from "node:test";

import { partName, partWanted } from "../../../static/widget/core/part-files.js";

test("a part file's name leaves out the folder, .js and a numeric prefix", () => {
  assert.equal(partName("/static/widget/parts/media.js"), "media");
  assert.equal(partName("/static/widget/parts/20-media-bubbles.js"), "media-bubbles");
});

test("data-parts loads a part file by its name or by the part it belongs to", () => {
  assert.equal(partWanted("media", ["cards", "media"]), true);
  assert.equal(partWanted("media-bubbles", ["cards", "media"]), true);
  assert.equal(partWanted("media-bubbles", ["media-bubbles"]), true);
  assert.equal(partWanted("media", ["media-bubbles"]), false);
  assert.equal(partWanted("media-bubbles", ["cards"]), false);
  assert.equal(partWanted("bot", ["cards", "media"]), false);
});
