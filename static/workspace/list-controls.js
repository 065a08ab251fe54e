// @ts-check
/**
 * The conversation list's controls: the view tabs (and those parts add, `api.addListTab`),
 * the status filter, the search box and the channel filter. Each change is remembered and
 * reloads the list (list.js).
 */
import { byId, el } from "../shared/dom.js";
import { storageGet, storageSet } from "../shared/storage.js";
import { api, desk, t } from "./desk.js";
import { listState as state, load } from "./list.js";

function renderTabs() {
  const tabs = byId("dk-tabs");
  for (const extra of state.extraTabs.values()) {
    if (!tabs.querySelector('[data-view="' + CSS.escape(extra.id) + '"]')) {
      tabs.append(
        el(
          "button",
          { type: "button", role: "tab", class: "dk-tab", dataset: { view: extra.id } },
          extra.label,
          " ",
          el("span", { class: "dk-count", dataset: { count: extra.id } }),
        ),
      );
    }
  }
  for (const tab of tabs.querySelectorAll(".dk-tab")) {
    const selected = /** @type {HTMLElement} */ (tab).dataset.view === state.view;
    tab.classList.toggle("dk-tab-active", selected);
    tab.setAttribute("aria-selected", selected ? "true" : "false");
  }
}

/**
 * Any conversation's update redraws the list's rows. A redraw between the press and the
 * release of a click loses it: Chromium sends no click when the pressed element has left the
 * page. A release on the new row of the same conversation opens it then.
 */
function keepClicksAcrossRedraws() {
  const rows = byId("dk-rows");
  /** @param {Event} e */
  const rowOf = (e) => {
    const target = /** @type {Element} */ (e.target);
    // The row's own controls (the bulk checkbox, links) keep their meaning.
    if (target.closest("input, button, a, select, label")) return null;
    return /** @type {HTMLElement | null} */ (target.closest(".dk-row[data-id]"));
  };
  /** @type {HTMLElement | null} */
  let pressed = null;
  rows.addEventListener("pointerdown", (e) => {
    pressed = e.button === 0 ? rowOf(e) : null;
  });
  rows.addEventListener("pointerup", (e) => {
    const before = pressed;
    pressed = null;
    const after = rowOf(e);
    if (before && after && !before.isConnected && before.dataset.id === after.dataset.id) {
      api.open(Number(after.dataset.id));
    }
  });
}

/** Wire the tabs, the status filter and the search box; first load. */
export function initList() {
  const statusSelect = /** @type {HTMLSelectElement} */ (byId("dk-status"));
  statusSelect.value = state.status;
  statusSelect.addEventListener("change", () => {
    state.status = statusSelect.value;
    storageSet("desk.status", state.status);
    load();
  });
  byId("dk-tabs").addEventListener("click", (e) => {
    const tab = /** @type {HTMLElement | null} */ (/** @type {Element} */ (e.target).closest(".dk-tab"));
    if (!tab) return;
    state.view = tab.dataset.view || "all";
    storageSet("desk.view", state.view);
    renderTabs();
    load();
  });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let searchTimer;
  const search = /** @type {HTMLInputElement} */ (byId("dk-search"));
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.q = search.value.trim().slice(0, 100);
      load();
    }, 250);
  });
  keepClicksAcrossRedraws();
  if (!["mine", "unassigned", "all"].includes(state.view)) state.view = "all";
  initChannelFilter();
  renderTabs();
  load();
}

/** The channel filter: shown once the desk has more than one channel. */
async function initChannelFilter() {
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById("dk-channel"));
  if (!select) return;
  select.addEventListener("change", () => {
    state.channel = select.value;
    storageSet("desk.channel", state.channel);
    load();
  });
  /** @type {{id: number, name: string, kind: string, active: boolean}[]} */
  let channels;
  try {
    channels = await api.fetch("/api/v1/channels/");
  } catch {
    return;
  }
  const options = [el("option", { value: "" }, t("All channels"))];
  for (const ch of channels) options.push(el("option", { value: String(ch.id) }, ch.name));
  select.replaceChildren(...options);
  if (state.channel && !channels.some((ch) => String(ch.id) === state.channel)) {
    state.channel = "";
    storageSet("desk.channel", "");
    load();
  }
  select.value = state.channel;
  select.hidden = channels.length < 2 && !state.channel;
}

api.addListTab = (tab) => {
  if (!tab || !tab.id || !tab.label) throw new Error("addListTab needs {id, label}");
  state.extraTabs.set(tab.id, tab);
  const restore = storageGet("desk.view") === tab.id && state.view !== tab.id;
  if (restore) state.view = tab.id;
  if (desk.booted) {
    renderTabs();
    if (restore) load();
  }
};
