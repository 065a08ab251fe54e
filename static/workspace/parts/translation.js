// @ts-check
/* Automatic translation in the workspace (docs/translation.md).
 *
 * - A shopper's message translated into the agent's language shows the translation, with
 *   "Translated from German · Show original" under it (a click swaps the text back and forth).
 * - An agent's or the bot's message shows what the shopper received ("Sent in German: …").
 * - A message whose translation failed says "Not translated" (the desk retries; a later
 *   success arrives as `message.translated` and replaces it).
 * - The pane header has the conversation's "Translate" switch and the shopper's language
 *   (GET/POST /api/v1/conversations/<id>/translation); the top bar the agent's own
 *   language (GET/POST /api/v1/translation/language).
 */
/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").Message} Message */
/** @typedef {import("../types").Conversation} Conversation */

/** @type {Record<string, string>} language code → its name in the agent's UI language */
const names = {};
/** @type {Map<number, {box: HTMLElement, input: HTMLInputElement, lang: HTMLElement}>} */
const switches = new Map();
/** @type {Map<string, any>} translations that arrived before their message ("conv:seq") */
const early = new Map();
const EARLY_MAX = 200;
let available = false;
/** @type {string} the language this agent reads shoppers in (empty until known) */
let myLanguage = "";

/** @param {string | null | undefined} code */
function languageName(code) {
  return (code && names[code]) || code || "";
}

/**
 * Draw (again) the translation of one message bubble.
 * @param {DeskApi} api
 * @param {HTMLElement} node the bubble (.dk-msg)
 * @param {Message} m
 */
function paint(api, node, m) {
  for (const old of node.querySelectorAll(".dk-tr")) old.remove();
  const body = /** @type {HTMLElement | null} */ (node.querySelector(".dk-msg-body"));
  const tr = m.translation;
  if (!body || !tr || m.private) return;
  const extra = node.querySelector(".dk-msg-extra") || body.parentNode;
  if (!extra) return;
  const kind = m.sender && m.sender.kind;
  if (tr.status === "failed") {
    extra.append(api.el("div", { class: "dk-tr dk-tr-failed", "data-testid": "dk-not-translated" }, api.t("Not translated")));
    return;
  }
  if (tr.status !== "done" || typeof tr.body !== "string") return;
  if (kind === "visitor") {
    // Made for an agent with another language (the conversation changed hands, or this
    // agent changed language): the original first, that translation one click away.
    const forMe = !myLanguage || tr.language === myLanguage;
    let original = !forMe;
    body.textContent = original ? m.body || "" : tr.body;
    node.dataset.shown = original ? "original" : "translation";
    const toggle = api.el(
      "button",
      { type: "button", class: "dk-linkbtn dk-tr-toggle", "data-testid": "dk-translation-toggle" },
      original ? api.t("Show translation") : api.t("Show original"),
    );
    toggle.addEventListener("click", () => {
      original = !original;
      body.textContent = original ? m.body || "" : tr.body;
      node.dataset.shown = original ? "original" : "translation";
      toggle.textContent = original ? api.t("Show translation") : api.t("Show original");
    });
    extra.append(
      api.el(
        "div",
        { class: "dk-tr", "data-testid": "dk-translated" },
        api.el(
          "span",
          null,
          forMe
            ? api.t("Translated from %s", [languageName(tr.source_language)])
            : api.t("Translated into %s", [languageName(tr.language)]),
        ),
        toggle,
      ),
    );
    return;
  }
  extra.append(
    api.el(
      "div",
      { class: "dk-tr dk-tr-sent", "data-testid": "dk-sent-translated" },
      api.el("span", null, api.t("The customer received it in %s:", [languageName(tr.language)])),
      api.el("span", { class: "dk-tr-sent-text" }, tr.body),
    ),
  );
}

/**
 * Paint every shown message again (the agent's language became known or changed).
 * @param {DeskApi} api
 */
