// @ts-check
/**
 * Entry of the agent workspace (`<script type="module">` in templates/workspace/desk.html).
 * Reads the page data, loads the translation catalogue and the parts (every
 * static/workspace/parts/*.js, listed in the page data), then boots: lists, panes, socket.
 */
import { byId } from "../shared/dom.js";
import { initAlerts } from "./alerts.js";
import { client } from "./connection.js";
import { initTabs } from "./conversation-tabs.js";
import { api, callPart, desk, parts, register, runHook, translator, updateConversation } from "./desk.js";
import { initList } from "./list-controls.js";
import { displayName } from "./list-row.js";
import { render as renderList } from "./list.js";
import { panes } from "./panes.js";
import { initShortcuts } from "./shortcuts.js";
import { initLabels } from "./labels.js";
import "./macros.js";
import { initPriority } from "./priority.js";
import { initAttributes } from "./attributes.js";
import { addMessage } from "./timeline.js";

/** @typedef {import("./types").DeskConfig} DeskConfig */
/** @typedef {import("./types").DeskPart} DeskPart */

/** @param {string} url */
async function loadCatalog(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) translator.load(await response.json());
  } catch {
    /* the desk reads in English */
  }
}

/**
 * Import every part module (in parallel) and register their default exports in the order
 * listed. A part that fails to load is logged and skipped.
 * @param {string[]} urls
 */
async function loadParts(urls) {
  const loaded = await Promise.all(
    urls.map((url) =>
      import(url).catch((error) => {
        console.error("desk part " + url + " failed to load", error);
        return null;
      }),
    ),
  );
  for (const module of loaded) {
    const part = module && /** @type {DeskPart | undefined} */ (module.default);
    if (part) register(part);
  }
}

function boot() {
  api.me = api.config.agent;
  initAlerts();
  initList();
  initTabs();
  initShortcuts();
  initLabels();
  initPriority();
  initAttributes();
  desk.booted = true;
  for (const part of parts) if (typeof part.onReady === "function") callPart(part, "onReady", api);
  const tools = document.getElementById("dk-topbar-tools");
  if (tools) runHook("topbarTools", tools, api);
  client.start();
}

// The debugging handle (and the way a classic script adds a part): window.Desk.
Object.assign(window, {
  Desk: {
    register,
    api,
    parts,
    updateConversation,
    list: { render: renderList, displayName },
    pane: { panes, addMessage },
    // For the browser tests: drop the socket as a network failure would (reconnect follows).
    __testDropSocket: () => client.drop("test"),
  },
});

api.config = /** @type {DeskConfig} */ (JSON.parse(byId("desk-config").textContent || "{}"));
await Promise.all([loadCatalog(api.config.urls.catalog), loadParts(api.config.parts || [])]);
boot();
