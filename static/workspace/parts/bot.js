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
(function () {
  "use strict";
  const Desk = window.Desk;
  const NEGATIVE = -0.3;
  const POSITIVE = 0.3;
  const scores = new Map(); // conversation id -> Map(seq -> score)
  const panels = new Map(); // conversation id -> sidebar element
  const timers = new Map();

  function t(api, msgid) {
    return api.t(msgid);
  }

  function mood(score) {
    if (score === null || score === undefined) return "none";
    if (score <= NEGATIVE) return "negative";
    if (score >= POSITIVE) return "positive";
    return "neutral";
  }

  function moodLabel(api, score) {
    const labels = { negative: t(api, "Negative"), neutral: t(api, "Neutral"), positive: t(api, "Positive"), none: "—" };
    return labels[mood(score)];
  }

  function dot(api, score) {
    return api.el("span", {
      class: "dk-bot-mood dk-bot-mood-" + mood(score),
      title: t(api, "Sentiment") + " " + (score > 0 ? "+" : "") + Number(score).toFixed(2),
      dataset: { mood: mood(score), score: String(score) },
    });
  }

  function decorateShopperBubble(api, conversationId, node) {
    const seq = Number(node.dataset.seq);
    const table = scores.get(conversationId);
    if (!seq || !table || !table.has(seq)) return;
    const foot = node.querySelector(".dk-msg-foot");
    if (!foot || foot.querySelector(".dk-bot-mood")) return;
    foot.prepend(dot(api, table.get(seq)));
  }

  function paintPane(api, conversationId) {
    const pane = api.pane(conversationId);
    if (!pane || !pane.root) return;
    for (const node of pane.root.querySelectorAll('.dk-msg[data-sender="visitor"]')) {
      decorateShopperBubble(api, conversationId, node);
    }
  }

  function renderPanel(api, el, data) {
    const rows = [];
    const row = (label, value) => rows.push(api.el("dt", {}, label), api.el("dd", {}, value));
    if (data.handover) {
      row(t(api, "Bot"), api.el("span", { class: "dk-bot-handover", dataset: { reason: data.handover.reason } }, t(api, "Handed over")));
      row(t(api, "Reason"), data.handover.label || data.handover.reason);
      if (data.handover.detail) row(t(api, "Shopper said"), data.handover.detail);
      row(t(api, "At"), api.formatTime(data.handover.at));
    } else {
      row(t(api, "Bot"), data.answers || data.sentiment.length ? t(api, "Answering") : t(api, "Not involved"));
    }
    row(t(api, "Answers"), String(data.answers || 0));
    const counts = { yes: 0, no: 0, human: 0 };
    for (const f of data.feedback) counts[f.choice] = (counts[f.choice] || 0) + 1;
    if (data.feedback.length) {
      row(t(api, "Feedback"), "👍 " + counts.yes + "  👎 " + counts.no + "  🙋 " + counts.human);
    }
    const last = data.sentiment.length ? data.sentiment[data.sentiment.length - 1].score : null;
    const trend = api.el("span", { class: "dk-bot-trend" }, data.sentiment.slice(-12).map((s) => dot(api, s.score)));
    row(t(api, "Sentiment"), api.el("span", { class: "dk-bot-sentiment", dataset: { mood: mood(last) } },
      moodLabel(api, last) + (last === null ? "" : " (" + (last > 0 ? "+" : "") + last.toFixed(2) + ") "), trend));
    el.replaceChildren(api.el("h3", { class: "dk-panel-title" }, t(api, "Bot")), api.el("dl", { class: "dk-dl" }, rows));
  }

  function refresh(api, conversationId) {
    const el = panels.get(conversationId);
    return api
      .fetch("/api/v1/conversations/" + conversationId + "/bot")
      .then((data) => {
        const table = new Map();
        for (const s of data.sentiment) table.set(s.seq, s.score);
        scores.set(conversationId, table);
        if (el && el.isConnected) renderPanel(api, el, data);
        paintPane(api, conversationId);
      })
      .catch(() => {
        if (el && el.isConnected) el.replaceChildren(api.el("h3", { class: "dk-panel-title" }, t(api, "Bot")), api.el("p", { class: "dk-muted" }, "—"));
      });
  }

  function later(api, conversationId, ms) {
    clearTimeout(timers.get(conversationId));
    // The bot scores and answers just after the shopper's message commits.
    timers.set(conversationId, setTimeout(() => refresh(api, conversationId), ms));
  }

  Desk.register({
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
      if (kind === "bot" && card.type === "bot_answer") {
        extra.replaceChildren(api.el("div", { class: "dk-bot-meta" },
          t(api, "Knowledge base") + " #" + card.entry + " · " + t(api, "confidence") + " " + Number(card.confidence).toFixed(2)));
      } else if (card.type === "bot_handover_note") {
        node.classList.add("dk-bot-handover-note");
      }
    },
    sidebarPanel(c, el, api) {
      panels.set(c.id, el);
      el.replaceChildren(api.el("h3", { class: "dk-panel-title" }, t(api, "Bot")));
      refresh(api, c.id);
    },
    listDecorator(c, row, api) {
      const badges = row.querySelector(".dk-row-badges");
      if (!badges) return;
      for (const old of badges.querySelectorAll(".dk-bot-badge")) old.remove();
      const bot = c.bot;
      if (!bot) return;
      if (bot.handed_over && !c.assignee) {
        badges.append(api.el("span", { class: "dk-pill dk-bot-badge dk-bot-badge-handover", title: bot.handover_label || "" }, t(api, "Bot → person")));
      }
      if (bot.sentiment !== null && bot.sentiment !== undefined && bot.sentiment <= NEGATIVE) {
        badges.append(api.el("span", { class: "dk-pill dk-bot-badge dk-bot-badge-negative", title: t(api, "Sentiment") + " " + bot.sentiment.toFixed(2) }, t(api, "Negative")));
      }
    },
  });
})();
