// @ts-check
/* Canned replies in the composer (docs/routing.md).
 *
 * Typing "/" (at the start or after a space) opens a picker searching shared and personal
 * replies (GET /api/v1/canned/?q=); ↑ ↓ choose, Enter or Tab insert, Esc closes. The chosen
 * reply is filled on the server from the conversation's sidebar data
 * (POST /api/v1/canned/<id>/render) and replaces the "/shortcut" typed. A toolbar button opens
 * the agent's own replies: add and delete personal ones (shared ones live in the admin).
 */
const TOKEN = /(^|\s)\/([\w-]{0,40})$/u;
/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").Composer} Composer */
/** @typedef {{id: number, shortcut: string, title: string, body: string, shared: boolean}} CannedReply */
/** @typedef {{start: number, end: number, query: string}} Token */

const state = {
  /** @type {HTMLUListElement | null} */
  menu: null,
  /** @type {CannedReply[]} */
  items: [],
  index: 0,
  /** @type {Composer | null} */
  composer: null,
  /** @type {Token | null} */
  token: null,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  timer: undefined,
  /** a search is scheduled or in flight: its menu is about to open */
  pending: false,
  seq: 0,
};

/**
 * What Enter does in the composer while the canned picker may be involved: "choose" inserts the
 * highlighted reply; "hold" swallows the key and keeps the text (the picker is open, or about to
 * open, on a "/query" with no match yet, or the whole text is a lone "/"), so a half-typed
 * shortcut never goes to the shopper; "pass" lets the composer send as usual.
 * @param {{menuOpen: boolean, pending: boolean, items: number, hasToken: boolean, text: string}} s
 * @returns {"choose" | "hold" | "pass"}
 */
export function enterAction(s) {
  if (s.menuOpen && s.items > 0) return "choose";
  if (s.hasToken && (s.menuOpen || s.pending)) return "hold";
  if (s.text.trim() === "/") return "hold";
  return "pass";
}

function injectStyle() {
  const style = document.createElement("style");
  style.textContent =
    ".dk-canned-menu{position:absolute;left:8px;right:8px;bottom:100%;margin-bottom:4px;max-height:240px;overflow:auto;background:#fff;border:1px solid #d1d5db;border-radius:8px;box-shadow:0 8px 24px rgba(0,0,0,.12);z-index:20;list-style:none;padding:4px;margin-top:0}" +
    ".dk-canned-item{padding:6px 8px;border-radius:6px;cursor:pointer;display:flex;flex-direction:column;gap:2px}" +
    ".dk-canned-item[aria-selected=true]{background:#eff6ff}" +
    ".dk-canned-short{font-weight:600;font-family:ui-monospace,monospace}" +
    ".dk-canned-body{font-size:12px;color:#6b7280;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
    ".dk-canned-empty{padding:6px 8px;color:#6b7280}" +
    ".dk-canned-manager{position:fixed;right:24px;bottom:24px;width:380px;max-height:70vh;overflow:auto;background:#fff;border:1px solid #d1d5db;border-radius:10px;box-shadow:0 12px 32px rgba(0,0,0,.18);z-index:50;padding:12px;display:flex;flex-direction:column;gap:8px}" +
    ".dk-canned-manager form{display:flex;flex-direction:column;gap:6px}" +
    ".dk-canned-row{display:flex;gap:6px;align-items:flex-start;justify-content:space-between;border-top:1px solid #f3f4f6;padding-top:6px}";
  document.head.append(style);
}

function close() {
  state.pending = false;
  if (state.menu) state.menu.remove();
  state.menu = null;
  state.items = [];
  state.token = null;
}

function highlight() {
  if (!state.menu) return;
  state.menu.querySelectorAll(".dk-canned-item").forEach((li, i) => {
    li.setAttribute("aria-selected", i === state.index ? "true" : "false");
    if (i === state.index) li.scrollIntoView({ block: "nearest" });
  });
}

/**
 * The "/query" just before the caret, if any.
 * @param {Composer} composer
 * @returns {Token | null}
 */
function tokenAt(composer) {
  const area = composer.el;
  const before = area.value.slice(0, area.selectionStart);
  const match = TOKEN.exec(before);
  if (!match) return null;
  const start = before.length - match[2].length - 1;
  return { start, end: area.selectionStart, query: match[2] };
}

/**
 * @param {Composer} composer
 * @param {DeskApi} api
 */
function showMenu(composer, api) {
  const host = /** @type {HTMLElement} */ (composer.el.parentElement);
  if (getComputedStyle(host).position === "static") host.style.position = "relative";
  if (!state.menu) {
    state.menu = api.el("ul", { class: "dk-canned-menu", role: "listbox", "data-testid": "dk-canned-menu" });
    host.append(state.menu);
  }
  const menu = state.menu;
  menu.replaceChildren();
  if (!state.items.length) {
    menu.append(api.el("li", { class: "dk-canned-empty" }, api.t("No canned reply matches")));
    return;
  }
  state.items.forEach((item, i) => {
    const li = api.el(
      "li",
      { class: "dk-canned-item", role: "option", "data-testid": "dk-canned-item", "data-shortcut": item.shortcut },
      api.el("span", { class: "dk-canned-short" }, "/" + item.shortcut + (item.shared ? "" : " ·")),
      api.el("span", { class: "dk-canned-body" }, item.title ? item.title + " — " + item.body : item.body)
    );
    li.addEventListener("mousedown", (event) => {
      event.preventDefault();
      state.index = i;
      choose(api);
    });
    menu.append(li);
  });
  state.index = Math.min(state.index, state.items.length - 1);
  highlight();
}

