// @ts-check
/**
 * The one way both UIs translate: Django's JavaScript catalog (the `djangojs` domain, in
 * JSON: `{catalog, plural}`, from `JSONCatalog` or the widget's config). The English text is
 * the message id; a string missing from the catalog shows in English.
 *
 * Placeholders follow Django's `interpolate`: `%(name)s` filled from an object, `%s` filled
 * in order from an array.
 */

/**
 * @typedef {object} CatalogData
 * @property {Record<string, string | string[]>} [catalog] msgid → translation (or plural forms)
 * @property {string | null} [plural] the catalogue's plural expression, e.g. "(n != 1)"
 */

/** @typedef {Record<string, unknown> | unknown[]} Params */

/**
 * Which plural form `n` takes. The expression is not evaluated (a strict CSP forbids eval):
 * the forms of the languages we ship are recognised, anything else uses the English rule.
 * @param {string | null | undefined} plural
 * @param {number} n
 */
export function pluralIndex(plural, n) {
  const rule = String(plural ?? "").replace(/\s+/g, "").replace(/;$/, "");
  if (rule === "0") return 0; // Chinese, Japanese, …: one form
  if (rule === "(n>1)" || rule === "n>1") return n > 1 ? 1 : 0; // French
  return n === 1 ? 0 : 1;
}

/**
 * Fill `%(name)s` from an object or `%s` in order from an array; unknown names stay as typed.
 * @param {string} format
 * @param {Params} [params]
 */
export function interpolate(format, params) {
  if (!params) return format;
  if (Array.isArray(params)) {
    let index = 0;
    return format.replace(/%s/g, (match) => (index < params.length ? String(params[index++]) : match));
  }
  return format.replace(/%\((\w+)\)[sd]/g, (match, name) =>
    params[name] === undefined ? match : String(params[name]),
  );
}

export class Translator {
  /** @param {CatalogData} [data] */
  constructor(data = {}) {
    /** @type {Record<string, string | string[]>} */
    this.catalog = {};
    /** @type {string | null} */
    this.plural = null;
    this.load(data);
  }

  /**
   * Add a catalogue (later entries win).
   * @param {CatalogData} data
   */
  load(data) {
    Object.assign(this.catalog, (data && data.catalog) || {});
    if (data && data.plural !== undefined) this.plural = data.plural;
  }

  /**
   * @param {string} msgid
   * @returns {string}
   */
  gettext(msgid) {
    const value = this.catalog[msgid];
    if (typeof value === "string") return value;
    if (Array.isArray(value) && typeof value[0] === "string") return value[0];
    return msgid;
  }

  /**
   * @param {string} singular
   * @param {string} plural
   * @param {number} n
   */
  ngettext(singular, plural, n) {
    const value = this.catalog[singular];
    if (Array.isArray(value)) {
      const form = value[pluralIndex(this.plural, n)];
      if (typeof form === "string") return form;
    }
    return n === 1 ? singular : plural;
  }

  /**
   * Translate and fill placeholders: `t("%(name)s is typing…", {name})`, `t("#%s in queue", [n])`.
   * @param {string} msgid
   * @param {Params} [params]
   */
  t(msgid, params) {
    return interpolate(this.gettext(msgid), params);
  }
}
