// @ts-check
/**
 * Custom attributes: a sidebar section with the conversation's and its contact's attributes,
 * each edited in place and saved on change (the server checks the type; its message shows
 * under the field), and the list's attribute filter (`#dk-attr`, `#dk-attr-value`).
 * Data: GET /api/v1/attributes/, GET/POST /api/v1/conversations/{id}/attributes,
 * GET /api/v1/conversations/?attribute=<applies_to>.<key>:<value> (docs/protocol.md).
 * Another agent's change arrives as `conversation.attributes_changed` and updates the open
 * sidebar in place (a field this agent is editing is left alone).
 */
import { el } from "../shared/dom.js";
import { api, register, t } from "./desk.js";
import { setListFilter } from "./list.js";

/**
 * @typedef {{id: number, applies_to: string, key: string, label: string, kind: string, options: string[], description: string}} Definition
 * @typedef {{definitions: Definition[], conversation: Record<string, any>, contact: Record<string, any>}} Values
 */

/** @type {Promise<Definition[]> | null} */
let definitions = null;
function loadDefinitions() {
  if (!definitions) {
    definitions = api.fetch("/api/v1/attributes/").then(
      (/** @type {{results: Definition[]}} */ data) => data.results || [],
      () => {
        definitions = null;
        return [];
      },
    );
  }
  return definitions;
}

/**
 * The control of one attribute, with its current value.
 * @param {Definition} d
 * @param {any} value
 * @param {string} id
 */
function control(d, value, id) {
  const common = { id, name: d.applies_to + "." + d.key, class: "dk-attr-input", dataset: { key: d.key, kind: d.kind } };
  if (d.kind === "checkbox") return el("input", { ...common, type: "checkbox", checked: value === true });
  if (d.kind === "list") {
    const select = /** @type {HTMLSelectElement} */ (
      el("select", { ...common, class: "dk-select dk-attr-input" }, el("option", { value: "" }, t("Not set")), ...d.options.map((o) => el("option", { value: o }, o)))
    );
    select.value = typeof value === "string" ? value : "";
    return select;
  }
  /** @type {Record<string, string>} */
  const types = { date: "date", link: "url", number: "text", text: "text" };
  const input = /** @type {HTMLInputElement} */ (
    el("input", {
      ...common,
      class: "dk-input dk-attr-input",
      type: types[d.kind] || "text",
      placeholder: d.kind === "link" ? "https://" : "",
      value: value === undefined || value === null ? "" : String(value),
    })
  );
  // Typed as text so any entry reaches the server, whose message says what a number is.
  if (d.kind === "number") input.inputMode = "decimal";
  return input;
}

/**
 * @param {HTMLElement} section
 * @param {number} conversationId
 * @param {Values} data
 */
function renderForm(section, conversationId, data) {
  const groups = [
    ["conversation", t("Conversation attributes")],
    ["contact", t("Contact attributes")],
  ];
  const status = el("p", { class: "dk-attr-status", role: "status", "aria-live": "polite" });
  const blocks = [];
  for (const [scope, title] of groups) {
    const defs = data.definitions.filter((d) => d.applies_to === scope);
    if (!defs.length) continue;
    const fields = defs.map((d) => {
      const id = "dk-attr-" + conversationId + "-" + scope + "-" + d.key;
      const errorId = id + "-error";
      const input = /** @type {HTMLInputElement | HTMLSelectElement} */ (control(d, /** @type {any} */ (data)[scope][d.key], id));
      const error = el("p", { class: "dk-attr-error", id: errorId, hidden: true });
      input.setAttribute("aria-describedby", errorId);
      input.addEventListener("change", () => save(section, conversationId, scope, d, input, error, status));
      const label = el("label", { for: id, class: "dk-attr-label" }, d.label);
      if (d.description) label.title = d.description;
      return el("div", { class: "dk-attr", dataset: { attribute: scope + "." + d.key } }, d.kind === "checkbox" ? el("div", { class: "dk-attr-check" }, input, label) : [label, input], error);
    });
    blocks.push(el("h3", { class: "dk-panel-title" }, title), el("div", { class: "dk-attrs" }, fields));
  }
  section.replaceChildren(...blocks, blocks.length ? status : "");
}

/**
 * @param {HTMLElement} section
 * @param {number} conversationId
 * @param {string} scope
 * @param {Definition} d
 * @param {HTMLInputElement | HTMLSelectElement} input
 * @param {HTMLElement} error
 * @param {HTMLElement} status
 * @returns {Promise<void>}
 */
function save(section, conversationId, scope, d, input, error, status) {
  const value = input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value;
  const next = (saving.get(section) || Promise.resolve()).then(() =>
    saveNow(conversationId, scope, d, value, input, error, status, section),
  );
  saving.set(section, next);
  return next;
}

/**
 * A section's saves, one at a time in the order the agent made them: two quick changes of
 * one field reach the server in that order (in parallel the older could land last and win),
 * and the status names the field saved last.
 * @type {WeakMap<HTMLElement, Promise<void>>}
 */
const saving = new WeakMap();

/**
 * @param {number} conversationId
 * @param {string} scope
 * @param {Definition} d
 * @param {string | boolean} value
 * @param {HTMLInputElement | HTMLSelectElement} input
 * @param {HTMLElement} error
 * @param {HTMLElement} status
 * @param {HTMLElement} section
 */
