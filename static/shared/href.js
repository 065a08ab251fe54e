// @ts-check
/**
 * Links built from data (a shopper's page, a shop's tracking URL, a card's link) are only
 * followed when they are http(s): a `javascript:` or `data:` URL in the data must never run.
 * @param {unknown} url
 * @param {string} [base] to resolve a relative URL against (the page's URL by default)
 * @returns {string | null} the absolute URL, or null when it is not a safe link
 */
export function safeHref(url, base) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, base || (typeof location === "undefined" ? undefined : location.href));
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}
