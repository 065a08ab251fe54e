// @ts-check
/**
 * The panel's elements, by name: what `build()` in panel.js makes and every section module
 * (and every part, through `api.slots`) draws into. Empty until the panel is built.
 */

/** @type {import("./types").Slots} filled by `build()` */
export const slots = /** @type {any} */ ({});
