// @ts-check
/**
 * Message search (a part): while the list's search box has words, the messages and notes that contain
 * them are listed above the conversations (newest first, the matched words marked); picking
 * one opens its conversation scrolled to that message, which is highlighted for a moment.
 * Data: GET /api/v1/search/messages?q= (docs/search.md). Keyboard: ArrowDown in the search
 * box moves to the first hit, arrows between hits, Enter opens, Escape goes back to the box.
 */
import { byId, el } from "../../shared/dom.js";
import { api, t, updateConversation } from "../desk.js";
import { displayName } from "../list-row.js";

/** @typedef {{id: number, conversation: number, seq: number, kind: string, private: boolean, sender: {kind: string, name: string}, created_at: string}} HitMessage */
/** @typedef {{message: HitMessage, conversation: import("../types").Conversation, snippet: string, highlights: number[][]}} Hit */

const state = { q: "", reqNo: 0 };
/** @type {HTMLElement | null} */
let panel = null;

/**
 * The snippet as text with the matched words in <mark> (built from text nodes: no HTML).
 * @param {string} snippet
 * @param {number[][]} ranges
 */
export function marked(snippet, ranges) {
  const chars = Array.from(snippet);
  // Offsets are in characters (code points), as Python counts them.
  /** @type {(string | HTMLElement)[]} */
  const parts = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end <= start) continue;
    if (start > at) parts.push(chars.slice(at, start).join(""));
    parts.push(el("mark", { class: "dk-hit-mark" }, chars.slice(start, end).join("")));
    at = end;
  }
  if (at < chars.length) parts.push(chars.slice(at).join(""));
  return parts;
}

/**
 * Open the conversation and bring message `seq` into view, highlighted. Waits for the pane's
 * history (its first load ends scrolled to the newest message).
 * @param {number} conversationId
 * @param {number} seq
 */
export async function jumpTo(conversationId, seq) {
  api.open(conversationId);
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const pane = api.pane(conversationId);
    const bubble = pane && pane.loaded ? pane.timeline.querySelector('[data-seq="' + seq + '"]') : null;
    if (pane && bubble) {
      for (const old of pane.timeline.querySelectorAll(".dk-msg-found")) old.classList.remove("dk-msg-found");
      bubble.classList.add("dk-msg-found");
      bubble.scrollIntoView({ block: "center" });
      setTimeout(() => bubble.classList.remove("dk-msg-found"), 6000);
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  api.toast(t("That message is no longer in the conversation."), "error");
  return false;
}

/**
 * One clickable row of a list of messages (search hits, mentions): the conversation's name
 * and the message's time on top, then who wrote and the snippet with its matched words
 * marked. Enter or Space opens it, as a click does.
 * @param {{className: string, testid: string, conversationId: number, seq: number,
 *   name: string, createdAt: string, who: string, snippet: string, highlights: number[][],
 *   open: () => void}} row
 */
export function hitRow(row) {
  return el(
    "li",
    {
      class: row.className,
      tabindex: "0",
      role: "button",
      dataset: { conversation: String(row.conversationId), seq: String(row.seq), testid: row.testid },
      onclick: row.open,
      onkeydown: (/** @type {KeyboardEvent} */ e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          row.open();
        }
      },
    },
    el(
      "div",
      { class: "dk-hit-top" },
      el("span", { class: "dk-hit-name" }, row.name),
      el("time", { class: "dk-hit-time", datetime: row.createdAt }, api.formatTime(row.createdAt)),
    ),
    el(
      "div",
      { class: "dk-hit-text" },
      el("span", { class: "dk-hit-who" }, row.who),
      ...marked(row.snippet, row.highlights),
    ),
  );
}

/** @param {Hit} hit */
function renderHit(hit) {
  const stored = updateConversation(hit.conversation) || hit.conversation;
  const m = hit.message;
  const who = m.sender.kind === "visitor" ? displayName(stored) : m.sender.name || t("Bot");
  return hitRow({
    className: "dk-hit" + (m.private ? " dk-hit-note" : ""),
    testid: "dk-hit",
    conversationId: m.conversation,
    seq: m.seq,
    name: displayName(stored),
    createdAt: m.created_at,
    who: (m.private ? t("Note") + " · " : "") + who + ": ",
    snippet: hit.snippet,
    highlights: hit.highlights,
    open: () => jumpTo(m.conversation, m.seq),
  });
}

/**
 * @param {Hit[]} hits
 */
function render(hits) {
  if (!panel) return;
  const list = /** @type {HTMLElement} */ (panel.querySelector(".dk-hits-list"));
  const count = /** @type {HTMLElement} */ (panel.querySelector(".dk-hits-count"));
  count.textContent = hits.length >= 20 ? "20+" : String(hits.length);
  list.replaceChildren(...hits.map(renderHit));
  if (!hits.length) list.append(el("li", { class: "dk-hits-empty" }, t("No message contains these words.")));
  panel.hidden = false;
}

/** @param {string} q */
async function search(q) {
  state.q = q;
  const reqNo = ++state.reqNo;
  if (!panel) return;
  if (!q) {
    panel.hidden = true;
    return;
  }
  try {
    const data = await api.fetch("/api/v1/search/messages?" + new URLSearchParams({ q, limit: "20" }).toString());
    if (reqNo !== state.reqNo) return;
    if (!data.words || !data.words.length) {
      panel.hidden = true;
      return;
    }
    render(data.results || []);
  } catch (error) {
    if (reqNo !== state.reqNo) return;
    const detail = /** @type {import("../types").ApiError} */ (error).detail || "";
    api.toast(t("Search failed.") + " " + detail, "error");
  }
}

/** @param {KeyboardEvent} e */
function onHitsKey(e) {
  const hits = /** @type {HTMLElement[]} */ (Array.from(panel ? panel.querySelectorAll(".dk-hit") : []));
  const i = hits.indexOf(/** @type {HTMLElement} */ (document.activeElement));
  if (i < 0) return;
  if (e.key === "ArrowDown" && i + 1 < hits.length) hits[i + 1].focus();
  else if (e.key === "ArrowUp") (i > 0 ? hits[i - 1] : byId("dk-search")).focus();
  else if (e.key === "Escape") byId("dk-search").focus();
  else return;
  e.preventDefault();
  e.stopPropagation();
}

function initSearch() {
  const input = /** @type {HTMLInputElement | null} */ (document.getElementById("dk-search"));
  const rows = document.getElementById("dk-rows");
  if (!input || !rows) return;
  panel = el(
    "section",
    { class: "dk-hits", id: "dk-hits", hidden: true, "aria-label": t("Messages found"), dataset: { testid: "dk-hits" } },
    el("h3", { class: "dk-hits-title" }, t("Messages"), " ", el("span", { class: "dk-hits-count" })),
    el("ul", { class: "dk-hits-list", onkeydown: onHitsKey }),
  );
  rows.before(panel);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => search(input.value.trim().slice(0, 100)), 250);
  });
  input.addEventListener("keydown", (e) => {
    const first = panel && !panel.hidden ? /** @type {HTMLElement | null} */ (panel.querySelector(".dk-hit")) : null;
    if (e.key === "ArrowDown" && first) {
      e.preventDefault();
      first.focus();
    }
  });
}

/** @type {import("../types").DeskPart} */
export default {
  name: "search",
  onReady() {
    initSearch();
  },
};
