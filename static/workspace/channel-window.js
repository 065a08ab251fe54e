// @ts-check
/* The messaging window of a channel conversation, above the composer (the channels part,
   parts/channels.js): the time left to reply, or why a reply cannot go out now, with
   WhatsApp's approved templates to open the conversation again. Data: the conversation's
   `channel_window` and `channel_extra.templates`; POST /api/v1/conversations/<id>/template
   (docs/channels.md). */
import { channelKindLabel } from "./channel-badge.js";

/** @typedef {import("./types").DeskApi} DeskApi */
/** @typedef {import("./types").ApiError} ApiError */
/** @typedef {import("./types").Conversation} Conversation */
/** @typedef {import("./types").Composer} Composer */
/** @typedef {{name: string, language: string, body: string, params: number}} Template */

/** @param {number} ms */
function duration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  const hours = Math.floor(minutes / 60);
  return hours ? hours + " h " + (minutes % 60) + " min" : minutes + " min";
}

/**
 * @param {DeskApi} api
 * @param {Composer} composer
 * @param {HTMLElement} box
 */
export function paintWindow(api, composer, box) {
  const c = api.conversation(composer.conversationId);
  const w = c && c.channel_window;
  const pane = composer.pane;
  if (!c || !w) {
    box.hidden = true;
    pane.root.classList.remove("dk-window-closed");
    return;
  }
  box.hidden = false;
  const platform = channelKindLabel((c.channel && c.channel.kind) || "");
  const closesAt = w.closes_at ? Date.parse(w.closes_at) : NaN;
  const open = w.open && !(closesAt <= Date.now());
  pane.root.classList.toggle("dk-window-closed", !open);
  box.dataset.state = open ? "open" : "closed";
  if (open) {
    delete box.dataset.key;
    const text = isNaN(closesAt)
      ? api.t("You can reply now.")
      : api.t("%(platform)s: you can reply until %(time)s (%(left)s left).", {
          platform,
          time: api.formatTime(w.closes_at),
          left: duration(closesAt - Date.now()),
        });
    box.replaceChildren(api.el("span", { class: "dk-window-text" }, text));
    return;
  }
  const reason = w.open
    ? api.t("%(platform)s: the reply window has just closed.", { platform })
    : w.reason || api.t("A reply cannot go out on this channel now.");
  /** @type {Template[]} */
  const offered = (w.template && c.channel_extra && c.channel_extra.templates) || [];
  // Drawn once per state: a repaint must not wipe the values the agent is typing.
  const key = JSON.stringify([reason, w.template, offered]);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  /** @type {Node[]} */
  const children = [api.el("span", { class: "dk-window-text" }, reason)];
  if (w.template && offered.length) {
    children.push(templatePicker(api, c, offered));
  } else if (w.template) {
    children.push(api.el("span", { class: "dk-window-hint" }, api.t("No approved templates are set up on this channel.")));
  } else {
    children.push(
      api.el("span", { class: "dk-window-hint" }, api.t("Internal notes still work; wait for the customer to write again.")),
    );
  }
  box.replaceChildren(...children);
}

/**
 * @param {DeskApi} api
 * @param {Conversation} c
 * @param {Template[]} templates
 */
function templatePicker(api, c, templates) {
  const select = api.el(
    "select",
    { class: "dk-select dk-template-select", "aria-label": api.t("Approved template") },
    ...templates.map((tpl, index) => api.el("option", { value: String(index) }, tpl.name + " (" + tpl.language + ")")),
  );
  const fields = api.el("span", { class: "dk-template-params" });
  const preview = api.el("div", { class: "dk-template-preview" });
  const send = api.el("button", { type: "button", class: "dk-btn dk-btn-primary dk-template-send" }, api.t("Send template"));
  /** @type {HTMLInputElement[]} */
  let inputs = [];
  const current = () => templates[Number(/** @type {HTMLSelectElement} */ (select).value) || 0];
  const showPreview = () => {
    const tpl = current();
    preview.textContent = tpl.body.replace(/\{\{\s*(\d+)\s*\}\}/g, (match, n) => {
      const input = inputs[Number(n) - 1];
      return input && input.value ? input.value : match;
    });
  };
  const build = () => {
    const tpl = current();
    inputs = [];
    for (let i = 1; i <= tpl.params; i++) {
      const input = /** @type {HTMLInputElement} */ (
        api.el("input", {
          type: "text",
          class: "dk-input dk-template-param",
          placeholder: "{{" + i + "}}",
          "aria-label": api.t("Value %s", [i]),
        })
      );
      input.addEventListener("input", showPreview);
      inputs.push(input);
    }
    fields.replaceChildren(...inputs);
    showPreview();
  };
  select.addEventListener("change", build);
  send.addEventListener("click", () => {
    const tpl = current();
    const params = inputs.map((input) => input.value.trim());
    if (params.some((v) => !v)) {
      api.toast(api.t("Fill in every value of the template."), "error");
      return;
    }
    /** @type {HTMLButtonElement} */ (send).disabled = true;
    api
      .fetch("/api/v1/conversations/" + c.id + "/template", {
        method: "POST",
        json: { name: tpl.name, language: tpl.language, params },
      })
      .then(() => {
        for (const input of inputs) input.value = "";
        showPreview();
        api.toast(api.t("Template sent."), "info");
      })
      .catch((/** @type {ApiError} */ error) => api.toast(error.detail || api.t("Could not send the template."), "error"))
      .finally(() => {
        /** @type {HTMLButtonElement} */ (send).disabled = false;
      });
  });
  build();
  return api.el("div", { class: "dk-template" }, select, fields, preview, send);
}
