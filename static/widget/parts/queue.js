// @ts-check
/*
 * Queue part of the storefront widget (docs/routing.md): the shopper's live place in line and
 * estimated wait, "we're away, back at …" outside business hours or with nobody available,
 * and the leave-a-message form (email / phone).
 *
 * Position comes from the conversation payload (`queue_position`, `estimated_wait_seconds`)
 * and from `queue.position` frames pushed whenever the queue moves. Availability comes from
 * GET /api/widget/availability, refreshed every minute while the panel is open.
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  /** @type {HTMLElement | null} */
  let banner = null;
  /** @type {HTMLFormElement | null} */
  let form = null;
  /** @type {{open?: boolean, next_open?: string | null, [field: string]: any} | null} */
  let availability = null;
  /** @type {{conversation: number, queue_position?: number | null, estimated_wait_seconds?: number | null} | null} */
  let position = null;
  /** @type {ReturnType<typeof setInterval> | null} */
  let refreshTimer = null;
  let sent = false;

  /**
   * @param {string} iso
   * @param {import("../core/types").WidgetApi} api
   */
  function formatWhen(iso, api) {
    const when = new Date(iso);
    if (isNaN(when.getTime())) return "";
    const locale = api.language === "zh-hans" ? "zh-CN" : api.language;
    const sameDay = when.toDateString() === new Date().toDateString();
    /** @type {Intl.DateTimeFormatOptions} */
    const options = sameDay
      ? { hour: "2-digit", minute: "2-digit" }
      : { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    return new Intl.DateTimeFormat(locale, options).format(when);
  }

  /** @param {import("../core/types").WidgetApi} api */
  function assigned(api) {
    const conversation = api.conversation();
    return Boolean(conversation && conversation.assignee);
  }

  /**
   * The header's promise, true to the business hours: when the team is back while closed, that
   * the first free colleague answers while nobody is, else the default.
   * @param {import("../core/types").WidgetApi} api
   * @returns {string | null}
   */
  function headerLine(api) {
    if (!availability) return null;
    if (!availability.open) {
      const when = availability.next_open ? formatWhen(availability.next_open, api) : "";
      return when ? api.t("queue.header_back", { when: when }) : api.t("queue.header_away");
    }
    if (!availability.agents_available) return api.t("queue.header_busy");
    return null;
  }

  /** @param {import("../core/types").WidgetApi} api */
  function render(api) {
    if (!banner) return;
    banner.replaceChildren();
    const conversation = api.conversation();
    const waiting =
      position && conversation && position.conversation === conversation.id
        ? position
        : conversation && conversation.queue_position
          ? conversation
          : null;
    const away = availability && (!availability.open || !availability.agents_available) && !assigned(api);
    // A place in line means nothing while nobody can take it: the away line says what happens.
    if (!away && waiting && waiting.queue_position && !assigned(api) && conversation && conversation.status !== "resolved") {
      banner.append(
        api.el(
          "div",
          { class: "hdq-position", "data-testid": "hd-queue-position", "data-position": String(waiting.queue_position) },
          api.t("queue.position", { n: waiting.queue_position })
        )
      );
      const seconds = waiting.estimated_wait_seconds;
      let waitText = api.t("queue.waiting");
      if (typeof seconds === "number") {
        waitText = seconds < 60 ? api.t("queue.wait_short") : api.t("queue.wait", { minutes: Math.round(seconds / 60) });
      }
      banner.append(api.el("div", { class: "hdq-wait", "data-testid": "hd-queue-wait" }, waitText));
    }
    api.setHeaderStatus(headerLine(api));
    if (away && availability) {
      let text;
      if (!availability.open) {
        text = availability.next_open
          ? api.t("queue.away", { when: formatWhen(availability.next_open, api) })
          : api.t("queue.away_unknown");
      } else {
        text = api.t("queue.nobody");
      }
      const box = api.el("div", { class: "hdq-away", "data-testid": "hd-away" }, api.el("span", {}, text));
      if (!sent && !form) {
        box.append(
          api.el(
            "button",
            { type: "button", class: "hdq-leave-open", "data-testid": "hd-leave-open", onclick: () => openForm(api) },
            api.t("queue.leave")
          )
        );
      }
      banner.append(box);
    }
    banner.hidden = !banner.childNodes.length;
  }

  /** @param {import("../core/types").WidgetApi} api */
  function openForm(api) {
    if (form) return;
    const email = api.el("input", { type: "email", name: "email", placeholder: api.t("queue.email"), "data-testid": "hd-leave-email", autocomplete: "email" });
    const phone = api.el("input", { type: "tel", name: "phone", placeholder: api.t("queue.phone"), "data-testid": "hd-leave-phone", autocomplete: "tel" });
    const body = api.el("textarea", { name: "body", rows: "3", placeholder: api.t("queue.message"), "data-testid": "hd-leave-body" });
    const error = api.el("div", { class: "hdq-error", "data-testid": "hd-leave-error", hidden: true });
    const submit = api.el("button", { type: "submit", "data-testid": "hd-leave-send" }, api.t("queue.send"));
    const cancel = api.el("button", { type: "button", onclick: () => closeForm(api) }, api.t("queue.cancel"));
    form = api.el(
      "form",
      { class: "hdq-form", "data-testid": "hd-leave-form" },
      api.el("div", { class: "hdq-form-title" }, api.t("queue.leave_title")),
      email,
      phone,
      body,
      error,
      api.el("div", { class: "hdq-form-actions" }, cancel, submit)
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.hidden = true;
      if (!email.value.trim() && !phone.value.trim()) {
        error.textContent = api.t("queue.need_contact");
        error.hidden = false;
        return;
      }
      if (!body.value.trim()) {
        body.focus();
        return;
      }
      submit.disabled = true;
      try {
        const response = await api.fetch("/api/widget/leave-message", {
          method: "POST",
          json: {
            body: body.value,
            email: email.value.trim(),
            phone: phone.value.trim(),
            client_id: "leave-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8),
          },
        });
        if (!response.ok) {
          let detail = api.t("queue.failed");
          try {
            const data = await response.json();
            const fields = data.fields || {};
            const first = Object.values(fields)[0];
            if (first && first.length) detail = String(first[0]);
          } catch (e) {
            /* keep the generic text */
          }
          error.textContent = detail;
          error.hidden = false;
          return;
        }
        sent = true;
        closeForm(api);
        api.addSystemNotice(api.t("queue.sent"), { id: "queue-left" });
      } catch (e) {
        error.textContent = api.t("queue.failed");
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    api.slots.footer.append(form);
    render(api);
    email.focus();
  }

  /** @param {import("../core/types").WidgetApi} api */
  function closeForm(api) {
    if (form) form.remove();
    form = null;
    render(api);
  }

  /** @param {import("../core/types").WidgetApi} api */
  async function refresh(api) {
    try {
      const response = await api.fetch("/api/widget/availability");
      if (response.ok) availability = await response.json();
    } catch (e) {
      /* offline: keep what we had */
    }
    render(api);
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "queue",
    styles:
      ".hdq-position{font-weight:600}" +
      ".hdq-wait{font-size:12px;opacity:.8}" +
      ".hdq-away{display:flex;gap:8px;align-items:center;justify-content:space-between;flex-wrap:wrap}" +
      ".hdq-away button,.hdq-form button{border:1px solid currentColor;background:transparent;border-radius:6px;padding:3px 8px;cursor:pointer;font:inherit}" +
      ".hdq-form{display:flex;flex-direction:column;gap:6px;padding:8px}" +
      ".hdq-form input,.hdq-form textarea{font:inherit;padding:6px;border:1px solid #ccc;border-radius:6px}" +
      ".hdq-form-actions{display:flex;gap:6px;justify-content:flex-end}" +
      ".hdq-error{color:#b00020;font-size:12px}" +
      ".hdq-form-title{font-weight:600}",
    onReady(api) {
      banner = api.el("div", { class: "hdq-banner", "data-testid": "hd-queue", hidden: true });
      api.slots.banner.append(banner);
      // The bot's "None of these — leave a message" (static/widget/parts/bot.js).
      api.on("leave-message.open", () => {
        if (!sent) openForm(api);
      });
    },
    onSession(session, api) {
      refresh(api);
    },
    onConnect(ready, api) {
      render(api);
    },
    onOpen(api) {
      refresh(api);
      if (refreshTimer) clearInterval(refreshTimer);
      refreshTimer = setInterval(() => refresh(api), 60000);
    },
    onClose() {
      if (refreshTimer) clearInterval(refreshTimer);
    },
    onFrame(frame, api) {
      if (frame.type === "queue.position") {
        position = /** @type {typeof position} */ (/** @type {unknown} */ (frame));
        // The line moved, so someone may have come online: ask again before saying who is there.
        refresh(api);
      } else if (frame.type === "conversation.updated" || frame.type === "conversation.created") {
        const c = frame.conversation || {};
        // Frames of different groups may arrive in any order: a payload built before the
        // conversation was queued says nothing about the queue; only a position, an assignee
        // or a resolution changes what we know.
        if (c.queue_position) {
          position = { conversation: c.id, queue_position: c.queue_position, estimated_wait_seconds: c.estimated_wait_seconds };
        } else if (position && c.id === position.conversation && (c.assignee || c.status === "resolved")) {
          position = null;
        }
        if (c.assignee) availability = availability && { ...availability, agents_available: true };
        render(api);
      }
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
