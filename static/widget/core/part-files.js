// @ts-check
/**
 * Which part files the widget loads: a file's part name, and whether the embedding tag's
 * `data-parts` asks for it (docs/frontend.md, "Embedding").
 */

/**
 * "/static/widget/parts/20-media.js" -> "media": the file name without `.js` and without a
 * numeric `NN-` prefix.
 * @param {string} path
 */
export function partName(path) {
  return (path.split("/").pop() || "").replace(/\.js$/, "").replace(/^\d+-/, "");
}

/**
 * Whether `data-parts` asks for the part file `name`: by its name, or by the part it belongs
 * to, the name before its first hyphen (`media-bubbles` loads with `media`).
 * @param {string} name a part file's name (`partName`)
 * @param {string[]} allow the names `data-parts` lists
 */
export function partWanted(name, allow) {
  return allow.includes(name) || allow.includes(name.split("-")[0]);
}
