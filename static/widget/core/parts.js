// @ts-check
/**
 * The parts registry (the widget's plugin API, docs/frontend.md): `register`, the hooks
 * called on every part, the local events of `api.on`, and the loading of the part files the
 * config lists.
 */

import { el, svgIcon } from "../../shared/dom.js";
import { baseUrl, script } from "./config.js";
import { partName, partWanted } from "./part-files.js";
import { slots } from "./slots.js";
import { isReady } from "./socket.js";
import { state } from "./state.js";
import { partStrings, t } from "./strings.js";

/** @typedef {import("./types").WidgetPart} WidgetPart */

/**
 * The `api` object every hook and listener gets: built in api.js from the section modules,
 * which sit above this registry, and handed in by main.js through `partsApi` before any part
 * runs.
 * @type {import("./types").WidgetApi}
 */
let api = /** @type {any} */ (null);

/** @param {import("./types").WidgetApi} given */
export function partsApi(given) {
  api = given;
}

/** @type {WidgetPart[]} in registration order */
export const parts = [];
/** @type {Record<string, Function[]>} */
export const listeners = {};

/**
 * Run `fn`; a throw is logged, never passed on (a broken part never breaks the chat).
 * @template T
 * @param {() => T} fn
 * @returns {T | undefined}
 */
export function safe(fn) {
  try {
    return fn();
  } catch (error) {
    if (window.console) console.error("[helpdesk widget]", error);
    return undefined;
  }
}

/**
 * Tell the `api.on(event)` listeners.
 * @param {string} event
 * @param {unknown} [payload]
 */
export function emit(event, payload) {
  for (const fn of listeners[event] || []) safe(() => fn(payload, api));
}

/**
 * Call `hook` on every part that has it, in registration order.
 * @param {string} hook
 * @param {...unknown} args
 */
export function callParts(hook, ...args) {
  for (const part of parts) callPart(part, hook, ...args);
}

/**
 * Call one part's `hook`, if it has it, with the api last; what it returns, or undefined
 * when it throws.
 * @param {WidgetPart} part
 * @param {string} hook
 * @param {...unknown} args
 * @returns {unknown}
 */
export function callPart(part, hook, ...args) {
  const fn = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (part))[hook];
  return typeof fn === "function" ? safe(() => fn.call(part, ...args, api)) : undefined;
}

/**
 * Add a part's styles and composer buttons, and catch it up on the state already reached.
 * @param {WidgetPart} part
 */
export function installPart(part) {
  if (part.styles) {
    slots.root.append(el("style", { "data-part": part.name }, String(part.styles)));
  }
  for (const button of part.composerButtons || []) {
    const label = t(button.label || button.id || part.name);
    slots.tools.append(
      el(
        "button",
        {
          type: "button",
          class: "hd-tool",
          "data-testid": "hd-tool-" + (button.id || part.name),
          "aria-label": label,
          title: label,
          onclick: (/** @type {Event} */ event) => safe(() => button.onClick(api, event)),
        },
        button.iconPath ? svgIcon(button.iconPath) : button.icon || "•",
      ),
    );
  }
  if (typeof part.onReady === "function") safe(() => part.onReady?.(api));
  const session = state.session;
  if (session && typeof part.onSession === "function") safe(() => part.onSession?.(session, api));
  if (isReady() && typeof part.onConnect === "function") {
    safe(() => part.onConnect?.({ type: "ready", conversation: state.conversation }, api));
  }
}

/**
 * `HelpdeskWidget.register(part)`: a part registered after the panel is built is installed
 * at once.
 * @param {WidgetPart} part
 */
export function register(part) {
  if (!part || typeof part.name !== "string" || parts.some((p) => p.name === part.name)) return;
  parts.push(part);
  for (const [lang, table] of Object.entries(part.strings || {})) {
    partStrings[lang] = Object.assign(partStrings[lang] || {}, table);
  }
  if (state.built) installPart(part);
}

/**
 * Load the part files the config lists (as plain scripts, in order), less those the tag's
 * `data-parts` leaves out.
 * @param {string[] | undefined} urls
 * @returns {Promise<unknown>}
 */
export function loadParts(urls) {
  const wanted = (script.dataset.parts || "").trim();
  if (wanted === "none") return Promise.resolve();
  const allow = wanted ? wanted.split(",").map((s) => s.trim()) : null;
  const loads = [];
  for (const path of urls || []) {
    const name = partName(path);
    if (allow && !partWanted(name, allow)) continue;
    const tag = document.createElement("script");
    tag.src = new URL(path, baseUrl + "/").href;
    tag.async = false; // keep manifest order
    tag.dataset.helpdeskPart = name;
    loads.push(
      new Promise((resolve) => {
        tag.onload = resolve;
        tag.onerror = resolve;
      }),
    );
    document.head.append(tag);
  }
  return Promise.all(loads);
}
