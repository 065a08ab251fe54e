/*
 * Helpdesk storefront widget: the one script a shop includes.
 *
 *   <script src="https://desk.example.com/static/widget/widget.js" async></script>
 *
 * Plain modern JavaScript, no build step. The core owns the session, the socket protocol
 * (CONTRACT.md: auth, message.send/ack, resume by seq, typing, read receipts, ping) and the
 * panel; features come as parts (static/widget/parts/*.js) registered through
 * window.HelpdeskWidget.register(part). The plugin API is documented in docs/frontend.md.
 *
 * Message data is only ever put into the DOM with textContent / text nodes.
 *
 * The core is deliberately one file (no build step, one request before the launcher shows on
 * a shop's page); features live in the part files. Sections: helpers, DOM, header, messages,
 * socket, session, parts, public object.
 */
(function () {
  'use strict';

  const existing = window.HelpdeskWidget;
  if (existing && existing.__core) return;
  const queued = (existing && existing._q) || [];

  const script =
    document.currentScript ||
    document.querySelector('script[src*="/widget/widget.js"]');
  const scriptUrl = new URL(script.src, location.href);
  const baseUrl = (script.dataset.desk || scriptUrl.origin).replace(/\/+$/, '');
  const staticUrl = new URL('./', scriptUrl).href;
  const language = pickLanguage(script.dataset.lang || navigator.language || 'en');
  const TOKEN_KEY = 'helpdesk:visitor_token';
  const OUTBOX_KEY = 'helpdesk:outbox';
  const PING_MS = 25000;
  const PONG_TIMEOUT_MS = 10000;
  const TYPING_REPEAT_MS = 3000;
  const TYPING_IDLE_MS = 4000;
  const REMOTE_TYPING_MS = 7000;

  function pickLanguage(tag) {
    return /^zh/i.test(String(tag)) ? 'zh-hans' : 'en';
  }

  // --- state -------------------------------------------------------------------------------

  const parts = [];
  const partStrings = {};
  const listeners = {};
  let strings = {};
  // Server limits (from /api/widget/config); a message over them fails at once instead of
  // sitting in the outbox forever.
  let limits = { max_body_chars: 10000, max_frame_bytes: 65536 };
  let session = null;
  let conversation = null;
  let token = storageGet(TOKEN_KEY);
  let ws = null;
  let wsReady = false;
  let connection = 'offline';
  let attempts = 0;
  let reconnectTimer = null;
  let pingTimer = null;
  let pongTimer = null;
  let lastSeq = 0; // every seq <= lastSeq is present (or a note the shopper never gets)
  let resumeInFlight = false;
  let gapTimer = null;
  let readSent = 0;
  let agentDelivered = 0;
  let agentRead = 0;
  let unread = 0;
  let typingOn = false;
  let typingSentAt = 0;
  let typingIdleTimer = null;
  let remoteTypingTimer = null;
  let started = false;
  let built = false;
  let connectedOnce = false;
  let outbox = loadOutbox();
  const bySeq = new Map(); // seq -> {message, el}
  const byClientId = new Map(); // client_id -> el (pending or acked, own messages)

  // --- small helpers -----------------------------------------------------------------------

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) {
      /* private mode: keep it in memory only */
    }
  }

  function loadOutbox() {
    try {
      const items = JSON.parse(storageGet(OUTBOX_KEY) || '[]');
      return Array.isArray(items) ? items.filter((f) => f && typeof f.client_id === 'string') : [];
    } catch (e) {
      return [];
    }
  }

  function saveOutbox() {
    storageSet(OUTBOX_KEY, outbox.length ? JSON.stringify(outbox) : null);
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return 'w-' + crypto.randomUUID();
    return 'w-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
  }

  function t(key, params) {
    let text = strings[key];
    if (text === undefined) {
      const own = partStrings[language] || {};
      text = own[key] !== undefined ? own[key] : (partStrings.en || {})[key];
    }
    if (text === undefined) text = key;
    if (params) {
      text = text.replace(/%\((\w+)\)[sd]/g, (m, name) =>
        params[name] === undefined ? m : String(params[name])
      );
    }
    return text;
  }

  // Safe element builder: strings become text nodes, never HTML.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on') && typeof value === 'function')
        node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function emit(event, payload) {
    for (const fn of listeners[event] || []) safe(() => fn(payload, api));
  }

  function safe(fn) {
    try {
      return fn();
    } catch (error) {
      if (window.console) console.error('[helpdesk widget]', error);
      return undefined;
    }
  }

  function callParts(hook, ...args) {
    for (const part of parts) {
      if (typeof part[hook] === 'function') safe(() => part[hook](...args, api));
    }
  }

  function formatTime(iso) {
    if (!iso) return '';
    const date = new Date(iso);
    if (isNaN(date)) return '';
    return date.toLocaleTimeString(language === 'zh-hans' ? 'zh-CN' : undefined, {
      hour: '2-digit',
      minute: '2-digit',
    });
  }

  async function deskFetch(path, init) {
    const options = Object.assign({}, init || {});
    const headers = new Headers(options.headers || {});
    if (token && !headers.has('Authorization')) headers.set('Authorization', 'Visitor ' + token);
    if (options.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      options.body = JSON.stringify(options.json);
      delete options.json;
    }
    options.headers = headers;
    options.credentials = 'omit';
    options.mode = 'cors';
    const url = /^https?:/.test(path) ? path : baseUrl + path;
    return fetch(url, options);
  }

  // --- DOM -----------------------------------------------------------------------------------

  const slots = {};

  function build() {
    const host = el('div', { id: 'helpdesk-widget' });
    const root = host.attachShadow({ mode: 'open' });
    root.append(el('link', { rel: 'stylesheet', href: staticUrl + 'widget.css' }));
    slots.root = root;
    slots.host = host;

    slots.unread = el('span', {
      class: 'hd-badge',
      'data-testid': 'hd-unread',
      hidden: true,
      'aria-hidden': 'true',
    });
    slots.launcher = el(
      'button',
      {
        type: 'button',
        class: 'hd-launcher',
        'data-testid': 'hd-launcher',
        'aria-label': t('Open chat'),
        'aria-expanded': 'false',
        'aria-controls': 'hd-panel',
        onclick: () => (isOpen() ? close() : open()),
      },
      el('span', { class: 'hd-launcher-icon', 'aria-hidden': 'true' }),
      slots.unread
    );

    slots.title = el('div', { class: 'hd-title', 'data-testid': 'hd-title' }, t('Chat with us'));
    slots.status = el(
      'div',
      { class: 'hd-status', 'data-testid': 'hd-status', 'aria-live': 'polite' },
      t('We typically reply in a few minutes')
    );
    slots.avatar = el('div', { class: 'hd-avatar', 'aria-hidden': 'true' });
    slots.avatarIcon = el('span', { class: 'hd-launcher-icon hd-avatar-icon' });
    slots.avatar.append(slots.avatarIcon);
    slots.closeButton = el(
      'button',
      {
        type: 'button',
        class: 'hd-close',
        'data-testid': 'hd-close',
        'aria-label': t('Close chat'),
        onclick: () => close(),
      },
      '×'
    );
    slots.header = el(
      'header',
      { class: 'hd-header' },
      slots.avatar,
      el('div', { class: 'hd-heading' }, slots.title, slots.status),
      slots.closeButton
    );
    slots.banner = el('div', { class: 'hd-banner' });
    slots.messages = el('div', {
      class: 'hd-messages',
      'data-testid': 'hd-messages',
      role: 'log',
      'aria-live': 'polite',
      'aria-label': t('Messages'),
      tabindex: '0',
    });
    slots.welcome = el(
      'div',
      { class: 'hd-welcome' },
      el('strong', {}, t('Hi there!')),
      el('p', {}, t('Ask us anything about products, orders or delivery.'))
    );
    slots.messages.append(slots.welcome);
    slots.typing = el(
      'div',
      { class: 'hd-typing', 'data-testid': 'hd-typing', hidden: true, 'aria-live': 'polite' },
      el('span', { class: 'hd-dots', 'aria-hidden': 'true' }, el('i'), el('i'), el('i')),
      el('span', { class: 'hd-typing-text' })
    );
    slots.footer = el('div', { class: 'hd-footer' });
    slots.tools = el('div', { class: 'hd-tools' });
    slots.input = el('textarea', {
      class: 'hd-input',
      'data-testid': 'hd-input',
      rows: '1',
      maxlength: String(limits.max_body_chars),
      placeholder: t('Type a message…'),
      'aria-label': t('Message'),
    });
    slots.sendButton = el(
      'button',
      {
        type: 'submit',
        class: 'hd-send',
        'data-testid': 'hd-send',
        'aria-label': t('Send'),
        title: t('Send'),
      },
      el('span', { 'aria-hidden': 'true' }, '➤')
    );
    slots.composer = el(
      'form',
      { class: 'hd-composer', 'data-testid': 'hd-composer' },
      slots.tools,
      slots.input,
      slots.sendButton
    );
    slots.powered = el('div', { class: 'hd-powered' }, t('Powered by Helpdesk'));
    slots.panel = el(
      'section',
      {
        id: 'hd-panel',
        class: 'hd-panel',
        'data-testid': 'hd-panel',
        role: 'dialog',
        'aria-label': t('Chat with us'),
        hidden: true,
        'data-connection': connection,
        lang: language === 'zh-hans' ? 'zh-Hans' : 'en',
      },
      slots.header,
      slots.banner,
      slots.messages,
      slots.typing,
      slots.footer,
      slots.composer,
      slots.powered
    );
    root.append(slots.panel, slots.launcher);

    slots.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      submitInput();
    });
    slots.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    slots.input.addEventListener('input', () => {
      autosize();
      typingKeystroke();
    });
    slots.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        close();
        slots.launcher.focus();
      }
    });
    document.addEventListener('visibilitychange', sendRead);
    window.addEventListener('online', () => connectSoon(0));
    (document.body || document.documentElement).append(host);
    built = true;
    for (const part of parts) installPart(part);
    for (const item of outbox) renderPending(item);
  }

  function autosize() {
    const input = slots.input;
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
  }

  function setConnection(state) {
    connection = state;
    if (slots.panel) slots.panel.dataset.connection = state;
    if (state === 'online') removeNotice('connection');
    else if (connectedOnce && state === 'offline')
      addSystemNotice(t('Connection lost. Reconnecting…'), { id: 'connection' });
  }

  function isOpen() {
    return !!(slots.panel && !slots.panel.hidden);
  }

  function open() {
    if (!slots.panel || isOpen()) return;
    slots.panel.hidden = false;
    slots.launcher.setAttribute('aria-expanded', 'true');
    slots.launcher.setAttribute('aria-label', t('Close chat'));
    slots.launcher.classList.add('hd-open');
    scrollToEnd();
    slots.input.focus();
    setUnread(0);
    sendRead();
    ensureSocket();
    callParts('onOpen');
    emit('open');
  }

  function close() {
    if (!isOpen()) return;
    slots.panel.hidden = true;
    slots.launcher.setAttribute('aria-expanded', 'false');
    slots.launcher.setAttribute('aria-label', t('Open chat'));
    slots.launcher.classList.remove('hd-open');
    callParts('onClose');
    emit('close');
  }

  function setUnread(count) {
    unread = count;
    if (!slots.unread) return;
    slots.unread.textContent = count > 9 ? '9+' : String(count);
    slots.unread.hidden = count === 0;
    slots.launcher.setAttribute(
      'aria-label',
      isOpen() ? t('Close chat') : count ? t('Open chat (%(n)s unread)', { n: count }) : t('Open chat')
    );
  }

  function scrollToEnd() {
    const list = slots.messages;
    if (list) list.scrollTop = list.scrollHeight;
  }

  function nearBottom() {
    const list = slots.messages;
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function addSystemNotice(content, options) {
    const opts = options || {};
    if (!slots.messages) return null;
    if (opts.id) removeNotice(opts.id);
    const notice = el(
      'div',
      {
        class: 'hd-notice',
        role: 'status',
        'data-testid': 'hd-notice',
        dataset: opts.id ? { noticeId: opts.id } : {},
      },
      content
    );
    const stick = nearBottom();
    slots.messages.append(notice);
    if (stick) scrollToEnd();
    if (opts.timeout) setTimeout(() => notice.remove(), opts.timeout);
    return notice;
  }

  function removeNotice(id) {
    if (!slots.messages) return;
    for (const node of slots.messages.querySelectorAll('.hd-notice')) {
      if (node.dataset.noticeId === id) node.remove();
    }
  }

  // --- header: agent name, typing -------------------------------------------------------

  function updateHeader() {
    if (!slots.status) return;
    const assignee = conversation && conversation.assignee;
    const active = conversation && conversation.status !== 'resolved';
    if (active && assignee && assignee.name) {
      slots.title.textContent = t('Chat with us');
      const initial = assignee.name.trim().charAt(0).toUpperCase();
      if (initial) slots.avatar.replaceChildren(initial);
      slots.avatar.classList.add('hd-avatar-agent');
      slots.status.textContent = t('%(name)s is replying', { name: assignee.name });
    } else {
      slots.title.textContent = t('Chat with us');
      slots.avatar.replaceChildren(slots.avatarIcon);
      slots.avatar.classList.remove('hd-avatar-agent');
      slots.status.textContent = t('We typically reply in a few minutes');
    }
  }

  function showRemoteTyping(frame) {
    clearTimeout(remoteTypingTimer);
    if (!frame.on) {
      slots.typing.hidden = true;
      return;
    }
    const name = (frame.sender && frame.sender.name) || t('Support');
    slots.typing.querySelector('.hd-typing-text').textContent = t('%(name)s is typing…', {
      name: name,
    });
    const stick = nearBottom();
    slots.typing.hidden = false;
    if (stick) scrollToEnd();
    // A lost "off" frame must not leave the indicator forever.
    remoteTypingTimer = setTimeout(() => (slots.typing.hidden = true), REMOTE_TYPING_MS);
  }

  // --- messages ------------------------------------------------------------------------------

  function bubbleFor(message, pending) {
    const sender = (message.sender && message.sender.kind) || 'visitor';
    const own = sender === 'visitor';
    const body = el('div', { class: 'hd-body', 'data-testid': 'hd-message-body' });
    const bubble = el('div', {
      class: 'hd-message hd-from-' + sender + (own ? ' hd-own' : ''),
      'data-testid': 'hd-message',
      'data-seq': pending ? '' : String(message.seq),
      'data-client-id': message.client_id || '',
      'data-conversation': pending ? '' : String(message.conversation || ''),
      'data-sender': sender,
      'data-kind': message.kind || 'text',
    });
    if (!own && sender !== 'system' && message.sender && message.sender.name) {
      bubble.append(el('div', { class: 'hd-sender', 'data-testid': 'hd-sender' }, message.sender.name));
    }
    bubble.append(body);
    renderBody(message, body);
    const meta = el('div', { class: 'hd-meta' }, el('time', { datetime: message.created_at || '' }, formatTime(message.created_at)));
    if (own) {
      meta.append(el('span', { class: 'hd-tick', 'data-testid': 'hd-tick', role: 'img' }));
    }
    bubble.append(meta);
    if (own) setTick(bubble, pending ? 'pending' : tickState(message.seq));
    if (!pending) {
      for (const part of parts) {
        if (typeof part.decorateMessage === 'function') safe(() => part.decorateMessage(message, bubble, api));
      }
    }
    return bubble;
  }

  function renderBody(message, body) {
    const kind = message.kind || 'text';
    for (const part of parts) {
      if (typeof part.renderMessage !== 'function') continue;
      if (Array.isArray(part.kinds) && !part.kinds.includes(kind)) continue;
      if (safe(() => part.renderMessage(message, body, api)) === true) return;
      body.replaceChildren();
    }
    body.textContent = message.body || '';
  }

  function tickState(seq) {
    if (seq <= agentRead) return 'read';
    if (seq <= agentDelivered) return 'delivered';
    return 'sent';
  }

  const TICK_LABELS = {
    pending: 'Sending…',
    sent: 'Sent',
    delivered: 'Delivered',
    read: 'Read',
    failed: 'Not sent',
  };
  const TICK_GLYPHS = { pending: '…', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

  function setTick(bubble, state) {
    const tick = bubble.querySelector('.hd-tick');
    if (!tick || tick.dataset.state === state) return;
    bubble.dataset.state = state;
    tick.dataset.state = state;
    tick.textContent = TICK_GLYPHS[state];
    tick.setAttribute('aria-label', t(TICK_LABELS[state]));
    tick.title = t(TICK_LABELS[state]);
  }

  function refreshTicks() {
    if (!slots.messages) return;
    for (const bubble of slots.messages.querySelectorAll('.hd-own[data-seq]')) {
      const seq = Number(bubble.dataset.seq);
      if (seq) setTick(bubble, tickState(seq));
    }
  }

  // Insert by seq so late or replayed messages land in place; pending ones stay at the end.
  function insertBubble(bubble, seq) {
    const list = slots.messages;
    slots.welcome.remove();
    const stick = nearBottom();
    let before = null;
    const current = bubble.dataset.conversation;
    const all = list.querySelectorAll('.hd-message');
    const tail = lastSettled(all);
    if (seq && tail && tail.dataset.conversation === current && Number(tail.dataset.seq) < seq) {
      before = tail.nextElementSibling; // the common case: newest message, after the last one
      while (before && !before.classList.contains('hd-message')) before = before.nextElementSibling;
    } else if (seq) {
      for (const node of all) {
        if (node === bubble) continue;
        if (node.dataset.seq === '') {
          before = node; // pending bubbles stay last
          break;
        }
        if (node.dataset.conversation !== current) continue; // an earlier conversation
        if (Number(node.dataset.seq) > seq) {
          before = node;
          break;
        }
      }
    }
    list.insertBefore(bubble, before || null);
    if (stick || !seq) scrollToEnd();
  }

  function lastSettled(nodes) {
    for (let i = nodes.length - 1; i >= 0; i -= 1) {
      if (nodes[i].dataset.seq !== '') return nodes[i];
    }
    return null;
  }

  function renderPending(item) {
    if (!built || byClientId.has(item.client_id)) return;
    const message = Object.assign({}, item, {
      sender: { kind: 'visitor' },
      created_at: new Date().toISOString(),
    });
    const bubble = bubbleFor(message, true);
    byClientId.set(item.client_id, bubble);
    insertBubble(bubble, 0);
  }

  function messageArrived(message) {
    if (!message || typeof message.seq !== 'number' || message.private) return;
    if (conversation && message.conversation !== conversation.id) {
      // Another conversation (a new one after a resolved one): follow the newest.
      if (message.conversation < conversation.id) return;
      switchConversation({ id: message.conversation, last_seq: 0 });
    } else if (!conversation) {
      switchConversation({ id: message.conversation, last_seq: 0 });
    }
    const pendingEl = message.client_id ? byClientId.get(message.client_id) : null;
    if (message.client_id && outbox.some((item) => item.client_id === message.client_id)) {
      outbox = outbox.filter((item) => item.client_id !== message.client_id);
      saveOutbox();
    }
    const known = bySeq.get(message.seq);
    if (known) {
      // A replay or a repeated ack (idempotent re-send): keep the bubble we have.
      if (pendingEl && pendingEl !== known.el) pendingEl.remove();
      return;
    }
    const bubble = bubbleFor(message, false);
    if (pendingEl && pendingEl.isConnected) {
      pendingEl.replaceWith(bubble);
      // Acked: move it to its seq position (usually where it already was).
      insertBubble(bubble, message.seq);
    } else {
      insertBubble(bubble, message.seq);
    }
    if (message.client_id) byClientId.set(message.client_id, bubble);
    bySeq.set(message.seq, { message: message, el: bubble });
    advanceSeq(message.seq);
    const fromOther = message.sender && message.sender.kind !== 'visitor';
    if (fromOther) {
      slots.typing.hidden = true;
      if (!isOpen() || document.visibilityState !== 'visible') {
        if (message.seq > readSent) setUnread(unread + 1);
      }
      sendRead();
    }
    emit('message', message);
  }

  function advanceSeq(seq) {
    if (seq === lastSeq + 1) {
      lastSeq = seq;
      while (bySeq.has(lastSeq + 1)) lastSeq += 1;
    } else if (seq > lastSeq + 1) {
      scheduleGapResume();
    }
  }

  function scheduleGapResume() {
    if (gapTimer || resumeInFlight) return;
    // Give reordered frames a moment; a true gap (or a private note) is healed by resume.
    gapTimer = setTimeout(() => {
      gapTimer = null;
      if (hasGap()) resume();
    }, 250);
  }

  function hasGap() {
    for (const seq of bySeq.keys()) if (seq > lastSeq + 1) return true;
    return false;
  }

  function switchConversation(next) {
    if (conversation && next.id === conversation.id) {
      conversation = Object.assign({}, conversation, next);
    } else {
      conversation = next;
      lastSeq = 0;
      readSent = 0;
      agentDelivered = 0;
      agentRead = 0;
      bySeq.clear();
    }
    const receipts = conversation.receipts;
    if (receipts) {
      agentDelivered = Math.max(agentDelivered, receipts.agent_delivered_seq || 0);
      agentRead = Math.max(agentRead, receipts.agent_read_seq || 0);
      readSent = Math.max(readSent, receipts.visitor_read_seq || 0);
    }
    updateHeader();
    refreshTicks();
  }

  // --- socket ----------------------------------------------------------------------------------

  function send(frame) {
    if (!ws || !wsReady || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function resume() {
    if (!conversation || !wsReady) return;
    resumeInFlight = true;
    send({ type: 'resume', conversation: conversation.id, after_seq: lastSeq });
  }

  let outboxRetryTimer = null;
  function scheduleOutboxRetry() {
    if (outboxRetryTimer || !outbox.length) return;
    outboxRetryTimer = setTimeout(() => {
      outboxRetryTimer = null;
      flushOutbox();
    }, 2000 + Math.random() * 1000);
  }

  function flushOutbox() {
    for (const item of outbox) {
      const frame = Object.assign({}, item, { type: 'message.send' });
      if (conversation && !frame.conversation) frame.conversation = conversation.id;
      send(frame);
    }
  }

  function sendMessage(fields) {
    const item = Object.assign({}, fields || {}, { client_id: newClientId() });
    item.body = item.body || '';
    item.kind = item.kind || 'text';
    delete item.type;
    if (tooLarge(item)) {
      renderPending(item);
      const bubble = byClientId.get(item.client_id);
      if (bubble) markFailed(bubble, t('That message is too long.'));
      return item.client_id;
    }
    outbox.push(item);
    saveOutbox();
    renderPending(item);
    flushOne(item);
    if (!started) start();
    else ensureSocket();
    return item.client_id;
  }

  function tooLarge(item) {
    if (item.body.length > limits.max_body_chars) return true;
    const frame = JSON.stringify(Object.assign({ type: 'message.send', conversation: 0 }, item));
    return new Blob([frame]).size > limits.max_frame_bytes - 256;
  }

  function markFailed(bubble, reason) {
    setTick(bubble, 'failed');
    let note = bubble.querySelector('.hd-error');
    if (!note) {
      note = el('div', { class: 'hd-error', role: 'alert', 'data-testid': 'hd-error' });
      bubble.append(note);
    }
    note.textContent = reason;
    return note;
  }

  function flushOne(item) {
    const frame = Object.assign({}, item, { type: 'message.send' });
    if (conversation) frame.conversation = conversation.id;
    send(frame);
  }

  function submitInput() {
    const body = slots.input.value.replace(/\s+$/, '');
    if (!body.trim()) return;
    slots.input.value = '';
    autosize();
    stopTyping();
    sendMessage({ body: body });
    scrollToEnd();
  }

  function typingKeystroke() {
    if (!conversation) return;
    const now = Date.now();
    if (!typingOn || now - typingSentAt > TYPING_REPEAT_MS) {
      if (send({ type: 'typing', conversation: conversation.id, on: true })) {
        typingOn = true;
        typingSentAt = now;
      }
    }
    clearTimeout(typingIdleTimer);
    typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(typingIdleTimer);
    if (typingOn && conversation) send({ type: 'typing', conversation: conversation.id, on: false });
    typingOn = false;
  }

  // Coalesced: a replay of many messages sends one read receipt, not one per message.
  let readTimer = null;
  function sendRead() {
    if (readTimer) return;
    readTimer = setTimeout(() => {
      readTimer = null;
      sendReadNow();
    }, 150);
  }

  function sendReadNow() {
    if (!conversation || !isOpen() || document.visibilityState !== 'visible') return;
    let highest = 0;
    for (const [seq, entry] of bySeq) {
      if (entry.message.sender.kind !== 'visitor' && seq > highest) highest = seq;
    }
    if (highest > readSent && send({ type: 'read', conversation: conversation.id, seq: highest })) {
      readSent = highest;
    }
    if (isOpen() && document.visibilityState === 'visible') setUnread(0);
  }

  function handleError(frame) {
    const bubble = frame.client_id ? byClientId.get(frame.client_id) : null;
    const reason =
      {
        rate_limited: t('You are sending messages too fast. Retrying…'),
        too_large: t('That message is too long.'),
        bad_request: t('That message could not be sent.'),
        unavailable: t('The chat is temporarily unavailable. Retrying…'),
        not_found: t('This conversation is no longer available.'),
        forbidden: t('That message could not be sent.'),
        unauthorized: t('Your session expired. Reconnecting…'),
      }[frame.code] || t('Something went wrong.');
    if (bubble && bubble.dataset.seq === '') {
      const retry = frame.code === 'rate_limited' || frame.code === 'unavailable';
      if (retry) {
        setTimeout(() => {
          const item = outbox.find((i) => i.client_id === frame.client_id);
          if (item) flushOne(item);
        }, 2000 + Math.random() * 1000);
        const note = markFailed(bubble, reason);
        setTick(bubble, 'pending'); // still queued: it goes out again by itself
        setTimeout(() => note.remove(), 4000);
      } else {
        markFailed(bubble, reason);
        outbox = outbox.filter((i) => i.client_id !== frame.client_id);
        saveOutbox();
      }
      return;
    }
    if (frame.code === 'rate_limited' || frame.code === 'unavailable') {
      // The server drops a rate-limited frame before reading it, so the error names no
      // client_id: send whatever is still unacked again shortly (the server dedupes).
      scheduleOutboxRetry();
      addSystemNotice(reason, { id: 'error', timeout: 4000 });
    } else if (!resumeInFlight || frame.code !== 'not_found') {
      addSystemNotice(reason, { id: 'error', timeout: 6000 });
    }
    if (resumeInFlight) resumeInFlight = false;
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'ready':
        wsReady = true;
        attempts = 0;
        connectedOnce = true;
        setConnection('online');
        if (frame.conversation) switchConversation(frame.conversation);
        resume();
        flushOutbox();
        startPing();
        callParts('onConnect', frame);
        emit('connect', frame);
        break;
      case 'message.ack':
        messageArrived(frame.message);
        break;
      case 'message.created':
        messageArrived(frame.message);
        break;
      case 'resume.done':
        resumeInFlight = false;
        if (conversation && frame.conversation === conversation.id) {
          lastSeq = Math.max(lastSeq, frame.last_seq || 0);
          while (bySeq.has(lastSeq + 1)) lastSeq += 1;
          sendRead();
          if (hasGap()) scheduleGapResume();
        }
        break;
      case 'conversation.created':
      case 'conversation.updated':
        if (frame.conversation) {
          if (!conversation || frame.conversation.id >= conversation.id) {
            switchConversation(frame.conversation);
          }
        }
        break;
      case 'typing':
        if (frame.sender && frame.sender.kind !== 'visitor') showRemoteTyping(frame);
        break;
      case 'receipt':
        if (frame.reader === 'agent' && conversation && frame.conversation === conversation.id) {
          agentDelivered = Math.max(agentDelivered, frame.delivered_seq || 0);
          agentRead = Math.max(agentRead, frame.read_seq || 0);
          refreshTicks();
        }
        break;
      case 'pong':
        clearTimeout(pongTimer);
        break;
      case 'error':
        handleError(frame);
        break;
      default:
        break;
    }
    callParts('onFrame', frame);
    emit('frame', frame);
  }

  function startPing() {
    clearInterval(pingTimer);
    pingTimer = setInterval(() => {
      if (!send({ type: 'ping' })) return;
      clearTimeout(pongTimer);
      // A socket that stops answering is dead even if the browser has not noticed yet.
      pongTimer = setTimeout(() => ws && ws.close(4000, 'pong timeout'), PONG_TIMEOUT_MS);
    }, PING_MS);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (!token) return;
    if (ws && (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)) return;
    setConnection('connecting');
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws/visitor/');
    ws = socket;
    wsReady = false;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: token }));
    socket.onmessage = (event) => {
      if (socket !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame.type === 'string') onFrame(frame);
    };
    socket.onclose = (event) => {
      if (socket !== ws) return;
      ws = null;
      wsReady = false;
      resumeInFlight = false;
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      setConnection('offline');
      emit('disconnect', { code: event.code });
      if (event.code === 4401) {
        // The token is no longer valid (e.g. the visitor was erased): start a new session.
        token = null;
        storageSet(TOKEN_KEY, null);
        startSession().then(() => connectSoon(backoff()));
        return;
      }
      connectSoon(backoff());
    };
  }

  function backoff() {
    attempts += 1;
    const ceiling = Math.min(30000, 500 * 2 ** Math.min(attempts, 6));
    return ceiling / 2 + Math.random() * (ceiling / 2); // exponential with jitter
  }

  function connectSoon(delay) {
    if (!token) return;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
  }

  // --- session -------------------------------------------------------------------------------

  async function startSession() {
    const payload = {
      page: { url: location.href.slice(0, 1000), title: document.title.slice(0, 300) },
      language: language,
    };
    if (token) payload.visitor_token = token;
    if (identity) payload.identity = identity;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await deskFetch('/api/widget/session', { method: 'POST', json: payload });
        if (response.status === 401 && payload.visitor_token) {
          delete payload.visitor_token;
          token = null;
          storageSet(TOKEN_KEY, null);
          continue;
        }
        if (response.status === 403 && payload.identity) {
          // A refused identity claim changes nothing: carry on as the anonymous visitor.
          delete payload.identity;
          identity = null;
          continue;
        }
        if (!response.ok) throw new Error('session ' + response.status);
        session = await response.json();
        token = session.visitor_token;
        storageSet(TOKEN_KEY, token);
        if (session.conversation) switchConversation(session.conversation);
        callParts('onSession', session);
        emit('session', session);
        return session;
      } catch (error) {
        if (attempt >= 5) {
          addSystemNotice(t('The chat is temporarily unavailable. Retrying…'), { id: 'connection' });
        }
        await new Promise((resolve) => setTimeout(resolve, backoff()));
      }
    }
  }

  // Verified customer (CONTRACT.md): from data-identity, or later through api.identify().
  let identity = null;
  if (script.dataset.identity) {
    try {
      identity = JSON.parse(script.dataset.identity);
    } catch (e) {
      identity = null; // a malformed attribute is ignored
    }
  }

  function reconnectNow() {
    attempts = 0;
    if (ws) ws.close(4000, 'session changed'); // onclose reconnects with the new token
    else connectSoon(0);
  }

  async function identify(claim) {
    identity = claim || null;
    await startSession();
    reconnectNow();
    return session;
  }

  // Forget this browser's visitor (a shared computer, "sign out"): new token, empty panel.
  async function resetVisitor() {
    token = null;
    storageSet(TOKEN_KEY, null);
    outbox = [];
    saveOutbox();
    identity = null;
    conversation = null;
    lastSeq = 0;
    readSent = 0;
    agentDelivered = 0;
    agentRead = 0;
    bySeq.clear();
    byClientId.clear();
    setUnread(0);
    if (slots.messages) slots.messages.replaceChildren(slots.welcome);
    updateHeader();
    await startSession();
    reconnectNow();
    return session;
  }

  // A page view opens no socket: browsing is reported over HTTP (parts/browsing.js keeps the
  // agents' "now viewing" live) and the socket opens only when there is something to talk
  // about: a conversation already, the panel opened (by the shopper or a proactive greeting)
  // or a message queued. An idle socket per page view cost the server memory and CPU for
  // every browsing shopper (docs/performance.md, "Does a page view need a socket?").
  function needsSocket() {
    return !!(conversation || isOpen() || outbox.length);
  }

  function ensureSocket() {
    if (started && token && !ws && needsSocket()) connectSoon(0);
  }

  async function start() {
    if (started) return;
    started = true;
    await startSession();
    if (needsSocket()) connect();
  }

  // --- parts -----------------------------------------------------------------------------------

  function installPart(part) {
    if (part.styles) {
      slots.root.append(el('style', { 'data-part': part.name }, String(part.styles)));
    }
    for (const button of part.composerButtons || []) {
      const label = t(button.label || button.id || part.name);
      slots.tools.append(
        el(
          'button',
          {
            type: 'button',
            class: 'hd-tool',
            'data-testid': 'hd-tool-' + (button.id || part.name),
            'aria-label': label,
            title: label,
            onclick: (event) => safe(() => button.onClick(api, event)),
          },
          button.iconPath ? svgIcon(button.iconPath) : button.icon || '•'
        )
      );
    }
    if (typeof part.onReady === 'function') safe(() => part.onReady(api));
    if (session && typeof part.onSession === 'function') safe(() => part.onSession(session, api));
    if (wsReady && typeof part.onConnect === 'function') {
      safe(() => part.onConnect({ type: 'ready', conversation: conversation }, api));
    }
  }

  // A 24x24 icon from an SVG path (emoji need an emoji font, which many systems lack).
  function svgIcon(pathData) {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', 'hd-icon');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', String(pathData));
    svg.append(path);
    return svg;
  }

  function register(part) {
    if (!part || typeof part.name !== 'string' || parts.some((p) => p.name === part.name)) return;
    parts.push(part);
    for (const [lang, table] of Object.entries(part.strings || {})) {
      partStrings[lang] = Object.assign(partStrings[lang] || {}, table);
    }
    if (built) installPart(part);
  }

  function loadParts(urls) {
    const wanted = (script.dataset.parts || '').trim();
    if (wanted === 'none') return Promise.resolve();
    const allow = wanted ? wanted.split(',').map((s) => s.trim()) : null;
    const loads = [];
    for (const path of urls || []) {
      const name = path.split('/').pop().replace(/\.js$/, '').replace(/^\d+-/, '');
      if (allow && !allow.includes(name)) continue;
      const tag = document.createElement('script');
      tag.src = new URL(path, baseUrl + '/').href;
      tag.async = false; // keep manifest order
      tag.dataset.helpdeskPart = name;
      loads.push(
        new Promise((resolve) => {
          tag.onload = resolve;
          tag.onerror = resolve;
        })
      );
      document.head.append(tag);
    }
    return Promise.all(loads);
  }

  async function loadConfig() {
    try {
      const response = await fetch(
        baseUrl + '/api/widget/config?lang=' + encodeURIComponent(language),
        { credentials: 'omit', mode: 'cors' }
      );
      if (response.ok) return await response.json();
    } catch (e) {
      /* fall back to built-in English and no parts */
    }
    return { strings: {}, parts: [] };
  }

  // --- public object -----------------------------------------------------------------------------

  const api = {
    baseUrl: baseUrl,
    staticUrl: staticUrl,
    language: language,
    t: t,
    el: el,
    svgIcon: svgIcon,
    slots: slots,
    visitorToken: () => token,
    session: () => session,
    conversation: () => conversation,
    messages: () =>
      [...bySeq.values()].map((entry) => entry.message).sort((a, b) => a.seq - b.seq),
    send: send,
    sendMessage: sendMessage,
    fetch: deskFetch,
    addSystemNotice: addSystemNotice,
    removeNotice: removeNotice,
    open: open,
    close: close,
    isOpen: isOpen,
    on(event, fn) {
      (listeners[event] = listeners[event] || []).push(fn);
    },
    off(event, fn) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
    },
    identify: identify,
    resetVisitor: resetVisitor,
    track(name, data) {
      window.dispatchEvent(new CustomEvent('helpdesk:' + name, { detail: data }));
    },
  };

  window.HelpdeskWidget = {
    __core: true,
    version: '1',
    register: register,
    api: api,
    _q: [],
  };
  for (const part of queued) register(part);

  async function boot() {
    const config = await loadConfig();
    strings = config.strings || {};
    Object.assign(limits, config.limits || {});
    build();
    await loadParts(config.parts);
    for (const part of window.HelpdeskWidget._q.splice(0)) register(part);
    await start();
    if (script.dataset.open === '1') open();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', boot, { once: true });
  } else {
    boot();
  }
})();
