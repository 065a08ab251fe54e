// @ts-check
/** Web storage that never throws: private modes and full quotas degrade to "not stored". */

/**
 * @param {string} key
 * @param {"local" | "session"} [area]
 * @returns {string | null}
 */
export function storageGet(key, area = "local") {
  try {
    return (area === "session" ? window.sessionStorage : window.localStorage).getItem(key);
  } catch {
    return null;
  }
}

/**
 * Store `value` (or remove the key for null).
 * @param {string} key
 * @param {string | null} value
 * @param {"local" | "session"} [area]
 */
export function storageSet(key, value, area = "local") {
  try {
    const storage = area === "session" ? window.sessionStorage : window.localStorage;
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    /* kept in memory only */
  }
}
