// @ts-check
// Fails when the front end's modules import each other in a circle (docs/frontend.md, "Who
// imports what"): a module that needs a piece of a higher one gets that piece moved down, or
// is handed a function by the module above it. `make lint-js` runs it.
//
//   node scripts/import-circles.mjs        list every circle among static/**/*.js, exit 1 if any
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Generated or copied in: static/widget/widget.js is the bundle of static/widget/core/.
const SKIP = new Set(["static/vendor", "static/widget/widget.js"]);

/**
 * Every .js file below `dir`, as paths relative to the repository.
 * @param {string} dir
 * @returns {string[]}
 */
function sources(dir) {
  const found = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (SKIP.has(path)) continue;
    if (entry.isDirectory()) found.push(...sources(path));
    else if (entry.name.endsWith(".js")) found.push(path);
  }
  return found;
}

/**
 * The relative modules `text` imports at run time: static `import … from`, `export … from`,
 * bare `import "…"` and `import("…")` with a literal, outside comments (a JSDoc
 * `import("./types")` names a type, not a module that runs).
 * @param {string} text
 * @returns {string[]}
 */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'\\])\/\/.*$/gm, "$1");
  const found = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      if (match[1].startsWith(".")) found.push(match[1]);
    }
  }
  return found;
}

/**
 * The strongly connected components of more than one module (Tarjan), each sorted.
 * @param {Map<string, Set<string>>} graph module → the modules it imports
 * @returns {string[][]}
 */
export function circles(graph) {
  /** @type {Map<string, number>} */
  const index = new Map();
  /** @type {Map<string, number>} */
  const low = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  /** @type {string[][]} */
  const found = [];
  /** @param {string} node */
  function visit(node) {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of [...(graph.get(node) || [])].sort()) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      for (;;) {
        const member = /** @type {string} */ (stack.pop());
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  }
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** @returns {Map<string, Set<string>>} every module of static/ → the modules of static/ it imports */
function importGraph() {
  const files = new Set(sources("static"));
  const graph = new Map();
  for (const file of files) {
    const targets = new Set();
    for (const spec of importsOf(readFileSync(join(root, file), "utf8"))) {
      const target = relative(root, resolve(root, dirname(file), spec));
      if (files.has(target) && target !== file) targets.add(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const graph = importGraph();
  const found = circles(graph);
  for (const circle of found) {
    console.error(`import circle: ${circle.join(" <-> ")}`);
    for (const file of circle) {
      const inside = [...(graph.get(file) || [])].filter((t) => circle.includes(t));
      console.error(`  ${file} imports ${inside.join(", ")}`);
    }
  }
  if (found.length) process.exit(1);
}
