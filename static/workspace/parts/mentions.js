// @ts-check
/**
 * @mentions (a part, docs/protocol.md "Extension (mentions)"):
 *
 * - In a note, typing "@" (at the start or after a space) suggests agents; ↑ ↓ choose, Enter
 *   or Tab insert "@username ", Esc closes (GET /api/v1/mentions/agents).
 * - The top bar's "Mentions" button shows how many are unread and opens the Mentions view:
 *   the conversations where the agent was mentioned, newest first, unread ones marked
 *   (GET /api/v1/mentions/); picking one opens the conversation at the note.
 * - `mention.created` (to the mentioned agent's desks) adds it live, with a notification;
 *   opening the conversation marks its mentions read (POST /api/v1/mentions/read), and
 *   `mention.read` updates the agent's other desks.
 */
import { el } from "../../shared/dom.js";
import { api, t, updateConversation } from "../desk.js";
import { displayName } from "../list-row.js";
import { hitRow, jumpTo } from "./search.js";

/** @typedef {import("../types").Composer} Composer */
/** @typedef {{id: number, username: string, name: string}} Agent */
/** @typedef {{id: number, conversation: number, message: number, seq: number, by: {id: number, name: string} | null, created_at: string, read: boolean, snippet: string, highlights: number[][]}} MentionInfo */
/** @typedef {{mention: MentionInfo, conversation: import("../types").Conversation}} Row */

const TOKEN = /(^|\s)@([\w.+-]{0,40})$/u;

const view = {
  unread: 0,
  /** @type {Row[]} */
  rows: [],
  /** @type {HTMLElement | null} */
  button: null,
  /** @type {HTMLElement | null} */
  panel: null,
};

const menu = {
  /** @type {HTMLUListElement | null} */
  el: null,
  /** @type {Agent[]} */
  items: [],
  index: 0,
  /** @type {Composer | null} */
  composer: null,
  /** @type {{start: number, end: number} | null} */
  token: null,
};

/** @type {Promise<Agent[]> | null} */
let agents = null;
function loadAgents() {
  if (!agents) {
    agents = api.fetch("/api/v1/mentions/agents").then(
      (/** @type {{results: Agent[]}} */ data) => data.results || [],
      () => {
        agents = null;
        return [];
      },
    );
  }
  return agents;
}

/* ---- the composer's suggestions ---- */

/** @param {Composer} composer */
function tokenAt(composer) {
  if (!composer.isPrivate()) return null;
  const area = composer.el;
  const before = area.value.slice(0, area.selectionStart);
  const match = TOKEN.exec(before);
  if (!match) return null;
  return { start: before.length - match[2].length - 1, end: area.selectionStart, query: match[2].toLowerCase() };
}

function closeMenu() {
  if (menu.el) menu.el.remove();
  menu.el = null;
  menu.items = [];
  menu.token = null;
}

function highlightItem() {
  if (!menu.el) return;
  menu.el.querySelectorAll(".dk-mention-item").forEach((li, i) => {
    li.setAttribute("aria-selected", i === menu.index ? "true" : "false");
    if (i === menu.index) li.scrollIntoView({ block: "nearest" });
  });
}

function choose() {
  const agent = menu.items[menu.index];
  const composer = menu.composer;
  const token = menu.token;
  closeMenu();
  if (!agent || !composer || !token) return;
  const text = composer.get();
  composer.set(text.slice(0, token.start) + "@" + agent.username + " " + text.slice(token.end));
  const caret = token.start + agent.username.length + 2;
  composer.el.setSelectionRange(caret, caret);
  composer.focus();
}

/** @param {Composer} composer */
async function suggest(composer) {
  const token = tokenAt(composer);
  if (!token) {
    if (menu.composer === composer) closeMenu();
    return;
  }
  const all = await loadAgents();
  if (tokenAt(composer)?.end !== token.end) return; // typed on meanwhile
  const items = all
    .filter((a) => a.id !== api.me.id)
    .filter((a) => a.username.toLowerCase().startsWith(token.query) || a.name.toLowerCase().includes(token.query))
    .slice(0, 8);
  menu.composer = composer;
  menu.token = token;
  menu.items = items;
  menu.index = 0;
  if (!items.length) {
    closeMenu();
    return;
  }
  const host = /** @type {HTMLElement} */ (composer.el.parentElement);
  if (getComputedStyle(host).position === "static") host.style.position = "relative";
  if (!menu.el) {
    menu.el = el("ul", { class: "dk-mention-menu", role: "listbox", "aria-label": t("Mention an agent"), dataset: { testid: "dk-mention-menu" } });
    host.append(menu.el);
  }
  menu.el.replaceChildren(
    ...items.map((agent, i) =>
      el(
        "li",
        {
          class: "dk-mention-item",
          role: "option",
          dataset: { username: agent.username },
          onmousedown: (/** @type {MouseEvent} */ e) => {
            e.preventDefault();
            menu.index = i;
            choose();
          },
        },
        el("span", { class: "dk-mention-name" }, agent.name),
        el("span", { class: "dk-mention-user" }, "@" + agent.username),
      ),
    ),
  );
  highlightItem();
}

/* ---- the Mentions view ---- */

function renderBadge() {
  if (!view.button) return;
  const count = /** @type {HTMLElement} */ (view.button.querySelector(".dk-mentions-count"));
  count.textContent = view.unread ? String(view.unread > 99 ? "99+" : view.unread) : "";
  count.hidden = !view.unread;
  view.button.classList.toggle("dk-mentions-has", view.unread > 0);
}

