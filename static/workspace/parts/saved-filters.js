// @ts-check
/**
 * Saved filters (a part, docs/protocol.md "Extension (saved filters)"): above the list, the
 * agent's own filters and the ones colleagues shared, as buttons; one click sets the list's
 * view, status, channel, label, priority, order and search as saved. "Save filters" names the
 * current ones (optionally shared with the team); × deletes one of your own.
 * Data: GET / POST /api/v1/saved-filters/, DELETE /api/v1/saved-filters/{id}.
 *
 * The list's controls are driven as the agent would (a tab click, a select's change, the search
 * box's input), so the list and the other parts react as to a person.
 */
import { el } from "../../shared/dom.js";
import { api, t } from "../desk.js";

/** @typedef {{id: number, name: string, shared: boolean, mine: boolean, owner: {id: number, name: string}, filters: Record<string, string>}} Saved */

const SELECTS = { status: "dk-status", channel: "dk-channel", label: "dk-label", priority: "dk-priority", sort: "dk-sort" };

/** @type {Saved[]} */
let saved = [];
/** @type {HTMLElement | null} */
let bar = null;

/** The list's filters as they are now (what "Save filters" stores). */
export function currentFilters() {
  /** @type {Record<string, string>} */
  const out = {};
  const tab = /** @type {HTMLElement | null} */ (document.querySelector("#dk-tabs .dk-tab-active"));
  if (tab && tab.dataset.view) out.view = tab.dataset.view;
  for (const [key, id] of Object.entries(SELECTS)) {
    const select = /** @type {HTMLSelectElement | null} */ (document.getElementById(id));
    if (select && select.value) out[key] = select.value;
  }
  const search = /** @type {HTMLInputElement | null} */ (document.getElementById("dk-search"));
  if (search && search.value.trim()) out.q = search.value.trim();
  return out;
}

/**
 * Set the list's controls to a saved filter's values (absent ones back to their default).
 * @param {Record<string, string>} filters
 */
export function applyFilters(filters) {
  const tab = /** @type {HTMLElement | null} */ (
    document.querySelector('#dk-tabs .dk-tab[data-view="' + CSS.escape(filters.view || "all") + '"]')
  );
  if (tab && !tab.classList.contains("dk-tab-active")) tab.click();
  /** @type {Record<string, string>} */
  const defaults = { status: "open", channel: "", label: "", priority: "", sort: "recent" };
  for (const [key, id] of Object.entries(SELECTS)) {
    const select = /** @type {HTMLSelectElement | null} */ (document.getElementById(id));
    if (!select) continue;
    let value = filters[key] !== undefined ? filters[key] : defaults[key];
    if (!Array.from(select.options).some((o) => o.value === value)) value = defaults[key];
    if (select.value !== value) {
      select.value = value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  const search = /** @type {HTMLInputElement | null} */ (document.getElementById("dk-search"));
  const q = filters.q || "";
  if (search && search.value !== q) {
    search.value = q;
    search.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

function render() {
  if (!bar) return;
  const list = /** @type {HTMLElement} */ (bar.querySelector(".dk-saved-list"));
  list.replaceChildren(
    ...saved.map((s) =>
      el(
        "li",
        { class: "dk-saved-item" + (s.shared ? " dk-saved-shared" : ""), dataset: { id: String(s.id), testid: "dk-saved-item" } },
        el(
          "button",
          {
            type: "button",
            class: "dk-saved-apply",
            title: s.mine ? (s.shared ? t("Yours, shared with the team") : t("Yours")) : t("Shared by %s", [s.owner.name]),
            onclick: () => {
              applyFilters(s.filters);
              for (const item of list.querySelectorAll(".dk-saved-item")) item.classList.remove("dk-saved-active");
              /** @type {HTMLElement} */ (list.querySelector('[data-id="' + s.id + '"]')).classList.add("dk-saved-active");
            },
          },
          s.name,
        ),
        s.mine
          ? el(
              "button",
              {
                type: "button",
                class: "dk-saved-delete",
                "aria-label": t("Delete saved filter %s", [s.name]),
                title: t("Delete"),
                onclick: () => remove(s),
              },
              "×",
            )
          : null,
      ),
    ),
  );
}

async function load() {
  try {
    saved = (await api.fetch("/api/v1/saved-filters/")).results || [];
  } catch {
    return;
  }
  render();
}

/** @param {Saved} s */
async function remove(s) {
  try {
    await api.fetch("/api/v1/saved-filters/" + s.id, { method: "DELETE" });
  } catch {
    /* a 204 has no JSON body; the reload tells the truth */
  }
  load();
}

/** The small form that names the current filters. */
function openForm() {
  if (!bar) return;
  const existing = bar.querySelector(".dk-saved-form");
  if (existing) {
    existing.remove();
    return;
  }
  const name = el("input", { class: "dk-input", maxlength: "80", required: true, "aria-label": t("Name"), placeholder: t("Name"), dataset: { testid: "dk-saved-name" } });
  const shared = el("input", { type: "checkbox", dataset: { testid: "dk-saved-share" } });
  const form = el(
    "form",
    {
      class: "dk-saved-form",
      onsubmit: async (/** @type {SubmitEvent} */ e) => {
        e.preventDefault();
        try {
          await api.fetch("/api/v1/saved-filters/", {
            method: "POST",
            json: { name: name.value, shared: shared.checked, filters: currentFilters() },
          });
          form.remove();
          api.toast(t("Filters saved as %s.", [name.value.trim()]));
          load();
        } catch (caught) {
          const error = /** @type {import("../types").ApiError} */ (caught);
          api.toast(error.detail || t("Could not save."), "error");
        }
      },
      onkeydown: (/** @type {KeyboardEvent} */ e) => {
        if (e.key === "Escape") form.remove();
      },
    },
    name,
    el("label", { class: "dk-saved-share" }, shared, " ", t("Share with the team")),
    el("button", { type: "submit", class: "dk-btn", dataset: { testid: "dk-saved-submit" } }, t("Save")),
  );
  bar.append(form);
  name.focus();
}

/** @type {import("../types").DeskPart} */
export default {
  name: "saved-filters",
  onReady() {
    const head = document.querySelector(".dk-list-head");
    if (!head) return;
    bar = el(
      "nav",
      { class: "dk-saved", "aria-label": t("Saved filters"), dataset: { testid: "dk-saved" } },
      el("ul", { class: "dk-saved-list" }),
      el(
        "button",
        { type: "button", class: "dk-btn dk-btn-ghost dk-saved-new", dataset: { testid: "dk-saved-new" }, onclick: openForm },
        t("Save filters"),
      ),
    );
    head.append(bar);
    load();
  },
};
