/* The composer of a pane: reply / internal-note modes, Enter sends (Shift+Enter new line,
 * never while an IME is composing), typing indicator out, sending with a client_id and a
 * pending bubble that the ack replaces, and retry of a failed send with the same client_id. */
(function () {
  "use strict";
  const Desk = window.Desk;
  const api = Desk.api;
  const t = api.t;
  const el = api.el;

  const newClientId = () =>
    "desk-" + (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));

  function make(pane) {
    const area = pane.root.querySelector(".dk-textarea");
    const replyBtn = pane.root.querySelector(".dk-mode-reply");
    const noteBtn = pane.root.querySelector(".dk-mode-note");
    let isPrivate = false;
    const composer = {
      el: area,
      pane,
      conversationId: pane.id,
      get: () => area.value,
      set: (text) => { area.value = text; autosize(); },
      insert(text) {
        const start = area.selectionStart ?? area.value.length;
        const end = area.selectionEnd ?? area.value.length;
        area.setRangeText(text, start, end, "end");
        autosize();
        area.focus();
      },
      focus: () => area.focus({ preventScroll: true }),
      isPrivate: () => isPrivate,
      setPrivate(value) {
        isPrivate = !!value;
        pane.root.classList.toggle("dk-noting", isPrivate);
        replyBtn.setAttribute("aria-pressed", isPrivate ? "false" : "true");
        noteBtn.setAttribute("aria-pressed", isPrivate ? "true" : "false");
        area.placeholder = isPrivate ? area.dataset.note : area.dataset.reply;
        if (isPrivate) typingOff(pane);
      },
    };
    function autosize() {
      area.style.height = "auto";
      area.style.height = Math.min(200, Math.max(64, area.scrollHeight)) + "px";
    }
    composer.setPrivate(false);
    replyBtn.addEventListener("click", () => { composer.setPrivate(false); area.focus(); });
    noteBtn.addEventListener("click", () => { composer.setPrivate(true); area.focus(); });
    area.addEventListener("keydown", (event) => {
      if (event.isComposing || event.keyCode === 229) return; // IME (Chinese input) composing
      if (Desk.runHook("composerKeydown", event, composer, api)) {
        event.preventDefault();
        return;
      }
      if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        submit(pane);
      }
    });
    area.addEventListener("input", () => {
      autosize();
      if (!isPrivate) typingPing(pane);
      Desk.runHook("composerInput", composer, api);
    });
    pane.root.querySelector(".dk-send").addEventListener("click", () => submit(pane));
    return composer;
  }

  function submit(pane) {
    const body = pane.composer.get();
    if (!body.trim()) return;
    api.sendMessage(pane.id, body, { private: pane.composer.isPrivate() });
    pane.composer.set("");
    pane.composer.focus();
  }

  /* ---------------------------------------------------------------- typing out */

  function typingPing(pane) {
    const out = pane.typingOut;
    const now = Date.now();
    if (!pane.composer.get().trim()) {
      typingOff(pane);
      return;
    }
    if (!out.on || now - out.last > 3000) {
      api.send({ type: "typing", conversation: pane.id, on: true });
      out.on = true;
      out.last = now;
    }
    clearTimeout(out.timer);
    out.timer = setTimeout(() => typingOff(pane), 4000);
  }

  function typingOff(pane) {
    const out = pane.typingOut;
    clearTimeout(out.timer);
    if (out.on) api.send({ type: "typing", conversation: pane.id, on: false });
    out.on = false;
  }

  /* ---------------------------------------------------------------- sending */

  function sendMessage(conversationId, body, options = {}) {
    const pane = Desk.pane.panes.get(Number(conversationId)) || Desk.pane.open(conversationId);
    const clientId = newClientId();
    const frame = Object.assign(
      { type: "message.send", client_id: clientId, conversation: pane.id, body, private: !!options.private },
      options.extra || {}
    );
    const message = {
      id: null, conversation: pane.id, seq: null, client_id: clientId,
      sender: { kind: "agent", id: api.me.id, name: api.me.name },
      kind: frame.kind || "text", private: !!options.private, body, attachment: null, card: null,
      created_at: new Date().toISOString(),
    };
    const bubble = Desk.renderMessage(message, pane);
    bubble.classList.add("dk-pending");
    pane.timeline.append(bubble);
    const queued = !api.send(frame);
    pane.pendings.set(clientId, { el: bubble, frame, queued });
    typingOff(pane);
    Desk.pane.scrollToEnd(pane, true);
    return clientId;
  }

  function failPending(pane, clientId, detail) {
    const pending = pane.pendings.get(clientId);
    if (!pending) return;
    pending.el.classList.add("dk-failed");
    const status = pending.el.querySelector(".dk-msg-status");
    status.replaceChildren(
      el("span", { class: "dk-fail-text" }, detail || t("Not sent")),
      " ",
      el("button", {
        type: "button", class: "dk-linkbtn",
        onclick: () => {
          pending.el.classList.remove("dk-failed");
          status.replaceChildren();
          api.send(pending.frame); // same client_id: the server stores it at most once
        },
      }, t("Retry"))
    );
  }

  Desk.composer = { make, typingOff, failPending };
  api.sendMessage = sendMessage;
})();