async function saveNow(conversationId, scope, d, value, input, error, status, section) {
  try {
    await api.fetch(api.config.urls.conversations + conversationId + "/attributes", {
      method: "POST",
      json: { [scope]: { [d.key]: value } },
    });
    error.hidden = true;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    status.textContent = t("%s saved.", [d.label]);
  } catch (failure) {
    const problem = /** @type {import("./types").ApiError} */ (failure);
    const fields = /** @type {Record<string, string[]>} */ (problem.fields || {});
    const message = (fields[scope + "." + d.key] || [])[0] || problem.detail || t("That did not work.");
    error.textContent = message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    status.textContent = "";
  }
  section.dataset.saved = String(Date.now());
}

/** The open sidebars' attribute sections, by conversation. @type {Map<number, HTMLElement>} */
const sections = new Map();

/**
 * Show values another agent saved. A key this sidebar does not show (an attribute defined
 * since it loaded) reloads the section.
 * @param {HTMLElement} section
 * @param {number} conversationId
 * @param {Record<string, Record<string, any>>} changed
 * @param {boolean} byMe
 */
function applyChanged(section, conversationId, changed, byMe) {
  const labels = [];
  for (const [scope, values] of Object.entries(changed || {})) {
    for (const [key, value] of Object.entries(values || {})) {
      const box = section.querySelector('[data-attribute="' + CSS.escape(scope + "." + key) + '"]');
      const input = box && /** @type {HTMLInputElement | HTMLSelectElement | null} */ (box.querySelector(".dk-attr-input"));
      if (!box || !input) {
        loadPanel(section, conversationId);
        return;
      }
      if (input === document.activeElement) continue;
      if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = value === true;
      else input.value = value === null || value === undefined ? "" : String(value);
      const error = box.querySelector(".dk-attr-error");
      if (error) {
        error.textContent = "";
        /** @type {HTMLElement} */ (error).hidden = true;
      }
      input.removeAttribute("aria-invalid");
      const label = box.querySelector(".dk-attr-label");
      if (label) labels.push(label.textContent || "");
    }
  }
  const status = section.querySelector(".dk-attr-status");
  if (status && labels.length && !byMe) status.textContent = t("%s changed by another agent.", [labels.join(", ")]);
  section.dataset.updated = String(Date.now());
}

/**
 * @param {HTMLElement} section
 * @param {number} conversationId
 */
async function loadPanel(section, conversationId) {
  sections.set(conversationId, section);
  try {
    const data = /** @type {Values} */ (await api.fetch(api.config.urls.conversations + conversationId + "/attributes"));
    renderForm(section, conversationId, data);
  } catch {
    section.replaceChildren();
  }
}

register({
  name: "attributes",
  sidebarPanel(c, section) {
    return loadPanel(section, c.id);
  },
  onFrame(frame) {
    if (frame.type !== "conversation.attributes_changed") return;
    const section = sections.get(frame.conversation);
    if (!section) return;
    if (!section.isConnected) {
      sections.delete(frame.conversation);
      return;
    }
    applyChanged(section, frame.conversation, frame.changed, frame.by === api.me.id);
  },
});

/** The list's attribute filter: pick an attribute, then its value. */
export async function initAttributes() {
  const row = document.querySelector(".dk-filters-more");
  const defs = await loadDefinitions();
  if (!row || !defs.length) return;
  const pick = /** @type {HTMLSelectElement} */ (
    el(
      "select",
      { id: "dk-attr", class: "dk-select", "aria-label": t("Attribute") },
      el("option", { value: "" }, t("Any attribute")),
      ...defs.map((d) => el("option", { value: d.applies_to + "." + d.key }, d.label)),
    )
  );
  /** @type {HTMLInputElement | HTMLSelectElement} */
  let value = /** @type {HTMLInputElement} */ (el("input", { id: "dk-attr-value", class: "dk-input", type: "search", hidden: true, "aria-label": t("Attribute value") }));
  const apply = () => {
    const spec = pick.value ? pick.value + ":" + value.value.trim() : "";
    setListFilter("attribute", spec, () => null);
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const wire = () => {
    value.addEventListener(value instanceof HTMLSelectElement ? "change" : "input", () => {
      clearTimeout(timer);
      timer = setTimeout(apply, 300);
    });
  };
  pick.addEventListener("change", () => {
    const d = defs.find((x) => x.applies_to + "." + x.key === pick.value);
    /** @type {HTMLInputElement | HTMLSelectElement} */
    let next;
    if (d && (d.kind === "list" || d.kind === "checkbox")) {
      const options = d.kind === "list" ? d.options.map((o) => [o, o]) : [["true", t("Yes")], ["false", t("No")]];
      next = /** @type {HTMLSelectElement} */ (
        el("select", { id: "dk-attr-value", class: "dk-select", "aria-label": t("Attribute value") }, el("option", { value: "" }, t("Any value")), ...options.map(([v, label]) => el("option", { value: v }, label)))
      );
    } else {
      next = /** @type {HTMLInputElement} */ (
        el("input", { id: "dk-attr-value", class: "dk-input", type: "search", hidden: !d, placeholder: t("Value"), "aria-label": t("Attribute value") })
      );
    }
    value.replaceWith(next);
    value = next;
    wire();
    apply();
  });
  wire();
  row.append(pick, value);
}
