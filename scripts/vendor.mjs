// Third-party browser files the desk serves itself (no CDN; the CSP allows scripts from this
// origin only): copied from node_modules at the exact versions package.json pins, and
// committed, so `make run` and deployments need no node.
//   node scripts/vendor.mjs          copy them into static/vendor/
//   node scripts/vendor.mjs --check  fail if a committed copy differs from node_modules'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const FILES = [
  ["echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
  ["echarts/LICENSE", "echarts/LICENSE"],
  ["echarts/NOTICE", "echarts/NOTICE"],
];

const check = process.argv.includes("--check");
let stale = 0;
for (const [from, to] of FILES) {
  const source = join(root, "node_modules", from);
  const target = join(root, "static", "vendor", to);
  if (!existsSync(source)) {
    console.error(`missing ${source}: run npm ci`);
    process.exit(2);
  }
  if (check) {
    if (!existsSync(target) || !readFileSync(source).equals(readFileSync(target))) {
      console.error(`static/vendor/${to} differs from node_modules/${from}: run make vendor`);
      stale += 1;
    }
  } else {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
  }
}
process.exit(stale ? 1 : 0);
