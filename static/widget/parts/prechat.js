// @ts-check
/**
 * The pre-chat form: when the shopper's channel asks for it and they have no conversation yet,
 * the fields (name, email, phone, custom attributes) come before the first message and the
 * composer waits. Labelled fields, required ones marked for screen readers too; an empty
 * required field or a malformed email is caught here before anything is sent, any other
 * problem by the server; the message under a wrong field (aria-invalid, aria-describedby),
 * focus on the first one, and what was typed kept.
 * Data: GET/POST /api/widget/prechat (docs/protocol.md, "Extension (pre-chat form)").
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  /**
   * @typedef {{name: string, label: string, kind: string, autocomplete: string, required: boolean, options: string[]}} Field
   * @typedef {{intro: string, fields: Field[]}} Form
   */

  /** @type {HTMLFormElement | null} */
  let form = null;
  let done = false;
  let asking = false;
  // What the shopper typed, kept for this tab until the form is sent: a reload or a closed
  // widget loses nothing.
  const DRAFT_KEY = "hd-prechat-draft";

  /** @returns {Record<string, string | boolean>} */
  function draftGet() {
    try {
      const found = JSON.parse(window.sessionStorage.getItem(DRAFT_KEY) || "{}");
      return found && typeof found === "object" ? found : {};
    } catch {
      return {};
    }
  }

  /** @param {Record<string, string | boolean> | null} values */
  function draftSet(values) {
    try {
      if (values) window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify(values));
      else window.sessionStorage.removeItem(DRAFT_KEY);
    } catch {
      /* storage off: the draft lives as long as the page */
    }
  }

  /** @param {import("../core/types").WidgetApi} api */
  function close(api) {
    if (form) form.remove();
    form = null;
    api.slots.composer.hidden = false;
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {Field} field
   * @param {string} id
   */
  function control(api, field, id) {
    const common = { id, name: field.name, "data-field": field.name, "aria-describedby": id + "-error" };
    if (field.kind === "list") {
      return api.el(
        "select",
        common,
        api.el("option", { value: "" }, api.t("prechat.choose")),
        ...field.options.map((option) => api.el("option", { value: option }, option)),
      );
    }
    if (field.kind === "checkbox") return api.el("input", { ...common, type: "checkbox" });
    /** @type {Record<string, string>} */
    const types = { email: "email", tel: "tel", date: "date", link: "url" };
    const input = /** @type {HTMLInputElement} */ (
      api.el("input", { ...common, type: types[field.kind] || "text", autocomplete: field.autocomplete || "off" })
    );
    if (field.kind === "number") input.inputMode = "decimal";
    return input;
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {Form} spec
   */
  function show(api, spec) {
    if (form) return;
    const alert = api.el("p", { class: "hdp-alert", role: "alert", "data-testid": "hd-prechat-alert", hidden: true });
    /** @type {Map<string, {input: HTMLInputElement | HTMLSelectElement, error: HTMLElement}>} */
    const inputs = new Map();
    const rows = spec.fields.map((field, n) => {
      const id = "hdp-" + n;
      const input = /** @type {HTMLInputElement | HTMLSelectElement} */ (control(api, field, id));
      if (field.required) input.setAttribute("aria-required", "true");
      const error = api.el("p", { class: "hdp-error", id: id + "-error", hidden: true });
      inputs.set(field.name, { input, error });
      const mark = field.required
        ? [" ", api.el("span", { class: "hdp-req", "aria-hidden": "true" }, "*"), api.el("span", { class: "hdp-sr" }, " (" + api.t("prechat.required") + ")")]
        : [];
      const label = api.el("label", { for: id }, field.label, ...mark);
      const body = field.kind === "checkbox" ? [api.el("div", { class: "hdp-check" }, input, label)] : [label, input];
      return api.el("div", { class: "hdp-field" }, ...body, error);
    });
    const submit = api.el("button", { type: "submit", class: "hdp-submit", "data-testid": "hd-prechat-submit" }, api.t("prechat.submit"));
    form = /** @type {HTMLFormElement} */ (
      api.el(
        "form",
        { class: "hdp-form", "data-testid": "hd-prechat", "aria-labelledby": "hdp-title", "aria-describedby": "hdp-intro", novalidate: true },
        api.el("h2", { id: "hdp-title", class: "hdp-title" }, api.t("prechat.title")),
        api.el("p", { id: "hdp-intro", class: "hdp-intro" }, spec.intro),
        ...rows,
        alert,
        submit,
      )
    );
    /**
     * Each wrong field's message under it, the form's alert, focus on the first wrong one;
     * what the shopper typed stays as it is.
     * @param {Record<string, string[]>} fields
     * @param {string} [detail]
     */
    const mark = (fields, detail) => {
      /** @type {HTMLElement | null} */
      let first = null;
      for (const [name, { input, error }] of inputs) {
        const messages = fields[name];
        if (!messages || !messages.length) continue;
        error.textContent = messages[0];
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
      alert.textContent = detail && !first ? detail : api.t("prechat.check");
      alert.hidden = false;
      if (first) first.focus();
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      /** @type {Record<string, string | boolean>} */
      const values = {};
      /** @type {Record<string, string[]>} */
      const wrong = {};
      for (const [name, { input, error }] of inputs) {
        const value = input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value;
        values[name] = value;
        error.hidden = true;
        error.textContent = "";
        input.removeAttribute("aria-invalid");
        // The server checks the same (and more); asking it first would only be slower.
        const empty = value === false || (typeof value === "string" && !value.trim());
        if (empty && input.getAttribute("aria-required") === "true") wrong[name] = [api.t("prechat.missing")];
        else if (!empty && input instanceof HTMLInputElement && input.type === "email" && input.validity.typeMismatch) {
          wrong[name] = [api.t("prechat.email")];
        }
      }
      alert.hidden = true;
      if (Object.keys(wrong).length) {
        mark(wrong);
        return;
      }
      submit.disabled = true;
      try {
        const response = await api.fetch("/api/widget/prechat?lang=" + encodeURIComponent(api.language), { method: "POST", json: { values } });
        if (response.ok) {
          draftSet(null);
          done = true;
          close(api);
          api.slots.input.focus();
          return;
        }
        const data = await response.json().catch(() => ({}));
        mark(data.fields || {}, data.detail ? String(data.detail) : "");
      } catch {
        alert.textContent = api.t("prechat.failed");
        alert.hidden = false;
      } finally {
        submit.disabled = false;
      }
    });
    api.slots.composer.hidden = true;
    const draft = draftGet();
    for (const [name, { input }] of inputs) {
      const value = draft[name];
      if (input instanceof HTMLInputElement && input.type === "checkbox") input.checked = value === true;
      else if (typeof value === "string") input.value = value;
    }
    const keep = () => {
      /** @type {Record<string, string | boolean>} */
      const values = {};
      for (const [name, { input }] of inputs) {
        values[name] = input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value;
      }
      draftSet(values);
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    api.slots.footer.append(form);
    if (api.isOpen()) {
      const first = form.querySelector("input, select");
      if (first instanceof HTMLElement) first.focus();
    }
  }

  /** @param {import("../core/types").WidgetApi} api */
  async function check(api) {
    const session = api.session();
    if (done || form || asking || !session || session.conversation || api.conversation()) return;
    asking = true;
    try {
      const response = await api.fetch("/api/widget/prechat?lang=" + encodeURIComponent(api.language));
      if (!response.ok) return;
      const data = await response.json();
      if (data.form && !api.conversation()) show(api, data.form);
    } catch {
      /* no form: the shopper writes at once */
    } finally {
      asking = false;
    }
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "prechat",
    styles:
      ".hdp-form{display:flex;flex-direction:column;gap:8px;padding:12px;border-top:1px solid #e5e7eb}" +
      ".hdp-title{margin:0;font-size:15px}.hdp-intro{margin:0;font-size:13px;color:#4b5563}" +
      ".hdp-field{display:flex;flex-direction:column;gap:3px}.hdp-field label{font-size:13px;font-weight:600}" +
      ".hdp-field input:not([type=checkbox]),.hdp-field select{font:inherit;padding:7px 8px;border:1px solid #9ca3af;border-radius:6px}" +
      ".hdp-field [aria-invalid=true]{border-color:#b91c1c;outline-color:#b91c1c}" +
      ".hdp-check{display:flex;gap:8px;align-items:center}.hdp-req{color:#b91c1c}" +
      ".hdp-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}" +
      ".hdp-error,.hdp-alert{margin:0;font-size:12px;color:#b91c1c}" +
      ".hdp-submit{font:inherit;font-weight:600;padding:8px;border:0;border-radius:6px;background:#2563eb;color:#fff;cursor:pointer}" +
      ".hdp-submit:focus-visible,.hdp-field :focus-visible{outline:2px solid #1d4ed8;outline-offset:1px}",
    onSession(session, api) {
      if (session && session.conversation) close(api);
      else check(api);
    },
    onOpen() {
      if (form) {
        const first = form.querySelector("input, select");
        if (first instanceof HTMLElement) first.focus();
      }
    },
    onFrame(frame, api) {
      if (frame.type === "conversation.created" && form) close(api);
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
