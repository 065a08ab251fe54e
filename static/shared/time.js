// @ts-check
/** Times as people read them, in the UI's language. */

/**
 * @typedef {object} TimeOptions
 * @property {string} [locale] a BCP 47 tag; the browser's default when missing
 * @property {boolean} [dateIfNotToday] add the day for a time that is not today
 * @property {Date} [now]
 */

const HOUR_MINUTE = /** @type {const} */ ({ hour: "2-digit", minute: "2-digit" });

/**
 * A short local time ("10:01"); with `dateIfNotToday`, "Nov 20 10:01" for another day.
 * Empty for a missing or unreadable value.
 * @param {string | null | undefined} iso
 * @param {TimeOptions} [options]
 */
export function formatTime(iso, options = {}) {
  if (!iso) return "";
  const date = new Date(iso);
  if (isNaN(date.getTime())) return "";
  const locale = options.locale || undefined;
  const time = date.toLocaleTimeString(locale, HOUR_MINUTE);
  if (!options.dateIfNotToday) return time;
  const now = options.now || new Date();
  if (date.toDateString() === now.toDateString()) return time;
  return date.toLocaleDateString(locale, { month: "short", day: "numeric" }) + " " + time;
}

/**
 * The locale tag for a Django language code ("zh-hans" → "zh-CN").
 * @param {string | null | undefined} language
 * @returns {string | undefined}
 */
export function localeOf(language) {
  if (!language) return undefined;
  return /^zh/i.test(language) ? "zh-CN" : language;
}
