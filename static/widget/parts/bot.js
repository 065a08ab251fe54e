/*
 * Bot part of the storefront widget: the "Did this help? Yes / No / Talk to a person" buttons
 * under the bot's answers (docs/bot.md).
 *
 * A bot message keeps kind "text" (its body is the answer, shown by the core); its `card`
 * carries {type: "bot_answer" | "bot_prompt" | "bot_orders", prompt?, actions: [{id, label}]}.
 * A click POSTs /api/widget/bot/feedback with the visitor token in the Authorization header;
 * the chosen button stays marked (remembered per message in localStorage across reloads).
 */
(function () {
  'use strict';
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  const CARD_TYPES = ['bot_answer', 'bot_prompt', 'bot_orders'];
  const STORE = 'helpdesk:bot-feedback';

  function remembered() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || '{}') || {};
    } catch (e) {
      return {};
    }
  }

  function remember(messageId, choice) {
    try {
      const all = remembered();
      all[String(messageId)] = choice;
      const keys = Object.keys(all);
      // Keep the store small: the newest 200 clicks.
      for (const key of keys.slice(0, Math.max(0, keys.length - 200))) delete all[key];
      window.localStorage.setItem(STORE, JSON.stringify(all));
    } catch (e) {
      /* private mode: the mark lasts until reload */
    }
  }

  function mark(box, choice) {
    box.dataset.chosen = choice;
    for (const button of box.querySelectorAll('button')) {
      const chosen = button.dataset.choice === choice;
      button.setAttribute('aria-pressed', chosen ? 'true' : 'false');
      button.classList.toggle('hd-bot-chosen', chosen);
      // "Talk to a person" cannot be undone; Yes/No may be changed.
      if (choice === 'human') button.disabled = true;
    }
  }

  function actionsBox(message, api) {
    const card = message.card || {};
    const actions = Array.isArray(card.actions) ? card.actions : [];
    if (!actions.length) return null;
    const box = api.el('div', {
      class: 'hd-bot-actions',
      'data-testid': 'hd-bot-actions',
      'data-message': String(message.id),
      role: 'group',
    });
    if (card.prompt) {
      box.append(api.el('span', { class: 'hd-bot-prompt', 'data-testid': 'hd-bot-prompt' }, String(card.prompt)));
    }
    for (const action of actions) {
      if (!action || typeof action.id !== 'string') continue;
      const button = api.el(
        'button',
        {
          type: 'button',
          class: 'hd-bot-button hd-bot-' + action.id,
          'data-testid': 'hd-bot-' + action.id,
          'data-choice': action.id,
          'aria-pressed': 'false',
          onclick: () => choose(message, action.id, box, api),
        },
        String(action.label || action.id)
      );
      box.append(button);
    }
    const previous = remembered()[String(message.id)];
    if (previous) mark(box, previous);
    return box;
  }

  function choose(message, choice, box, api) {
    if (box.dataset.busy === '1') return;
    box.dataset.busy = '1';
    api
      .fetch('/api/widget/bot/feedback', {
        method: 'POST',
        json: { message: message.id, choice: choice },
      })
      .then((response) => {
        if (response && response.ok === false) throw new Error(String(response.status));
        mark(box, choice);
        remember(message.id, choice);
        if (choice === 'yes') {
          api.addSystemNotice(api.t('bot.thanks'), { id: 'bot-thanks', timeout: 4000 });
        }
      })
      .catch(() => {
        api.addSystemNotice(api.t('bot.failed'), { id: 'bot-failed', timeout: 5000 });
      })
      .finally(() => {
        box.dataset.busy = '';
      });
  }

  window.HelpdeskWidget._q = window.HelpdeskWidget._q || [];
  const part = {
    name: 'bot',
    styles: [
      '.hd-bot-actions{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-top:6px}',
      '.hd-bot-prompt{font-size:12px;opacity:.8;margin-right:2px}',
      '.hd-bot-button{font:inherit;font-size:12px;padding:3px 10px;border-radius:12px;',
      'border:1px solid currentColor;background:transparent;color:inherit;cursor:pointer}',
      '.hd-bot-button:hover:not(:disabled){background:rgba(0,0,0,.06)}',
      '.hd-bot-button.hd-bot-chosen{background:#1f6feb;border-color:#1f6feb;color:#fff}',
      '.hd-bot-button:disabled{cursor:default;opacity:.7}',
      '.hd-bot-button.hd-bot-chosen:disabled{opacity:1}',
    ].join(''),
    strings: {
      en: {
        'bot.thanks': 'Thanks for the feedback!',
        'bot.failed': 'Sorry, that did not go through. Please try again.',
      },
      'zh-hans': {
        'bot.thanks': '感谢您的反馈！',
        'bot.failed': '抱歉，提交失败，请重试。',
      },
    },
    decorateMessage(message, bubble, api) {
      if (!message || !message.sender || message.sender.kind !== 'bot') return;
      const card = message.card;
      if (card && card.type === 'bot_handover' && api.slots.messages) {
        // A person is coming: "Talk to a person" on earlier answers has done its job.
        for (const button of api.slots.messages.querySelectorAll('.hd-bot-human')) {
          button.disabled = true;
        }
      }
      if (!card || CARD_TYPES.indexOf(card.type) === -1) return;
      if (bubble.querySelector('.hd-bot-actions')) return;
      bubble.dataset.botCard = card.type;
      const box = actionsBox(message, api);
      if (!box) return;
      const meta = bubble.querySelector('.hd-meta');
      if (meta) bubble.insertBefore(box, meta);
      else bubble.append(box);
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