/**
 * @param {Composer} composer
 * @param {DeskApi} api
 * @param {Token} token
 */
async function search(composer, api, token) {
  const seq = ++state.seq;
  try {
    const data = await api.fetch("/api/v1/canned/?q=" + encodeURIComponent(token.query) + "&limit=10");
    if (seq !== state.seq || state.composer !== composer) return;
    state.pending = false;
    state.items = data.results || [];
    state.index = 0;
    state.token = token;
    showMenu(composer, api);
  } catch {
    close();
  }
}

/** @param {DeskApi} api */
async function choose(api) {
  const item = state.items[state.index];
  const composer = state.composer;
  const token = state.token;
  close();
  if (!item || !composer || !token) return;
  let body = item.body;
  try {
    const data = await api.fetch("/api/v1/canned/" + item.id + "/render", {
      method: "POST",
      json: { conversation: composer.conversationId },
    });
    body = data.body;
    if (data.missing && data.missing.length) {
      api.toast(api.t("No data for: %s", [data.missing.join(", ")]), "info");
    }
  } catch (error) {
    api.toast(api.t("Could not fill the canned reply."), "error");
  }
  const text = composer.get();
  composer.set(text.slice(0, token.start) + body + text.slice(token.end));
  composer.focus();
  const caret = token.start + body.length;
  composer.el.setSelectionRange(caret, caret);
  composer.el.dispatchEvent(new Event("input", { bubbles: true }));
}

/** @param {DeskApi} api */
function manager(api) {
  const existing = document.querySelector(".dk-canned-manager");
  if (existing) {
    existing.remove();
    return;
  }
  const list = api.el("div", { class: "dk-canned-list" });
  const shortcut = api.el("input", { class: "dk-input", placeholder: api.t("Shortcut, e.g. thanks"), "data-testid": "dk-canned-new-shortcut", maxlength: "40" });
  const title = api.el("input", { class: "dk-input", placeholder: api.t("Title (optional)"), maxlength: "120" });
  const body = api.el("textarea", { class: "dk-textarea", rows: "3", placeholder: api.t("Text — placeholders: {{customer.name}}, {{order.number}}, {{agent.name}}"), "data-testid": "dk-canned-new-body" });
  const form = api.el(
    "form",
    {},
    shortcut,
    title,
    body,
    api.el("button", { type: "submit", class: "dk-btn dk-btn-primary", "data-testid": "dk-canned-save" }, api.t("Save personal reply"))
  );
  const panel = api.el(
    "div",
    { class: "dk-canned-manager", "data-testid": "dk-canned-manager" },
    api.el("strong", {}, api.t("Canned replies")),
    form,
    list,
    api.el("button", { type: "button", class: "dk-btn", onclick: () => panel.remove() }, api.t("Close"))
  );
  async function load() {
    try {
      const data = await api.fetch("/api/v1/canned/?limit=50");
      list.replaceChildren(
        ...(data.results || []).map((/** @type {CannedReply} */ item) => {
          const row = api.el(
            "div",
            { class: "dk-canned-row" },
            api.el("span", {}, api.el("span", { class: "dk-canned-short" }, "/" + item.shortcut), " ", item.shared ? api.t("(shared)") : "", api.el("div", { class: "dk-canned-body" }, item.body))
          );
          if (!item.shared) {
            row.append(
              api.el("button", {
                type: "button",
                class: "dk-btn dk-btn-ghost",
                onclick: async () => {
                  try {
                    await api.fetch("/api/v1/canned/" + item.id, { method: "DELETE" });
                  } catch (error) {
                    /* 204 has no JSON body in some cores; reload tells the truth */
                  }
                  load();
                },
              }, api.t("Delete"))
            );
          }
          return row;
        })
      );
    } catch (error) {
      list.replaceChildren(api.t("Could not load canned replies."));
    }
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.fetch("/api/v1/canned/", { method: "POST", json: { shortcut: shortcut.value, title: title.value, body: body.value } });
      shortcut.value = title.value = body.value = "";
      load();
    } catch (caught) {
      const error = /** @type {import("../types").ApiError} */ (caught);
      const first = Object.values(error.fields || {})[0];
      api.toast(first && first.length ? String(first[0]) : error.detail || api.t("Could not save."), "error");
    }
  });
  document.body.append(panel);
  load();
  shortcut.focus();
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "canned",
  onReady() {
    injectStyle();
  },
  composerTools(el, composer, api) {
    el.append(
      api.el("button", { type: "button", class: "dk-btn dk-btn-ghost", title: api.t("Canned replies"), "data-testid": "dk-canned-tool", onclick: () => manager(api) }, "/")
    );
  },
  composerInput(composer, api) {
    const token = tokenAt(composer);
    if (!token) {
      if (state.composer === composer) close();
      return;
    }
    state.composer = composer;
    state.pending = true;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => search(composer, api, token), 120);
  },
  composerKeydown(event, composer, api) {
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      const mine = state.composer === composer;
      const action = enterAction({
        menuOpen: mine && !!state.menu,
        pending: mine && state.pending,
        items: mine ? state.items.length : 0,
        hasToken: !!tokenAt(composer),
        text: composer.get(),
      });
      if (action === "choose") choose(api);
      if (action !== "pass") return true;
    }
    if (!state.menu || state.composer !== composer) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const n = state.items.length;
      if (!n) return true;
      state.index = (state.index + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      highlight();
      return true;
    }
    if ((event.key === "Enter" || event.key === "Tab") && state.items.length) {
      choose(api);
      return true;
    }
    if (event.key === "Escape") {
      close();
      return true;
    }
    return false;
  },
};

export default part;
