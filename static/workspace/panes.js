// @ts-check
/**
 * The open conversations' panes and which of them are shown: the state the tabs, the
 * timelines and the composers share. (What each does with it lives in its own module.)
 */
import { storageGet } from "../shared/storage.js";

/** @typedef {import("./types").Pane} Pane */

/** @type {Map<number, Pane>} conversation id → pane */
export const panes = new Map();

export const layout = {
  /** @type {number[]} tab order */
  order: [],
  /** @type {number | null} */
  focusedId: null,
  /** @type {number | null} the other pane shown in split view */
  secondaryId: null,
  split: storageGet("desk.split") === "1",
};

/**
 * Shown on screen and the tab is visible: its new messages count as read.
 * @param {Pane} pane
 */
export function isVisible(pane) {
  return !document.hidden && (pane.id === layout.focusedId || (layout.split && pane.id === layout.secondaryId));
}