/** @param {Row} row */
function renderRow(row) {
  const m = row.mention;
  const c = updateConversation(row.conversation) || row.conversation;
  return hitRow({
    className: "dk-mention-row" + (m.read ? "" : " dk-mention-unread"),
    testid: "dk-mention-row",
    conversationId: m.conversation,
    seq: m.seq,
    name: displayName(c),
    createdAt: m.created_at,
    who: t("%s mentioned you:", [m.by ? m.by.name : t("An agent")]) + " ",
    snippet: m.snippet,
    highlights: m.highlights,
    open: () => {
      closePanel();
      jumpTo(m.conversation, m.seq);
    },
  });
}

function renderPanel() {
  if (!view.panel) return;
  const list = /** @type {HTMLElement} */ (view.panel.querySelector(".dk-mentions-list"));
  list.replaceChildren(...view.rows.map(renderRow));
  if (!view.rows.length) list.append(el("li", { class: "dk-hits-empty" }, t("Nobody has mentioned you yet.")));
}

function closePanel() {
  if (view.panel) view.panel.hidden = true;
  if (view.button) view.button.setAttribute("aria-expanded", "false");
}

async function refresh() {
  try {
    const data = await api.fetch("/api/v1/mentions/");
    view.unread = data.unread || 0;
    view.rows = data.results || [];
  } catch {
    return;
  }
  renderBadge();
  renderPanel();
}

function togglePanel() {
  if (!view.panel || !view.button) return;
  const show = view.panel.hidden;
  view.panel.hidden = !show;
  view.button.setAttribute("aria-expanded", show ? "true" : "false");
  if (show) {
    refresh();
    const first = /** @type {HTMLElement | null} */ (view.panel.querySelector(".dk-mention-row"));
    if (first) first.focus();
  }
}

/**
 * The agent opened a conversation: its mentions of them are read.
 * @param {number} conversationId
 */
async function markRead(conversationId) {
  const row = view.rows.find((r) => r.mention.conversation === conversationId);
  if (!row || row.mention.read) return;
  row.mention.read = true;
  renderPanel();
  try {
    const data = await api.fetch("/api/v1/mentions/read", { method: "POST", json: { conversation: conversationId } });
    view.unread = data.unread || 0;
    renderBadge();
  } catch {
    row.mention.read = false;
    renderPanel();
  }
}

/** @param {import("../types").Frame} frame */
function onCreated(frame) {
  const m = /** @type {MentionInfo} */ (frame.mention);
  const conversation = /** @type {import("../types").Conversation} */ (frame.conversation);
  view.rows = view.rows.filter((r) => r.mention.conversation !== m.conversation);
  view.rows.unshift({ mention: m, conversation });
  view.unread += 1;
  renderBadge();
  renderPanel();
  const c = updateConversation(conversation) || conversation;
  const who = m.by ? m.by.name : t("An agent");
  api.toast(t("%s mentioned you in the conversation with %s.", [who, displayName(c)]));
  api.notify(t("%s mentioned you", [who]), m.snippet, { conversation: m.conversation, force: true });
  const focused = api.active();
  if (focused && focused.id === m.conversation && !document.hidden) markRead(m.conversation);
}

/** @type {import("../types").DeskPart} */
export default {
  name: "mentions",
  onReady() {
    api.on("conversation.focus", (id) => markRead(Number(id)));
    refresh();
  },
  topbarTools(tools) {
    view.button = el(
      "button",
      {
        type: "button",
        class: "dk-btn dk-btn-ghost dk-mentions-btn",
        "aria-expanded": "false",
        "aria-controls": "dk-mentions",
        dataset: { testid: "dk-mentions-btn" },
        onclick: togglePanel,
      },
      t("Mentions"),
      " ",
      el("span", { class: "dk-mentions-count", hidden: true, dataset: { testid: "dk-mentions-count" } }),
    );
    view.panel = el(
      "section",
      {
        class: "dk-mentions",
        id: "dk-mentions",
        hidden: true,
        "aria-label": t("Mentions"),
        dataset: { testid: "dk-mentions" },
        onkeydown: (/** @type {KeyboardEvent} */ e) => {
          if (e.key === "Escape") {
            closePanel();
            view.button?.focus();
          }
        },
      },
      el("h3", { class: "dk-hits-title" }, t("Conversations where you were mentioned")),
      el("ul", { class: "dk-mentions-list" }),
    );
    tools.prepend(view.button);
    document.body.append(view.panel);
    renderBadge();
  },
  onFrame(frame) {
    if (frame.type === "mention.created") onCreated(frame);
    else if (frame.type === "mention.read") {
      view.unread = frame.unread || 0;
      for (const row of view.rows) if (row.mention.conversation === frame.conversation) row.mention.read = true;
      renderBadge();
      renderPanel();
    }
  },
  composerInput(composer) {
    suggest(composer);
  },
  composerKeydown(event, composer) {
    if (!menu.el || menu.composer !== composer) return false;
    const n = menu.items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      menu.index = (menu.index + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      highlightItem();
      return true;
    }
    if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && n) {
      choose();
      return true;
    }
    if (event.key === "Escape") {
      closeMenu();
      return true;
    }
    return false;
  },
};
