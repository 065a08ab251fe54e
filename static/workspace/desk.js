/* Agent workspace core: plugin registry, api, socket with reconnect, REST, i18n, notices.
 * The list (list.js) and the conversation panes (pane.js) build on it; features are parts in
 * static/workspace/parts/*.js registered with Desk.register (docs/frontend.md, "Workspace"). */
(function () {
  "use strict";

  const parts = [];
  const listeners = new Map();
  const Desk = (window.Desk = window.Desk || {});

  /* ---- i18n (Django's JavaScriptCatalog at /jsi18n/ defines gettext/interpolate) ---- */
  const t = (s) => (typeof window.gettext === "function" ? window.gettext(s) : s);
  const interpolate = (fmt, obj, named) =>
    typeof window.interpolate === "function" ? window.interpolate(fmt, obj, named) : fmt;

  /* ---- safe DOM builder: strings always become text nodes ---- */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else if (key in node && typeof value !== "string") node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function formatTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const now = new Date();
    const sameDay = d.toDateString() === now.toDateString();
    const lang = document.documentElement.lang || undefined;
    return sameDay
      ? d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" })
      : d.toLocaleDateString(lang, { month: "short", day: "numeric" }) +
          " " + d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* ---- REST with CSRF; errors carry the contract's error shape ---- */
  async function apiFetch(url, options = {}) {
    const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    const init = { method: options.method || "GET", headers, credentials: "same-origin" };
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    } else if (options.body !== undefined) init.body = options.body;
    if (init.method !== "GET" && init.method !== "HEAD") headers["X-CSRFToken"] = cookie("csrftoken");
    const response = await fetch(url, init);
    let data = null;
    const text = await response.text();
    if (text) {
      try { data = JSON.parse(text); } catch (e) { data = { detail: text.slice(0, 200) }; }
    }
    if (!response.ok) {
      const error = new Error((data && data.detail) || response.statusText || "HTTP " + response.status);
      error.status = response.status;
      error.code = data && data.code;
      error.detail = data && data.detail;
      error.fields = data && data.fields;
      throw error;
    }
    return data;
  }

  /* ---- plugin registry ---- */
  function register(part) {
    if (!part || typeof part.name !== "string") throw new Error("Desk.register needs {name}");
    if (parts.some((p) => p.name === part.name)) {
      console.warn("desk: part registered twice:", part.name);
      return;
    }
    parts.push(part);
    if (!Desk.booted) return;
    // A part loaded after the boot still gets the one-time hooks.
    if (typeof part.onReady === "function") callPart(part, "onReady", api);
    const tools = document.getElementById("dk-topbar-tools");
    if (tools && typeof part.topbarTools === "function") callPart(part, "topbarTools", tools, api);
  }

  function callPart(part, hook, ...args) {
    try {
      return part[hook](...args);
    } catch (error) {
      console.error("desk part " + part.name + "." + hook + " failed", error);
      return undefined;
    }
  }

  /* Call ``hook`` on every part that has it; returns true if any returned true. */
  function runHook(hook, ...args) {
    let handled = false;
    for (const part of parts) {
      if (typeof part[hook] === "function" && callPart(part, hook, ...args) === true) handled = true;
    }
    return handled;
  }

  /* ---- local event bus ---- */
  function on(name, fn) {
    if (!listeners.has(name)) listeners.set(name, new Set());
    listeners.get(name).add(fn);
  }
  function off(name, fn) {
    if (listeners.has(name)) listeners.get(name).delete(fn);
  }
  function emit(name, payload) {
    for (const fn of listeners.get(name) || []) {
      try { fn(payload); } catch (error) { console.error("desk listener " + name, error); }
    }
  }

  /* ---- socket with exponential backoff ---- */
  const socket = { ws: null, queue: [], attempt: 0, timer: null, ping: null, state: "connecting" };

  function setConnState(state) {
    socket.state = state;
    const box = document.getElementById("dk-conn");
    if (!box) return;
    box.dataset.state = state;
    const text = box.querySelector(".dk-conn-text");
    if (text && text.dataset[state]) text.textContent = text.dataset[state];
  }

  function connect() {
    clearTimeout(socket.timer);
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + api.config.urls.socket);
    socket.ws = ws;
    setConnState("connecting");
    ws.onopen = () => {
      socket.attempt = 0;
      setConnState("open");
      clearInterval(socket.ping);
      socket.ping = setInterval(() => send({ type: "ping" }), 25000);
    };
    ws.onmessage = (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (!frame || typeof frame.type !== "string") return;
      if (frame.type === "ready") {
        const queued = socket.queue.splice(0);
        emit("socket.open", frame);
        for (const f of queued) send(f);
      }
      handleFrame(frame);
    };
    ws.onclose = (event) => {
      clearInterval(socket.ping);
      if (socket.ws !== ws) return;
      socket.ws = null;
      setConnState("closed");
      emit("socket.close", event);
      if (event.code === 4401 || event.code === 4403) {
        // The session ended (logged out elsewhere): the login page brings the agent back.
        location.href = api.config.urls.login + "?next=" + encodeURIComponent(location.pathname);
        return;
      }
      const delay = Math.min(30000, 1000 * 2 ** socket.attempt) * (0.75 + Math.random() * 0.5);
      socket.attempt += 1;
      socket.timer = setTimeout(connect, delay);
    };
  }

  function send(frame) {
    const ws = socket.ws;
    if (ws && ws.readyState === WebSocket.OPEN && socket.state === "open") {
      ws.send(JSON.stringify(frame));
      return true;
    }
    // Queued frames go out after the next "ready"; resumes are re-sent by the panes anyway.
    if (frame.type !== "ping" && frame.type !== "typing" && frame.type !== "resume") {
      socket.queue.push(frame);
    }
    return false;
  }

  function handleFrame(frame) {
    if (frame.type === "error") {
      Desk.onError(frame);
    }
    for (const handler of Desk.frameHandlers) {
      try { handler(frame); } catch (error) { console.error("desk frame handler", error); }
    }
    emit("frame", frame);
    runHook("onFrame", frame, api);
  }

  /* ---- sound (WebAudio, generated) and browser notifications ---- */
  let audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      const now = audio.currentTime;
      [880, 1320].forEach((freq, i) => {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        const start = now + i * 0.12;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.3);
      });
    } catch (error) {
      /* no audio device: the visual notice still shows */
    }
  }

  function notify(title, body, options = {}) {
    if (!document.hidden && !options.force) return false;
    beep();
    Desk.notifyCount = (Desk.notifyCount || 0) + 1;
    document.title = "(" + Desk.notifyCount + ") " + Desk.baseTitle;
    if ("Notification" in window && Notification.permission === "granted") {
      try {
        const n = new Notification(title, { body: body || "", tag: "desk-" + (options.conversation || "x") });
        n.onclick = () => {
          window.focus();
          if (options.conversation) api.open(options.conversation);
          n.close();
        };
      } catch (error) {
        /* some browsers only allow notifications from a service worker */
      }
    }
    return true;
  }

  function setupNotificationButton() {
    const button = document.getElementById("dk-notify-btn");
    if (!button || !("Notification" in window)) return;
    const refresh = () => { button.hidden = Notification.permission !== "default"; };
    refresh();
    // Permission may only be asked on a user gesture; any first click also unlocks audio.
    button.addEventListener("click", () => {
      Notification.requestPermission().then(refresh, refresh);
    });
    document.addEventListener("click", () => {
      if (!audio) {
        try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { /* none */ }
      }
    }, { once: true });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) {
        Desk.notifyCount = 0;
        document.title = Desk.baseTitle;
      }
    });
  }

  function toast(text, kind = "info") {
    const box = document.getElementById("dk-toasts");
    if (!box) return;
    const item = el("div", { class: "dk-toast dk-toast-" + kind, role: kind === "error" ? "alert" : "status" }, text);
    box.append(item);
    setTimeout(() => item.classList.add("dk-toast-out"), 4000);
    setTimeout(() => item.remove(), 4500);
  }

  /* ---- the api handed to parts ---- */
  const api = {
    config: {},
    me: null,
    t,
    interpolate,
    el,
    formatTime,
    send,
    fetch: apiFetch,
    conversations: new Map(),
    conversation: (id) => api.conversations.get(Number(id)),
    notify,
    beep,
    toast,
    on,
    off,
    // Filled in by list.js and pane.js:
    sendMessage: () => { throw new Error("desk not booted"); },
    active: () => null,
    openIds: () => [],
    open: () => {},
    close: () => {},
    pane: () => null,
    composer: () => null,
    refreshList: () => {},
    addListTab: () => {},
  };

  Object.assign(Desk, {
    register,
    api,
    runHook,
    emit,
    parts,
    frameHandlers: [],
    booted: false,
    onError(frame) {
      if (frame.client_id) return; // the pane that sent it shows the failure on its bubble
      if (frame.code === "rate_limited") toast(t("Slow down a little."), "error");
      else if (frame.code !== "not_found") toast(frame.detail || t("Something went wrong."), "error");
    },
    /* Upsert a conversation payload and tell everyone. */
    updateConversation(payload) {
      if (!payload || typeof payload.id !== "number") return null;
      const known = api.conversations.get(payload.id);
      const merged = Object.assign({}, known || {}, payload);
      if (known && payload.unread === undefined) merged.unread = known.unread || 0;
      api.conversations.set(payload.id, merged);
      emit("conversation.updated", merged);
      return merged;
    },
  });

  function boot() {
    const node = document.getElementById("desk-config");
    api.config = node ? JSON.parse(node.textContent) : { urls: {} };
    api.me = api.config.agent;
    Desk.baseTitle = document.title;
    setupNotificationButton();
    for (const init of Desk.inits || []) init(api);
    Desk.booted = true;
    for (const part of parts) if (typeof part.onReady === "function") callPart(part, "onReady", api);
    const tools = document.getElementById("dk-topbar-tools");
    if (tools) runHook("topbarTools", tools, api);
    connect();
  }

  // For the browser tests: drop the socket as a network failure would (reconnect follows).
  Desk.__testDropSocket = () => socket.ws && socket.ws.close(4000, "test");

  Desk.inits = Desk.inits || [];
  // Deferred scripts run in order, with readyState already "interactive", and all of them
  // before DOMContentLoaded: list.js, pane.js and the parts have registered when it fires.
  // (Booting on a timer here would race the later deferred scripts.)
  if (document.readyState === "complete") setTimeout(boot, 0);
  else document.addEventListener("DOMContentLoaded", boot, { once: true });
})();
