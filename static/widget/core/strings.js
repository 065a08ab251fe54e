// @ts-check
/**
 * The widget's UI strings: the server's (from /api/widget/config, translated by Django)
 * win; a part's own `strings` table is the fallback; an unknown key shows as itself.
 */

import { interpolate } from "../../shared/i18n.js";
import { language } from "./config.js";
import { state } from "./state.js";

/** @type {Record<string, Record<string, string>>} language → key → text, from parts */
export const partStrings = {};

/**
 * @param {string} key
 * @param {Record<string, unknown>} [params] fills `%(name)s`
 * @returns {string}
 */
export function t(key, params) {
  let text = state.strings[key];
  if (text === undefined) {
    const own = partStrings[language] || {};
    text = own[key] !== undefined ? own[key] : (partStrings.en || {})[key];
  }
  if (text === undefined) text = key;
  return params ? interpolate(text, params) : text;
}
