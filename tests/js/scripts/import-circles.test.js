import assert from "node:assert/strict";
import { test } from "node:test";

import { circles, importsOf } from "../../../scripts/import-circles.mjs";

test("the circle finder finds every circle and only circles", () => {
  const graph = new Map(
    Object.entries({ a: ["b"], b: ["c"], c: ["a", "d"], d: [], e: ["d", "f"], f: ["e"] }).map(([k, v]) => [k, new Set(v)]),
  );
  assert.deepEqual(circles(graph), [["a", "b", "c"], ["e", "f"]]);
});

test("imports are read from code, not from comments or JSDoc types", () => {
  const text = [
    'import { a } from "./a.js";',
    'export { b } from "../b.js";',
    'import "./c.js";',
    'const d = import("./d.js");',
    "import {",
    "  e,",
    '} from "./e.js";',
    '/** @type {import("./types").Slots} */',
    '// import { f } from "./f.js";',
    'import { g } from "../../shared/g.js"; // see "https://example.com"',
    'import { h } from "node:h";',
  ].join("\n");
  assert.deepEqual(importsOf(text).sort(), ["../../shared/g.js", "../b.js", "./a.js", "./c.js", "./d.js", "./e.js"]);
});
