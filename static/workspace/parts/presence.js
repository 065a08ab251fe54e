// @ts-check
/* Presence switch in the workspace's top bar (docs/routing.md): online / away / offline.
 *
 * The socket itself keeps the agent reachable (its pings are the heartbeat); this switch is
 * the agent's choice. GET/POST /api/v1/presence; `presence.changed` frames keep it in sync
 * across the agent's tabs.
 */

/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {{status: string, available: boolean}} Presence */

const STATUSES = ["online", "away", "offline"];
/** @type {HTMLSelectElement | null} */
let select = null;
/** @type {HTMLElement | null} */
let dot = null;

/** @param {Presence | null | undefined} state */
function show(state) {
  if (!select || !dot || !state) return;
  select.value = state.status;
  dot.dataset.status = state.available ? "online" : state.status === "online" ? "connecting" : state.status;
  dot.title = state.available ? select.options[select.selectedIndex].text : state.status;
}

/**
 * @param {HTMLElement} el
 * @param {DeskApi} api
 */
function topbarTools(el, api) {
  if (select) return; // once, whichever of onReady / topbarTools comes first
  const style = document.createElement("style");
  style.textContent =
    ".dk-presence{display:inline-flex;align-items:center;gap:6px}" +
    ".dk-presence-dot{width:10px;height:10px;border-radius:50%;background:#9ca3af;display:inline-block}" +
    ".dk-presence-dot[data-status=online]{background:#22c55e}" +
    ".dk-presence-dot[data-status=away]{background:#f59e0b}" +
    ".dk-presence-dot[data-status=connecting]{background:#a3e635}";
  document.head.append(style);
  /** @type {Record<string, string>} */
  const labels = { online: api.t("Online"), away: api.t("Away"), offline: api.t("Offline") };
  dot = api.el("span", { class: "dk-presence-dot", "data-testid": "dk-presence-dot" });
  const choice = api.el(
    "select",
    { class: "dk-select", "data-testid": "dk-presence", "aria-label": api.t("Your status") },
    ...STATUSES.map((s) => api.el("option", { value: s }, labels[s])),
  );
  select = choice;
  choice.addEventListener("change", async () => {
    try {
      show(await api.fetch("/api/v1/presence", { method: "POST", json: { status: choice.value } }));
    } catch {
      api.toast(api.t("Could not change your status."), "error");
    }
  });
  el.append(api.el("span", { class: "dk-presence" }, dot, choice));
  api.fetch("/api/v1/presence").then(show, () => {});
  // After a reconnect the server knows the socket again: re-read the state.
  api.on("socket.open", () => setTimeout(() => api.fetch("/api/v1/presence").then(show, () => {}), 300));
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "presence",
  onReady(api) {
    // A part that registers after the desk booted gets onReady but not topbarTools.
    const tools = document.getElementById("dk-topbar-tools");
    if (tools) topbarTools(tools, api);
  },
  topbarTools,
  onFrame(frame, api) {
    if (frame.type === "presence.changed" && api.me && frame.agent === api.me.id) show({ status: frame.status, available: frame.available });
  },
};

export default part;
