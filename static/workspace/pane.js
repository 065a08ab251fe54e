/* Conversation panes: several open at once as tabs (or two side by side), each with its own
 * timeline, seq cursor, subscription, composer (composer.js) and sidebar (pane-view.js). History comes from `resume` (after_seq 0); a seq gap or
 * a reconnect resumes from the last seq the pane holds. */
(function () {
  "use strict";
  const Desk = window.Desk;
  const api = Desk.api;
  const t = api.t;
  const el = api.el;

  const panes = new Map(); // id -> pane
  const order = []; // tab order
  let focusedId = null;
  let secondaryId = null; // the other pane shown in split view
  let split = localStorage.getItem("desk.split") === "1";
  let agentsCache = null;

  function nameOf(c) {
    return Desk.list ? Desk.list.displayName(c) : "#" + c.id;
  }

  /* ---------------------------------------------------------------- open / focus / close */

  function open(id) {
    id = Number(id);
    if (!Number.isInteger(id) || id <= 0) return null;
    let pane = panes.get(id);
    if (!pane) {
      pane = createPane(id);
      panes.set(id, pane);
      order.push(id);
      Desk.emit("conversation.open", id);
      resume(pane, 0);
      if (!api.conversation(id)) {
        api.fetch(api.config.urls.conversations + id).then(
          (c) => Desk.updateConversation(c),
          () => api.toast(t("Conversation not found."), "error")
        );
      }
    }
    focus(id);
    return pane;
  }

  /* Show ``id`` (and, in split view, the pane focused before it next to it). */
  function focus(id, options = {}) {
    if (focusedId !== null && focusedId !== id && panes.has(focusedId)) secondaryId = focusedId;
    focusedId = id;
    if (secondaryId === id || !panes.has(secondaryId)) {
      secondaryId = order.slice().reverse().find((other) => other !== id) ?? null;
    }
    for (const pane of panes.values()) {
      const on = pane.id === id;
      const beside = split && pane.id === secondaryId;
      const wasHidden = pane.root.hidden;
      pane.root.hidden = !(on || beside);
      pane.root.classList.toggle("dk-pane-focused", on && split && secondaryId !== null);
      pane.tab.classList.toggle("dk-panetab-active", on);
      pane.tab.classList.toggle("dk-panetab-beside", beside);
      pane.tab.setAttribute("aria-selected", on ? "true" : "false");
      pane.sidebar.hidden = !on;
      if (on || beside) pane.tab.classList.remove("dk-panetab-unread");
      if ((on || beside) && wasHidden) scrollToEnd(pane, true);
    }
    document.getElementById("dk-placeholder").hidden = panes.size > 0;
    document.querySelector("#dk-sidebar .dk-sidebar-empty").hidden = panes.size > 0;
    const pane = panes.get(id);
    if (pane) {
      renderHeader(pane);
      buildSidebarParts(pane);
      markRead(pane);
      if (!options.keepFocus) pane.composer.focus();
    }
    const other = split && panes.get(secondaryId);
    if (other) markRead(other);
    Desk.emit("conversation.focus", id);
  }

  function isVisible(pane) {
    return !document.hidden && (pane.id === focusedId || (split && pane.id === secondaryId));
  }

  function setSplit(value) {
    split = !!value;
    localStorage.setItem("desk.split", split ? "1" : "0");
    const button = document.getElementById("dk-split");
    if (button) button.setAttribute("aria-pressed", split ? "true" : "false");
    document.getElementById("dk-panes").classList.toggle("dk-split", split);
    if (focusedId !== null) focus(focusedId, { keepFocus: true });
  }

  function close(id) {
    const pane = panes.get(Number(id));
    if (!pane) return;
    api.send({ type: "unsubscribe", conversation: pane.id });
    Desk.composer.typingOff(pane);
    pane.root.remove();
    pane.tab.remove();
    pane.sidebar.remove();
    panes.delete(pane.id);
    order.splice(order.indexOf(pane.id), 1);
    Desk.emit("conversation.close", pane.id);
    if (secondaryId === pane.id) secondaryId = null;
    if (focusedId === pane.id) {
      focusedId = null;
      focus(order.length ? order[order.length - 1] : null);
    } else if (focusedId !== null) focus(focusedId, { keepFocus: true });
  }

  /* ---------------------------------------------------------------- building a pane */

  function createPane(id) {
    const root = document.getElementById("dk-pane-tpl").content.firstElementChild.cloneNode(true);
    root.dataset.conversation = String(id);
    document.getElementById("dk-panes").append(root);
    const tab = el(
      "div",
      { class: "dk-panetab", role: "tab", dataset: { id: String(id) } },
      el("button", { type: "button", class: "dk-panetab-label", onclick: () => focus(id) }, "#" + id),
      el("button", { type: "button", class: "dk-panetab-close", title: t("Close"), "aria-label": t("Close"), onclick: () => close(id) }, "×")
    );
    document.getElementById("dk-panetabs").append(tab);
    const sidebar = el("div", { class: "dk-sidebar-conv", dataset: { conversation: String(id) } });
    document.getElementById("dk-sidebar").append(sidebar);

    const pane = {
      id,
      root,
      tab,
      sidebar,
      timeline: root.querySelector(".dk-timeline"),
      messages: new Map(), // seq -> message
      pendings: new Map(), // client_id -> {el, frame, queued}
      lastSeq: 0,
      resuming: false,
      gapSeen: false,
      readSent: 0,
      loaded: false,
      sidebarBuilt: false,
      typingTimer: null,
      typingOut: { on: false, last: 0, timer: null },
      receipts: { delivered: 0, read: 0 },
    };
    pane.composer = Desk.composer.make(pane);
    // In split view, working in the other pane makes it the focused one (and its sidebar).
    root.addEventListener("focusin", () => {
      if (focusedId !== id) focus(id, { keepFocus: true });
    });
    wireActions(pane);
    Desk.runHook("composerTools", root.querySelector(".dk-composer-tools"), pane.composer, api);
    const c = api.conversation(id);
    if (c) Desk.runHook("paneHeaderTools", c, root.querySelector(".dk-pane-tools"), api);
    else pane.headerToolsPending = true;
    return pane;
  }

  /* ---------------------------------------------------------------- receiving */

  function resume(pane, afterSeq) {
    pane.resuming = true;
    pane.gapSeen = false;
    api.send({ type: "resume", conversation: pane.id, after_seq: afterSeq });
  }

  function addMessage(pane, m) {
    if (typeof m.seq !== "number" || m.seq <= pane.lastSeq) return false;
    if (m.seq > pane.lastSeq + 1) {
      // A frame went missing (the layer is a doorbell): heal from the database.
      pane.gapSeen = true;
      if (!pane.resuming) resume(pane, pane.lastSeq);
      return false;
    }
    pane.lastSeq = m.seq;
    pane.messages.set(m.seq, m);
    const pending = pane.pendings.get(m.client_id);
    if (pending && m.sender.kind === "agent") {
      pending.el.remove();
      pane.pendings.delete(m.client_id);
    }
    const bubble = Desk.renderMessage(m, pane);
    const firstPending = pane.timeline.querySelector(".dk-pending");
    const stick = nearBottom(pane);
    pane.timeline.insertBefore(bubble, firstPending);
    applyReceipts(pane);
    if (pane.loaded && (stick || m.sender.kind === "agent")) scrollToEnd(pane);
    Desk.emit("message", m);
    return true;
  }

  function onMessageCreated(m) {
    const pane = panes.get(m.conversation);
    if (!pane) return;
    const added = addMessage(pane, m);
    if (!added || !pane.loaded || m.sender.kind !== "visitor") return;
    if (isVisible(pane)) markRead(pane);
    else if (focusedId !== pane.id) pane.tab.classList.add("dk-panetab-unread");
    const c = api.conversation(pane.id);
    api.notify(api.interpolate(t("New message from %s"), [c ? nameOf(c) : "#" + pane.id], false), m.body, { conversation: pane.id });
  }

  function onResumeDone(frame) {
    const pane = panes.get(frame.conversation);
    if (!pane) return;
    pane.resuming = false;
    const loading = pane.timeline.querySelector(".dk-loading");
    if (loading) loading.remove();
    if (!pane.loaded) {
      pane.loaded = true;
      if (!pane.messages.size && !pane.pendings.size) {
        pane.timeline.append(el("div", { class: "dk-timeline-empty" }, t("No messages yet.")));
      }
      scrollToEnd(pane, true);
    }
    if (frame.last_seq > pane.lastSeq && pane.gapSeen) resume(pane, pane.lastSeq);
    markRead(pane);
  }

  function markRead(pane) {
    if (!isVisible(pane) || !pane.loaded) return;
    if (pane.lastSeq > pane.readSent) {
      pane.readSent = pane.lastSeq;
      api.send({ type: "read", conversation: pane.id, seq: pane.lastSeq });
      const c = api.conversation(pane.id);
      if (c && c.unread) {
        Desk.updateConversation({ id: pane.id, unread: 0 });
        if (Desk.list) Desk.list.render();
      }
    }
  }

  function onTyping(frame) {
    const pane = panes.get(frame.conversation);
    if (!pane || !frame.sender || frame.sender.kind !== "visitor") return;
    const box = pane.root.querySelector(".dk-typing");
    clearTimeout(pane.typingTimer);
    if (frame.on) {
      box.querySelector(".dk-typing-text").textContent = api.interpolate(t("%s is typing…"), [frame.sender.name || t("Customer")], false);
      box.hidden = false;
      pane.typingTimer = setTimeout(() => { box.hidden = true; }, 8000);
    } else box.hidden = true;
  }

  function onReceipt(frame) {
    const pane = panes.get(frame.conversation);
    if (!pane || frame.reader !== "visitor") return;
    pane.receipts.delivered = Math.max(pane.receipts.delivered, frame.delivered_seq || 0);
    pane.receipts.read = Math.max(pane.receipts.read, frame.read_seq || 0);
    applyReceipts(pane);
  }

  /* Shopper's delivered / read ticks on the agent's public messages. */
  function applyReceipts(pane) {
    const { delivered, read } = pane.receipts;
    for (const node of pane.timeline.querySelectorAll(".dk-msg-mine:not(.dk-pending)")) {
      const seq = Number(node.dataset.seq);
      const state = seq <= read ? "read" : seq <= delivered ? "delivered" : "sent";
      if (node.dataset.receipt === state) continue;
      node.dataset.receipt = state;
      const tick = node.querySelector(".dk-ticks");
      if (tick) {
        tick.textContent = state === "sent" ? "✓" : "✓✓";
        tick.title = { sent: t("Sent"), delivered: t("Delivered"), read: t("Read") }[state];
      }
    }
  }

  function onAck(frame) {
    const m = frame.message;
    if (!m) return;
    const pane = panes.get(m.conversation);
    if (!pane) return;
    if (!addMessage(pane, m)) {
      // Already shown (a replay got here first) or a gap is being healed: the pending bubble
      // is replaced when the message itself arrives.
      const pending = pane.pendings.get(frame.client_id);
      if (pending && pane.messages.has(m.seq)) {
        pending.el.remove();
        pane.pendings.delete(frame.client_id);
      }
    }
  }

  function onError(frame) {
    if (!frame.client_id) return;
    for (const pane of panes.values()) {
      if (pane.pendings.has(frame.client_id)) Desk.composer.failPending(pane, frame.client_id, frame.detail);
    }
  }

  Desk.frameHandlers.push((frame) => {
    switch (frame.type) {
      case "message.created": return onMessageCreated(frame.message);
      case "message.ack": return onAck(frame);
      case "resume.done": return onResumeDone(frame);
      case "typing": return onTyping(frame);
      case "receipt": return onReceipt(frame);
      case "error": return onError(frame);
      case "conversation.created":
      case "conversation.updated":
      case "conversation.assigned": {
        const pane = frame.conversation && panes.get(frame.conversation.id);
        if (pane) renderHeader(pane);
        return undefined;
      }
      default: return undefined;
    }
  });

  api.on("socket.open", () => {
    // After a reconnect every open pane heals from the last seq it holds and re-sends the
    // messages that were never acked (client_id makes that safe).
    for (const pane of panes.values()) {
      resume(pane, pane.lastSeq);
      for (const pending of pane.pendings.values()) {
        if (!pending.queued) api.send(pending.frame);
        pending.queued = false;
      }
    }
  });

  document.addEventListener("visibilitychange", () => {
    for (const pane of panes.values()) markRead(pane);
  });

  Desk.inits.push(() => {
    const button = document.getElementById("dk-split");
    if (button) button.addEventListener("click", () => setSplit(!split));
    setSplit(split);
  });

  /* ---------------------------------------------------------------- helpers */

  function nearBottom(pane) {
    const tl = pane.timeline;
    return tl.scrollHeight - tl.scrollTop - tl.clientHeight < 80;
  }
  function scrollToEnd(pane, force) {
    if (force || nearBottom(pane)) pane.timeline.scrollTop = pane.timeline.scrollHeight;
  }

  function agents() {
    agentsCache = agentsCache || api.fetch(api.config.urls.agents).catch((error) => {
      agentsCache = null;
      throw error;
    });
    return agentsCache;
  }

  Desk.pane = {
    panes, open, focus, close, addMessage, resume, applyReceipts, agents, nameOf, setSplit, scrollToEnd,
  };
  Object.assign(api, {
    open,
    close,
    active: () => (focusedId ? api.conversation(focusedId) || { id: focusedId } : null),
    openIds: () => order.slice(),
    pane: (id) => panes.get(Number(id || focusedId)) || null,
    composer: (id) => {
      const pane = panes.get(Number(id || focusedId));
      return pane ? pane.composer : null;
    },
  });

  // Header, actions, sidebar and message rendering live in pane-view.js.
  function renderHeader(pane) { Desk.paneView.renderHeader(pane); }
  function buildSidebarParts(pane) { Desk.paneView.buildSidebar(pane); }
  function wireActions(pane) { Desk.paneView.wireActions(pane); }
})();
