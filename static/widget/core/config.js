// @ts-check
/**
 * What the embedding page tells the widget: the script tag's attributes, the desk's URLs, the
 * language, and the widget's fixed timings.
 */

/**
 * The `<script>` tag that loaded the widget (its `data-*` attributes configure it): the bundle
 * `widget/widget.js`, or the unbundled entry `widget/core/main.js` (a module: no
 * `currentScript`), which development and bench/widget_load.py use.
 */
export const script = /** @type {HTMLScriptElement} */ (
  document.currentScript ||
    document.querySelector('script[src*="/widget/widget.js"], script[src*="/widget/core/main.js"]')
);
const scriptUrl = new URL(script.src, location.href);
/** The desk's origin, e.g. `https://desk.example.com` (no trailing slash). */
export const baseUrl = (script.dataset.desk || scriptUrl.origin).replace(/\/+$/, "");
/** URL of `static/widget/` (ends with `/`). */
export const staticUrl = new URL(/\/core\/main\.js$/.test(scriptUrl.pathname) ? "../" : "./", scriptUrl).href;
/** The shoppers' languages the widget has words for besides English and Chinese. */
const LANGUAGES = ["de", "ja"];

/** `"en"`, `"zh-hans"`, `"de"` or `"ja"` (helpdesk/storefront.py, WIDGET_LANGUAGES). */
export const language = pickLanguage(script.dataset.lang || navigator.language || "en");

export const TOKEN_KEY = "helpdesk:visitor_token";
export const OUTBOX_KEY = "helpdesk:outbox";
export const TYPING_REPEAT_MS = 3000;
export const TYPING_IDLE_MS = 4000;
export const REMOTE_TYPING_MS = 7000;

/** @param {string} tag a browser's language tag (`de-AT`, `zh-CN`, `ja`) */
export function pickLanguage(tag) {
  const base = String(tag).toLowerCase().split(/[-_]/)[0];
  if (base === "zh") return "zh-hans";
  return LANGUAGES.includes(base) ? base : "en";
}

/** The BCP 47 tag of the widget's language, for `lang` and dates. */
export const locale = language === "zh-hans" ? "zh-Hans" : language;
