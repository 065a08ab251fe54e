// @ts-check
/**
 * The safe DOM builder of both UIs. Strings always become text nodes, never HTML: message
 * and shopper data reach the page only this way (or through textContent).
 */

/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Child[]} Children */
/**
 * Attributes: `class`, `dataset` (an object), `text` (textContent), `on<event>` (a listener),
 * `true` → an empty attribute (`hidden`, `disabled`), a non-string value of a property the
 * element has → that property (`width: 120`), anything else → an attribute; null, undefined
 * and false are skipped.
 * @typedef {Record<string, unknown>} Attrs
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    } else if (value === true) node.setAttribute(key, "");
    else if (typeof value !== "string" && key in node) {
      /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (node))[key] = value;
    } else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/**
 * Append children to `node`: nodes as they are, anything else as text.
 * @param {ParentNode} node
 * @param {Children[]} children
 */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = "http://www.w3.org/2000/svg";

/**
 * A 24×24 icon from an SVG path (emoji need an emoji font, which many systems lack).
 * @param {string} pathData
 * @param {string} [className]
 * @returns {SVGSVGElement}
 */
export function svgIcon(pathData, className = "hd-icon") {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", className);
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", String(pathData));
  svg.append(path);
  return svg;
}

/**
 * The element with this id; a page without it is a broken template, said loudly.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error("missing #" + id);
  return node;
}

/**
 * The first element under `root` matching `selector`; missing means a broken template.
 * @template {Element} [E=HTMLElement]
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {E}
 */
export function find(root, selector) {
  const node = root.querySelector(selector);
  if (!node) throw new Error("missing " + selector);
  return /** @type {E} */ (/** @type {unknown} */ (node));
}

/**
 * Whether a scrollable list is (nearly) scrolled to its end: new content then keeps it there.
 * @param {Element} list
 */
export function nearBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}
