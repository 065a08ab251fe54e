// @ts-check
/*
 * Satisfaction part of the storefront widget (docs/routing.md): when the conversation is
 * resolved and not yet rated (`csat_requested` in the conversation payload), ask for 1-5
 * stars and an optional comment; POST /api/widget/csat once per resolution.
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  /** @type {HTMLFormElement | null} */
  let box = null;
  /** @type {number | null} */
  let shownFor = null; // the conversation the form belongs to
  const done = new Set();

  function hide() {
    if (box) box.remove();
    box = null;
    shownFor = null;
  }

  /**
   * @param {import("../core/types").Conversation} conversation
   * @param {import("../core/types").WidgetApi} api
   */
  function show(conversation, api) {
    const k = conversation.id;
    if (box && shownFor === conversation.id) return;
    hide();
    if (done.has(k)) return;
    let rating = 0;
    /** @type {HTMLButtonElement[]} */
    const stars = [];
    const row = api.el("div", { class: "hdc-stars", role: "radiogroup", "aria-label": api.t("csat.question") });
    for (let n = 1; n <= 5; n += 1) {
      const star = api.el(
        "button",
        {
          type: "button",
          class: "hdc-star",
          role: "radio",
          "aria-checked": "false",
          "aria-label": api.t("csat.star", { n }),
          "data-testid": "hd-csat-star",
          "data-value": String(n),
          onclick: () => {
            rating = n;
            stars.forEach((s, i) => {
              s.classList.toggle("hdc-on", i < n);
              s.setAttribute("aria-checked", i === n - 1 ? "true" : "false");
            });
            submit.disabled = false;
          },
        },
        "★"
      );
      stars.push(star);
      row.append(star);
    }
    const comment = api.el("textarea", { rows: "2", maxlength: "2000", placeholder: api.t("csat.comment"), "data-testid": "hd-csat-comment" });
    const error = api.el("div", { class: "hdc-error", hidden: true });
    const submit = api.el("button", { type: "submit", disabled: true, "data-testid": "hd-csat-submit" }, api.t("csat.submit"));
    box = api.el(
      "form",
      { class: "hdc-form", "data-testid": "hd-csat" },
      api.el("div", { class: "hdc-question" }, api.t("csat.question")),
      row,
      comment,
      error,
      submit
    );
    box.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!rating) return;
      submit.disabled = true;
      try {
        const response = await api.fetch("/api/widget/csat", {
          method: "POST",
          json: { conversation: conversation.id, rating, comment: comment.value },
        });
        if (response.ok || response.status === 409) {
          done.add(k);
          hide();
          api.addSystemNotice(api.t("csat.thanks"), { id: "csat-thanks", timeout: 8000 });
          return;
        }
        error.textContent = api.t("csat.failed");
        error.hidden = false;
      } catch (e) {
        error.textContent = api.t("csat.failed");
        error.hidden = false;
      } finally {
        submit.disabled = !rating;
      }
    });
    shownFor = conversation.id;
    api.slots.footer.append(box);
  }

  /**
   * @param {import("../core/types").Conversation | null} conversation
   * @param {import("../core/types").WidgetApi} api
   */
  function update(conversation, api) {
    if (conversation && conversation.status === "resolved" && conversation.csat_requested) {
      show(conversation, api);
      return;
    }
    // Reopened: the next resolution is a new care cycle with its own rating.
    if (conversation && conversation.status !== "resolved") done.delete(conversation.id);
    hide();
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "csat",
    styles:
      ".hdc-form{display:flex;flex-direction:column;gap:6px;padding:8px;border-top:1px solid #eee}" +
      ".hdc-question{font-weight:600}" +
      ".hdc-stars{display:flex;gap:2px}" +
      ".hdc-star{font-size:22px;line-height:1;border:0;background:none;color:#c9c9c9;cursor:pointer;padding:2px}" +
      ".hdc-star.hdc-on{color:#f5a623}" +
      ".hdc-form textarea{font:inherit;padding:6px;border:1px solid #ccc;border-radius:6px}" +
      ".hdc-form button[type=submit]{align-self:flex-end;border:1px solid currentColor;background:transparent;border-radius:6px;padding:3px 10px;cursor:pointer;font:inherit}" +
      ".hdc-error{color:#b00020;font-size:12px}",
    onConnect(ready, api) {
      update(api.conversation(), api);
    },
    onSession(session, api) {
      update(session && session.conversation, api);
    },
    onFrame(frame, api) {
      if ((frame.type === "conversation.updated" || frame.type === "conversation.created") && frame.conversation) {
        const current = api.conversation();
        if (!current || frame.conversation.id === current.id) update(frame.conversation, api);
      }
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
