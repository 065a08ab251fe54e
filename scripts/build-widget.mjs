// @ts-check
// Bundles the storefront widget's core (static/widget/core/*.js, ES modules, and the shared
// helpers it imports) into static/widget/widget.js: one classic script, the single tag shops
// embed. docs/frontend.md ("One file for shops") has the measurement behind it.
//
//   node scripts/build-widget.mjs          write static/widget/widget.js
//   node scripts/build-widget.mjs --check  fail if the committed file is not what the sources build
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "static/widget/core/main.js");
const outfile = join(root, "static/widget/widget.js");

const BANNER = `/*
 * Helpdesk storefront widget: the one script a shop includes.
 *
 *   <script src="https://desk.example.com/static/widget/widget.js" async></script>
 *
 * GENERATED from static/widget/core/ by scripts/build-widget.mjs (make widget): do not edit.
 */`;

const result = await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  format: "iife",
  target: "es2020",
  charset: "utf8",
  legalComments: "none",
  banner: { js: BANNER },
  write: false,
  absWorkingDir: root,
  logLevel: "warning",
});
const built = result.outputFiles[0].text;

if (process.argv.includes("--check")) {
  let committed = "";
  try {
    committed = readFileSync(outfile, "utf8");
  } catch {
    /* missing: not up to date */
  }
  if (committed !== built) {
    console.error("static/widget/widget.js is not built from static/widget/core/: run `make widget`.");
    process.exit(1);
  }
} else {
  writeFileSync(outfile, built);
  console.log(`static/widget/widget.js: ${built.length} characters`);
}
