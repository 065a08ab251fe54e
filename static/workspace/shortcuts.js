// @ts-check
/**
 * Keyboard shortcuts of the workspace: `j` / `k` next and previous conversation of the list,
 * `r` reply, `n` internal note, `e` resolve, `a` assign to me, `/` search, `?` this list.
 * Keys typed into a field are the field's; Escape leaves the field (or closes the list).
 */
import { byId, el } from "../shared/dom.js";
import { api, t } from "./desk.js";
import { layout, panes } from "./panes.js";

/**
 * Keys other modules add (priority.js …): key → what it does (translated when shown) and the
 * action. Added before the core's `?` and `Esc` in the help.
 * @type {Map<string, {what: () => string, run: () => void}>}
 */
const added = new Map();

/**
 * Add a shortcut; a key the core already uses is refused.
 * @param {string} key
 * @param {() => string} what
 * @param {() => void} run
 */
export function shortcutRegister(key, what, run) {
  if (key in ACTIONS || added.has(key)) throw new Error("shortcut " + key + " is taken");
  added.set(key, { what, run });
}

/** @returns {[string, string][]} key and what it does, in the order the help lists them */
function shortcuts() {
  return [
    ["j", t("Next conversation")],
    ["k", t("Previous conversation")],
    ["r", t("Reply")],
    ["n", t("Internal note")],
    ["e", t("Resolve")],
    ["a", t("Assign to me")],
    ["/", t("Search")],
    .../** @type {[string, string][]} */ ([...added].map(([key, s]) => [key, s.what()])),
    ["?", t("Show keyboard shortcuts")],
    ["Esc", t("Leave the text box or close this list")],
  ];
}

/** @type {HTMLElement | null} */
let help = null;

function toggleHelp() {
  if (help) {
    help.remove();
    help = null;
    return;
  }
  const rows = shortcuts().map(([key, what]) => el("tr", {}, el("td", {}, el("kbd", {}, key)), el("td", {}, what)));
  const close = el("button", { type: "button", class: "dk-btn dk-btn-ghost", onclick: toggleHelp }, t("Close"));
  help = el(
    "div",
    { class: "dk-shortcuts", role: "dialog", "aria-modal": "true", "aria-label": t("Keyboard shortcuts"), dataset: { testid: "dk-shortcuts" } },
    el("div", { class: "dk-shortcuts-box" }, el("h2", {}, t("Keyboard shortcuts")), el("table", {}, el("tbody", {}, ...rows)), close),
  );
  help.addEventListener("click", (event) => {
    if (event.target === help) toggleHelp();
  });
  document.body.append(help);
  close.focus();
}

/** The focused pane's root, if a conversation is open. */
export function focusedPane() {
  const pane = layout.focusedId === null ? undefined : panes.get(layout.focusedId);
  return pane || null;
}

/** @param {number} step +1 next, -1 previous, in the list's order */
function move(step) {
  const rows = /** @type {HTMLElement[]} */ ([...document.querySelectorAll("#dk-rows .dk-row")]);
  if (!rows.length) return;
  const at = rows.findIndex((row) => Number(row.dataset.id) === layout.focusedId);
  const next = at < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + step));
  const id = Number(rows[next].dataset.id);
  if (id && id !== layout.focusedId) {
    api.open(id);
    // Opening puts the cursor in the composer; walking the list keeps the keys for the list.
    const active = document.activeElement;
    if (active instanceof HTMLElement && active.classList.contains("dk-textarea")) active.blur();
  }
  rows[next].scrollIntoView({ block: "nearest" });
}

/** @param {boolean} note */
function compose(note) {
  const pane = focusedPane();
  if (!pane) return;
  const mode = /** @type {HTMLElement | null} */ (pane.root.querySelector(note ? ".dk-mode-note" : ".dk-mode-reply"));
  if (mode) mode.click();
  const area = /** @type {HTMLTextAreaElement | null} */ (pane.root.querySelector(".dk-textarea"));
  if (area) area.focus();
}

/** @param {string} selector a button of the focused pane's header, pressed if it is shown */
function press(selector) {
  const pane = focusedPane();
  const button = pane && /** @type {HTMLButtonElement | null} */ (pane.root.querySelector(selector));
  if (button && !button.hidden && !button.disabled) button.click();
}

/** @param {EventTarget | null} target */
function typing(target) {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** @type {Record<string, () => void>} */
const ACTIONS = {
  j: () => move(1),
  k: () => move(-1),
  r: () => compose(false),
  n: () => compose(true),
  e: () => press(".dk-resolve"),
  a: () => press(".dk-take"),
  "/": () => byId("dk-search").focus(),
  "?": toggleHelp,
};

/** @param {KeyboardEvent} event */
export function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (event.key === "Escape") {
    if (help) toggleHelp();
    else if (typing(event.target)) /** @type {HTMLElement} */ (event.target).blur();
    return;
  }
  if (typing(event.target)) return;
  const more = added.get(event.key);
  const action = ACTIONS[event.key] || (more && more.run);
  if (!action) return;
  if (help && event.key !== "?") toggleHelp();
  event.preventDefault();
  action();
}

export function initShortcuts() {
  document.addEventListener("keydown", onKey);
  const button = document.getElementById("dk-shortcuts-btn");
  if (button) button.addEventListener("click", toggleHelp);
}
