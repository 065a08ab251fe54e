// @ts-check
/* The bot in the agent workspace (docs/bot.md): why the bot handed over, the shopper's
 * sentiment per message, and how the bot's answers were received.
 *
 * - Sidebar panel "Bot": answering / handed over (reason, detail, time), sentiment trend,
 *   feedback counts — from GET /api/v1/conversations/<id>/bot, refreshed when the
 *   conversation or a shopper message changes.
 * - Shopper bubbles get a sentiment dot (red / grey / green) with the score as a tooltip.
 * - Bot answers show the knowledge-base entry and confidence under the text; the private
 *   hand-over note is highlighted.
 * - List rows get a "hand-over" badge and a red "negative" badge from the payload's `bot`.
 */
const NEGATIVE = -0.3;
const POSITIVE = 0.3;
/** @typedef {import("../types").DeskApi} DeskApi */
/**
 * GET /api/v1/conversations/<id>/bot (docs/bot.md)
 * @typedef {object} BotInfo
 * @property {{reason: string, label?: string, detail?: string, at: string} | null} handover
 * @property {number} answers
 * @property {{choice: string}[]} feedback
 * @property {{seq: number, score: number}[]} sentiment
 */

/** @type {Map<number, Map<number, number>>} conversation id → (seq → sentiment score) */
const scores = new Map();
/** @type {Map<number, HTMLElement>} conversation id → its sidebar panel */
const panels = new Map();
/** @type {Map<number, ReturnType<typeof setTimeout>>} */
const timers = new Map();

/** @param {number | null | undefined} score */
function mood(score) {
  if (score === null || score === undefined) return "none";
  if (score <= NEGATIVE) return "negative";
  if (score >= POSITIVE) return "positive";
  return "neutral";
}

/**
 * @param {DeskApi} api
 * @param {number | null} score
 */
function moodLabel(api, score) {
  /** @type {Record<string, string>} */
  const labels = { negative: api.t("Negative"), neutral: api.t("Neutral"), positive: api.t("Positive"), none: "—" };
  return labels[mood(score)];
}

/**
 * @param {DeskApi} api
 * @param {number} score
 */
