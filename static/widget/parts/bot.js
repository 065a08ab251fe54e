// @ts-check
/*
 * Bot part of the storefront widget (docs/bot.md):
 *
 * - "Did this help? Yes / No / Talk to a person" under the bot's answers. A bot message keeps
 *   kind "text" (its body is the answer, shown by the core); its `card` carries
 *   {type: "bot_answer" | "bot_prompt" | "bot_orders", prompt?, actions: [{id, label}]}. A click
 *   POSTs /api/widget/bot/feedback; the chosen button stays marked (remembered per message in
 *   localStorage across reloads).
 * - "Did you mean…" (card type "bot_suggest"): one button per suggested knowledge-base entry
 *   and "None of these — talk to a person" ("— leave a message" when nobody is available,
 *   which also opens the leave-a-message form of the queue part). A press of an entry POSTs
 *   /api/widget/bot/suggestion and the bot's answer arrives as a normal message; "none of
 *   these" is the feedback API's "human" (the bot hands over). The card's `picked` (the
 *   entry's key, or "human") comes back with history, so a reload shows the card answered.
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  /** @typedef {import("../core/types").WidgetApi} WidgetApi */
  /** @typedef {import("../core/types").Message} Message */
  /** @typedef {{id: string, label?: string}} Action */
  /** @typedef {{key: string, title: string, score?: number}} Suggestion */

  const FEEDBACK_CARDS = ["bot_answer", "bot_prompt", "bot_orders"];
  const STORE = "helpdesk:bot-feedback";
  // Availability is asked at most once a minute for the "none of these" label.
  const AVAILABILITY_TTL = 60000;

  /** @type {{at: number, value: Promise<boolean>} | null} */
  let availability = null;

  /** @returns {Record<string, string>} */
  function remembered() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "{}") || {};
    } catch {
      return {};
    }
  }

  /**
   * @param {number} messageId
   * @param {string} choice
   */
  function remember(messageId, choice) {
    try {
      const all = remembered();
      all[String(messageId)] = choice;
      const keys = Object.keys(all);
      // Keep the store small: the newest 200 clicks.
      for (const key of keys.slice(0, Math.max(0, keys.length - 200))) delete all[key];
      window.localStorage.setItem(STORE, JSON.stringify(all));
    } catch {
      /* private mode: the mark lasts until reload */
    }
  }

  /**
   * Whether a person could answer now (business hours and an agent with room); true when
   * the desk cannot be asked, so the label never claims nobody is there without knowing.
   * @param {WidgetApi} api
   * @returns {Promise<boolean>}
   */
  function agentsAvailable(api) {
    const now = Date.now();
    if (availability && now - availability.at < AVAILABILITY_TTL) return availability.value;
    const value = api
      .fetch("/api/widget/availability")
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => !data || Boolean(data.open && data.agents_available))
      .catch(() => true);
    availability = { at: now, value: value };
    return value;
  }

  /**
   * Mark the button of `choice`; "Talk to a person" cannot be undone, Yes/No may be changed.
   * @param {HTMLElement} box
   * @param {string} choice
   */
  function mark(box, choice) {
    box.dataset.chosen = choice;
    for (const button of box.querySelectorAll("button")) {
      const chosen = button.dataset.choice === choice;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      button.classList.toggle("hd-bot-chosen", chosen);
      if (choice === "human") button.disabled = true;
    }
  }

  /**
   * @param {Message} message
   * @param {WidgetApi} api
   * @returns {HTMLElement | null}
   */
  function actionsBox(message, api) {
    const card = message.card || {};
    /** @type {Action[]} */
    const actions = Array.isArray(card.actions) ? card.actions : [];
    if (!actions.length) return null;
    const box = api.el("div", {
      class: "hd-bot-actions",
      "data-testid": "hd-bot-actions",
      "data-message": String(message.id),
      role: "group",
    });
    if (card.prompt) {
      box.append(api.el("span", { class: "hd-bot-prompt", "data-testid": "hd-bot-prompt" }, String(card.prompt)));
    }
    for (const action of actions) {
      if (!action || typeof action.id !== "string") continue;
      box.append(
        api.el(
          "button",
          {
            type: "button",
            class: "hd-bot-button hd-bot-" + action.id,
            "data-testid": "hd-bot-" + action.id,
            "data-choice": action.id,
            "aria-pressed": "false",
            onclick: () => choose(message, action.id, box, api),
          },
          String(action.label || action.id),
        ),
      );
    }
    const previous = remembered()[String(message.id)];
    if (previous) mark(box, previous);
    return box;
  }

  /**
   * @param {Message} message
   * @param {string} choice
   * @param {HTMLElement} box
   * @param {WidgetApi} api
   */
  function choose(message, choice, box, api) {
    if (box.dataset.busy === "1") return;
    box.dataset.busy = "1";
    api
      .fetch("/api/widget/bot/feedback", { method: "POST", json: { message: message.id, choice: choice } })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        mark(box, choice);
        remember(message.id, choice);
        if (choice === "yes") {
          api.addSystemNotice(api.t("bot.thanks"), { id: "bot-thanks", timeout: 4000 });
        }
      })
      .catch(() => {
        api.addSystemNotice(api.t("bot.failed"), { id: "bot-failed", timeout: 5000 });
      })
      .finally(() => {
        box.dataset.busy = "";
      });
  }

  /**
   * The card answered: its choice marked, every button spent.
   * @param {HTMLElement} box
   * @param {string} picked an entry's key, or "human"
   */
  function markPicked(box, picked) {
    box.dataset.picked = picked;
    for (const button of box.querySelectorAll("button")) {
      const chosen = (button.dataset.key || button.dataset.choice) === picked;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      button.classList.toggle("hd-bot-chosen", chosen);
      button.disabled = true;
    }
  }

  /**
   * @param {Message} message
   * @param {WidgetApi} api
   * @returns {HTMLElement | null}
   */
  function suggestBox(message, api) {
    const card = message.card || {};
    /** @type {Suggestion[]} */
    const suggestions = (Array.isArray(card.suggestions) ? card.suggestions : []).filter(
      (/** @type {Suggestion} */ s) => s && typeof s.key === "string" && typeof s.title === "string",
    );
    if (!suggestions.length) return null;
    const box = api.el("div", {
      class: "hd-bot-suggest",
      "data-testid": "hd-bot-suggest",
      "data-message": String(message.id),
      role: "group",
      "aria-label": String(card.prompt || api.t("bot.did_you_mean")),
    });
    for (const suggestion of suggestions) {
      box.append(
        api.el(
          "button",
          {
            type: "button",
            class: "hd-bot-button hd-bot-suggestion",
            "data-testid": "hd-bot-suggestion",
            "data-key": suggestion.key,
            "aria-pressed": "false",
            onclick: () => pick(message, suggestion.key, box, api),
          },
          suggestion.title,
        ),
      );
    }
    const none = api.el(
      "button",
      {
        type: "button",
        class: "hd-bot-button hd-bot-none",
        "data-testid": "hd-bot-none",
        "data-choice": "human",
        "aria-pressed": "false",
        onclick: () => noneOfThese(message, box, none, api),
      },
      api.t("bot.none_person"),
    );
    box.append(none);
    if (typeof card.picked === "string" && card.picked) {
      markPicked(box, card.picked);
    } else {
      agentsAvailable(api).then((available) => {
        if (available || box.dataset.picked) return;
        none.dataset.away = "1";
        none.textContent = api.t("bot.none_leave");
      });
    }
    return box;
  }

  /**
   * A press on one of the suggested entries: the bot answers with it (a message of its own).
   * @param {Message} message
   * @param {string} key
   * @param {HTMLElement} box
   * @param {WidgetApi} api
   */
  function pick(message, key, box, api) {
    if (box.dataset.busy === "1" || box.dataset.picked) return;
    box.dataset.busy = "1";
    api
      .fetch("/api/widget/bot/suggestion", { method: "POST", json: { message: message.id, key: key } })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        answered(message, key, box, api);
      })
      .catch(() => {
        api.addSystemNotice(api.t("bot.failed"), { id: "bot-failed", timeout: 5000 });
      })
      .finally(() => {
        box.dataset.busy = "";
      });
  }

  /**
   * "None of these": the bot hands over; with nobody available, the leave-a-message form
   * opens too (the queue part's, through the `leave-message.open` event).
   * @param {Message} message
   * @param {HTMLElement} box
   * @param {HTMLElement} none
   * @param {WidgetApi} api
   */
  function noneOfThese(message, box, none, api) {
    if (box.dataset.busy === "1" || box.dataset.picked) return;
    box.dataset.busy = "1";
    const away = none.dataset.away === "1";
    api
      .fetch("/api/widget/bot/feedback", { method: "POST", json: { message: message.id, choice: "human" } })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        answered(message, "human", box, api);
        if (away) api.emit("leave-message.open");
      })
      .catch(() => {
        api.addSystemNotice(api.t("bot.failed"), { id: "bot-failed", timeout: 5000 });
      })
      .finally(() => {
        box.dataset.busy = "";
      });
  }

  /**
   * @param {Message} message
   * @param {string} picked
   * @param {HTMLElement} box
   * @param {WidgetApi} api
   */
  function answered(message, picked, box, api) {
    message.card = Object.assign({}, message.card, { picked: picked });
    markPicked(box, picked);
    // The pressed button is disabled now: keep a keyboard user in the conversation.
    const focused = api.slots.root.activeElement;
    if (focused && box.contains(focused)) api.slots.input.focus();
  }

  /**
   * @param {HTMLElement} bubble
   * @param {HTMLElement} box
   */
  function insert(bubble, box) {
    const meta = bubble.querySelector(".hd-meta");
    if (meta) bubble.insertBefore(box, meta);
    else bubble.append(box);
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "bot",
    kinds: ["text"],
    styles: [
      ".hd-bot-actions{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:6px}",
      ".hd-bot-suggest{display:flex;flex-direction:column;align-items:stretch;gap:6px;margin-top:6px}",
      ".hd-bot-suggest .hd-bot-button{text-align:left;white-space:normal}",
      ".hd-bot-prompt{font-size:12px;opacity:.8;margin-right:2px}",
      ".hd-bot-button{font:inherit;font-size:12px;padding:3px 10px;border-radius:12px;",
      "border:1px solid currentColor;background:transparent;color:inherit;cursor:pointer}",
      ".hd-bot-button:hover:not(:disabled){background:rgba(0,0,0,.06)}",
      ".hd-bot-button:focus-visible{outline:2px solid #1f6feb;outline-offset:2px}",
      ".hd-bot-button.hd-bot-chosen{background:#1f6feb;border-color:#1f6feb;color:#fff}",
      ".hd-bot-button:disabled{cursor:default;opacity:.7}",
      ".hd-bot-button.hd-bot-chosen:disabled{opacity:1}",
    ].join(""),
    strings: {
      en: {
        "bot.thanks": "Thanks for the feedback!",
        "bot.failed": "Sorry, that did not go through. Please try again.",
        "bot.did_you_mean": "Did you mean…",
        "bot.none_person": "None of these — talk to a person",
        "bot.none_leave": "None of these — leave a message",
      },
      "zh-hans": {
        "bot.thanks": "感谢您的反馈！",
        "bot.failed": "抱歉，提交失败，请重试。",
        "bot.did_you_mean": "您是不是想问…",
        "bot.none_person": "都不是，转人工",
        "bot.none_leave": "都不是，给我们留言",
      },
    },
    renderMessage(message, body) {
      // "Did you mean…" above the buttons; the body's list of titles is for clients without.
      const card = message.card;
      if (!message.sender || message.sender.kind !== "bot" || !card) return false;
      // Order status: the intro only, the orders follow as their own cards.
      if (card.type === "bot_orders" && typeof card.intro === "string" && card.intro) {
        body.textContent = card.intro;
        return true;
      }
      if (card.type !== "bot_suggest") return false;
      body.textContent = String(card.prompt || message.body || "");
      return true;
    },
    decorateMessage(message, bubble, api) {
      if (!message || !message.sender || message.sender.kind !== "bot") return;
      const card = message.card;
      if (card && card.type === "bot_handover" && api.slots.messages) {
        // A person is coming: "Talk to a person" on earlier messages has done its job.
        for (const node of api.slots.messages.querySelectorAll(".hd-bot-human, .hd-bot-none")) {
          /** @type {HTMLButtonElement} */ (node).disabled = true;
        }
      }
      if (!card || bubble.querySelector(".hd-bot-actions, .hd-bot-suggest")) return;
      const suggest = card.type === "bot_suggest";
      if (!suggest && FEEDBACK_CARDS.indexOf(card.type) === -1) return;
      const box = suggest ? suggestBox(message, api) : actionsBox(message, api);
      bubble.dataset.botCard = card.type;
      if (box) insert(bubble, box);
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
