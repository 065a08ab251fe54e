// @ts-check
/**
 * Helpdesk storefront widget: the one script a shop includes.
 *
 *   <script src="https://desk.example.com/static/widget/widget.js" async></script>
 *
 * This is the entry of the widget's core (static/widget/core/*.js, ES modules). Shops load
 * `static/widget/widget.js`, the same modules bundled into one classic script by
 * `scripts/build-widget.mjs` (`make widget`; docs/frontend.md says why one file). The core
 * owns the session, the socket protocol (CONTRACT.md) and the panel; features come as parts
 * (static/widget/parts/*.js) registered through window.HelpdeskWidget.register(part).
 *
 * Message data is only ever put into the DOM with textContent / text nodes.
 */

import { baseUrl, language, script } from "./config.js";
import { api } from "./api.js";
import { submitInput, typingKeystroke } from "./composer.js";
import { onFrame, onSocketClose, onSocketState } from "./frames.js";
import { renderPending } from "./messages.js";
import { build, open, panelActions } from "./panel.js";
import { loadParts, partsApi, register } from "./parts.js";
import { sendRead } from "./read.js";
import { ensureSocket, start } from "./session.js";
import { socketHandlers } from "./socket.js";
import { outbox, state } from "./state.js";

const existing = window.HelpdeskWidget;

// The modules lower down call up only through what is handed to them here: the parts
// registry the api, the panel what its controls do, the socket what to do with a frame.
partsApi(api);
panelActions({
  submit: submitInput,
  keystroke: typingKeystroke,
  read: sendRead,
  opened() {
    sendRead();
    ensureSocket();
  },
});
socketHandlers({ frame: onFrame, state: onSocketState, close: onSocketClose });

/** @returns {Promise<{strings?: Record<string, string>, parts?: string[], limits?: object}>} */
async function loadConfig() {
  try {
    const response = await fetch(baseUrl + "/api/widget/config?lang=" + encodeURIComponent(language), {
      credentials: "omit",
      mode: "cors",
    });
    if (response.ok) return await response.json();
  } catch {
    /* fall back to built-in English and no parts */
  }
  return { strings: {}, parts: [] };
}

async function boot() {
  const config = await loadConfig();
  state.strings = config.strings || {};
  Object.assign(state.limits, config.limits || {});
  build();
  for (const item of outbox.items) renderPending(item);
  await loadParts(config.parts);
  for (const part of widget._q.splice(0)) register(part);
  await start();
  if (script.dataset.open === "1") open();
}

/** @type {import("./types").WidgetGlobal & {_q: import("./types").WidgetPart[]}} */
const widget = {
  __core: true,
  version: "1",
  register: register,
  api: api,
  _q: [], // parts that loaded before `register` existed
};

// A second copy of the script on the page does nothing.
if (!(existing && existing.__core)) {
  const queued = (existing && existing._q) || [];
  window.HelpdeskWidget = widget;
  for (const part of queued) register(part);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot, { once: true });
  } else {
    boot();
  }
}
