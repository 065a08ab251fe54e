import assert from "node:assert/strict";
import { test } from "node:test";

import { Translator, interpolate, pluralIndex } from "../../../static/shared/i18n.js";

const zh = new Translator({
  catalog: { "Open chat": "打开聊天", "%(name)s is typing…": "%(name)s 正在输入…", "#%s in queue": "排队第 %s 位", "%s file": ["%s 个文件"] },
  plural: "0",
});

test("a message in the catalogue is translated, any other shows in English", () => {
  assert.equal(zh.t("Open chat"), "打开聊天");
  assert.equal(zh.t("Close chat"), "Close chat");
  assert.equal(new Translator().t("Open chat"), "Open chat");
});

test("named and positional placeholders are filled after translation", () => {
  assert.equal(zh.t("%(name)s is typing…", { name: "Ana" }), "Ana 正在输入…");
  assert.equal(zh.t("#%s in queue", [3]), "排队第 3 位");
  assert.equal(interpolate("%(a)s and %(b)s", { a: 1 }), "1 and %(b)s");
  assert.equal(interpolate("%s of %s", ["x"]), "x of %s");
  assert.equal(interpolate("100%(n)d", { n: 5 }), "1005");
});

test("plural forms follow the catalogue's rule without evaluating it", () => {
  assert.equal(zh.ngettext("%s file", "%s files", 5), "%s 个文件");
  const en = new Translator({ catalog: {}, plural: "(n != 1)" });
  assert.equal(en.ngettext("%s file", "%s files", 1), "%s file");
  assert.equal(en.ngettext("%s file", "%s files", 2), "%s files");
  assert.equal(pluralIndex("(n != 1)", 0), 1);
  assert.equal(pluralIndex("0", 7), 0);
  assert.equal(pluralIndex("(n > 1)", 1), 0);
  assert.equal(pluralIndex(null, 1), 0);
});

test("a later catalogue adds to the first", () => {
  const t = new Translator({ catalog: { a: "A" } });
  t.load({ catalog: { b: "B" } });
  assert.deepEqual([t.t("a"), t.t("b")], ["A", "B"]);
});