function repaintAll(api) {
  for (const id of api.openIds()) {
    const pane = api.pane(id);
    if (!pane) continue;
    for (const [seq, m] of pane.messages) {
      if (!m.translation) continue;
      const node = /** @type {HTMLElement | null} */ (pane.timeline.querySelector('.dk-msg[data-seq="' + Number(seq) + '"]'));
      if (node) paint(api, node, m);
    }
  }
}

/**
 * @param {{conversation: number, enabled: boolean, shopper_language: string | null, available: boolean}} data
 */
function paintSwitch(data) {
  const sw = switches.get(data.conversation);
  if (!sw) return;
  sw.box.hidden = !data.available;
  sw.input.checked = Boolean(data.enabled);
  sw.lang.textContent = data.shopper_language ? "(" + languageName(data.shopper_language) + ")" : "";
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "translation",
  renderMessage(m, node, api) {
    if (!m.translation && typeof m.seq === "number") {
      const waiting = early.get(m.conversation + ":" + m.seq);
      if (waiting) {
        early.delete(m.conversation + ":" + m.seq);
        m.translation = waiting;
      }
    }
    if (m.translation) paint(api, node, m);
  },
  onFrame(frame, api) {
    if (frame.type === "conversation.translation") {
      paintSwitch(/** @type {any} */ (frame));
      return;
    }
    if (frame.type !== "message.translated") return;
    const pane = api.pane(frame.conversation);
    const stored = pane && pane.messages.get(frame.seq);
    if (!pane || !stored || stored.id !== frame.message) {
      // Its message may still be on its way; a pane opened later reads it from history.
      early.set(frame.conversation + ":" + frame.seq, frame.translation);
      if (early.size > EARLY_MAX) early.delete(early.keys().next().value || "");
      return;
    }
    stored.translation = frame.translation;
    const node = /** @type {HTMLElement | null} */ (pane.timeline.querySelector('.dk-msg[data-seq="' + Number(frame.seq) + '"]'));
    if (node) paint(api, node, stored);
  },
  paneHeaderTools(c, tools, api) {
    const input = api.el("input", { type: "checkbox", "data-testid": "dk-translate-switch" });
    const lang = api.el("span", { class: "dk-tr-lang", "data-testid": "dk-shopper-language" });
    const box = api.el("label", { class: "dk-tr-switch", hidden: true }, input, api.t("Translate"), lang);
    tools.prepend(box);
    switches.set(c.id, { box, input, lang });
    const url = "/api/v1/conversations/" + c.id + "/translation";
    api
      .fetch(url)
      .then(paintSwitch)
      .catch(() => {});
    input.addEventListener("change", () => {
      api
        .fetch(url, { method: "POST", json: { enabled: input.checked } })
        .then(paintSwitch)
        .catch((/** @type {import("../types").ApiError} */ error) => {
          input.checked = !input.checked;
          api.toast(error.detail || api.t("Could not change translation."), "error");
        });
    });
  },
  topbarTools(tools, api) {
    api
      .fetch("/api/v1/translation/language")
      .then((data) => {
        for (const item of data.languages || []) names[item.code] = item.name;
        available = Boolean(data.available);
        myLanguage = data.effective || "";
        repaintAll(api);
        if (!available) return;
        const select = api.el(
          "select",
          { class: "dk-select", "aria-label": api.t("My translation language"), "data-testid": "dk-my-language" },
          api.el("option", { value: "" }, api.t("Desk default")),
          ...(data.languages || []).map((/** @type {{code: string, name: string}} */ item) => api.el("option", { value: item.code }, item.name)),
        );
        select.value = data.language || "";
        select.addEventListener("change", () => {
          api
            .fetch("/api/v1/translation/language", { method: "POST", json: { language: select.value } })
            .then((/** @type {{effective: string}} */ changed) => {
              myLanguage = changed.effective || "";
              repaintAll(api);
              return api.toast(api.t("New messages from customers will be translated into this language."), "info");
            })
            .catch((/** @type {import("../types").ApiError} */ error) => api.toast(error.detail || api.t("Could not change translation."), "error"));
        });
        tools.prepend(api.el("label", { class: "dk-tr-mine", title: api.t("My translation language") }, "文A", select));
      })
      .catch(() => {});
  },
};

export default part;