function dot(api, score) {
  return api.el("span", {
    class: "dk-bot-mood dk-bot-mood-" + mood(score),
    title: api.t("Sentiment") + " " + (score > 0 ? "+" : "") + Number(score).toFixed(2),
    dataset: { mood: mood(score), score: String(score) },
  });
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {HTMLElement} node
 */
function decorateShopperBubble(api, conversationId, node) {
  const seq = Number(node.dataset.seq);
  const table = scores.get(conversationId);
  if (!seq || !table || !table.has(seq)) return;
  const foot = node.querySelector(".dk-msg-foot");
  if (!foot || foot.querySelector(".dk-bot-mood")) return;
  foot.prepend(dot(api, /** @type {number} */ (table.get(seq))));
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 */
function paintPane(api, conversationId) {
  const pane = api.pane(conversationId);
  if (!pane || !pane.root) return;
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (pane.root.querySelectorAll('.dk-msg[data-sender="visitor"]'))) {
    decorateShopperBubble(api, conversationId, node);
  }
}

/**
 * @param {DeskApi} api
 * @param {HTMLElement} el
 * @param {BotInfo} data
 */
function renderPanel(api, el, data) {
  /** @type {HTMLElement[]} */
  const rows = [];
  /**
   * @param {string} label
   * @param {string | Node} value
   */
  const row = (label, value) => rows.push(api.el("dt", {}, label), api.el("dd", {}, value));
  if (data.handover) {
    row(api.t("Bot"), api.el("span", { class: "dk-bot-handover", dataset: { reason: data.handover.reason } }, api.t("Handed over")));
    row(api.t("Reason"), data.handover.label || data.handover.reason);
    if (data.handover.detail) row(api.t("Shopper said"), data.handover.detail);
    row(api.t("At"), api.formatTime(data.handover.at));
  } else {
    row(api.t("Bot"), data.answers || data.sentiment.length ? api.t("Answering") : api.t("Not involved"));
  }
  row(api.t("Answers"), String(data.answers || 0));
  /** @type {Record<string, number>} */
  const counts = { yes: 0, no: 0, human: 0 };
  for (const f of data.feedback) counts[f.choice] = (counts[f.choice] || 0) + 1;
  if (data.feedback.length) {
    row(api.t("Feedback"), "👍 " + counts.yes + "  👎 " + counts.no + "  🙋 " + counts.human);
  }
  const last = data.sentiment.length ? data.sentiment[data.sentiment.length - 1].score : null;
  const trend = api.el("span", { class: "dk-bot-trend" }, data.sentiment.slice(-12).map((s) => dot(api, s.score)));
  row(api.t("Sentiment"), api.el("span", { class: "dk-bot-sentiment", dataset: { mood: mood(last) } },
    moodLabel(api, last) + (last === null ? "" : " (" + (last > 0 ? "+" : "") + last.toFixed(2) + ") "), trend));
  el.replaceChildren(api.el("h3", { class: "dk-panel-title" }, api.t("Bot")), api.el("dl", { class: "dk-dl" }, rows));
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 */
function refresh(api, conversationId) {
  const el = panels.get(conversationId);
  return api
    .fetch("/api/v1/conversations/" + conversationId + "/bot")
    .then((/** @type {BotInfo} */ data) => {
      const table = new Map();
      for (const s of data.sentiment) table.set(s.seq, s.score);
      scores.set(conversationId, table);
      if (el && el.isConnected) renderPanel(api, el, data);
      paintPane(api, conversationId);
    })
    .catch(() => {
      if (el && el.isConnected) el.replaceChildren(api.el("h3", { class: "dk-panel-title" }, api.t("Bot")), api.el("p", { class: "dk-muted" }, "—"));
    });
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {number} ms
 */
function later(api, conversationId, ms) {
  clearTimeout(timers.get(conversationId));
  // The bot scores and answers just after the shopper's message commits.
  timers.set(conversationId, setTimeout(() => refresh(api, conversationId), ms));
}

/**
 * What agents get of a bot answer or "did you mean" (the staff-only `bot_why`, docs/bot.md).
 * @typedef {object} WhyEntry
 * @property {number} id
 * @property {string} title
 * @property {number} [score]
 * @property {string[]} [terms]
 * @property {string | null} [url]
 * @property {boolean} [deleted]
 * @typedef {object} BotWhy
 * @property {"answer" | "suggest"} decision
 * @property {boolean} picked
 * @property {number} score
 * @property {number | null} lexical
 * @property {number | null} semantic
 * @property {WhyEntry | null} entry
 * @property {WhyEntry[]} suggestions
 */

/** @param {number | null | undefined} value */
function figure(value) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(2);
}

/**
 * One knowledge-base entry: its title (a link to it in the admin, or "deleted" once the entry
 * was deleted), its score, the words the shopper's question shares with it.
 * @param {DeskApi} api
 * @param {WhyEntry} entry
 * @param {number | null} score
 */
function whyEntry(api, entry, score) {
  const href = entry.url && !entry.deleted ? api.safeHref(entry.url) : null;
  const title = href
    ? api.el("a", { href: href, target: "_blank", rel: "noopener", class: "dk-bot-why-entry" }, entry.title)
    : api.el("span", { class: "dk-bot-why-entry" }, entry.title);
  const deleted = entry.deleted
    ? api.el("span", { class: "dk-bot-why-deleted" }, " (" + api.t("entry deleted") + ")")
    : "";
  const terms = entry.terms || [];
  return api.el(
    "li",
    { dataset: { entry: String(entry.id) } },
    title,
    deleted,
    score === null ? "" : api.el("span", { class: "dk-bot-why-score" }, " " + figure(score)),
    api.el(
      "span",
      { class: "dk-bot-why-terms" },
      " · " + (terms.length ? api.t("matched") + ": " + terms.join(", ") : api.t("no shared words")),
    ),
  );
}

/**
 * @param {DeskApi} api
 * @param {BotWhy} why
 */
function whyView(api, why) {
  const label = why.picked
    ? api.t("Picked by the shopper from “Did you mean”")
    : why.decision === "answer"
      ? api.t("Answered")
      : api.t("Did you mean");
  const head = [label, api.t("confidence") + " " + figure(why.score)];
  if (why.lexical !== null && why.lexical !== undefined) head.push(api.t("words") + " " + figure(why.lexical));
  if (why.semantic !== null && why.semantic !== undefined) head.push(api.t("meaning") + " " + figure(why.semantic));
  const entries = why.entry ? [whyEntry(api, why.entry, null)] : why.suggestions.map((s) => whyEntry(api, s, s.score ?? null));
  return api.el(
    "div",
    { class: "dk-bot-meta dk-bot-why", dataset: { decision: why.decision, picked: why.picked ? "1" : "0" } },
    api.el("div", { class: "dk-bot-why-head" }, api.t("Knowledge base") + " · " + head.join(" · ")),
    api.el("ul", { class: "dk-bot-why-list" }, entries),
  );
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "bot",
  onReady(api) {
    api.on("message", (m) => {
      if (!m || !m.conversation || !m.sender) return;
      if (m.sender.kind === "visitor" || m.sender.kind === "bot") later(api, m.conversation, 1200);
    });
    api.on("conversation.updated", (c) => {
      if (c && panels.has(c.id)) later(api, c.id, 300);
    });
  },
  renderMessage(m, node, api) {
    const kind = m.sender && m.sender.kind;
    const card = m.card || {};
    if (kind === "visitor" && m.conversation) {
      decorateShopperBubble(api, m.conversation, node);
      return;
    }
    const extra = node.querySelector(".dk-msg-extra");
    if (!extra) return;
    if (kind === "bot" && m.bot_why) {
      extra.replaceChildren(whyView(api, m.bot_why));
    } else if (kind === "bot" && card.type === "bot_answer") {
      extra.replaceChildren(api.el("div", { class: "dk-bot-meta" },
        api.t("Knowledge base") + " #" + card.entry + " · " + api.t("confidence") + " " + Number(card.confidence).toFixed(2)));
    } else if (card.type === "bot_handover_note") {
      node.classList.add("dk-bot-handover-note");
    }
  },
  sidebarPanel(c, el, api) {
    panels.set(c.id, el);
    el.replaceChildren(api.el("h3", { class: "dk-panel-title" }, api.t("Bot")));
    refresh(api, c.id);
  },
  listDecorator(c, row, api) {
    const badges = row.querySelector(".dk-row-badges");
    if (!badges) return;
    for (const old of badges.querySelectorAll(".dk-bot-badge")) old.remove();
    const bot = c.bot;
    if (!bot) return;
    if (bot.handed_over && !c.assignee) {
      badges.append(api.el("span", { class: "dk-pill dk-bot-badge dk-bot-badge-handover", title: bot.handover_label || "" }, api.t("Bot → person")));
    }
    if (bot.sentiment !== null && bot.sentiment !== undefined && bot.sentiment <= NEGATIVE) {
      badges.append(api.el("span", { class: "dk-pill dk-bot-badge dk-bot-badge-negative", title: api.t("Sentiment") + " " + bot.sentiment.toFixed(2) }, api.t("Negative")));
    }
  },
};

export default part;
