// @ts-check
/* The queue and the slow-reply guard in the workspace (docs/routing.md).
 *
 * - List rows: "#N in queue" for waiting conversations; rows whose shopper waited longer than
 *   the team's target get the core's red `dk-row-late` style and a "waiting 4 min" badge.
 * - `conversation.overdue` frames (to the assignee and supervisors): toast + notification.
 * - Top bar: how many shoppers wait (from `queue.changed` frames and GET /api/v1/queue/);
 *   a "Queue" tab in the list shows the unassigned open conversations.
 */
/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").Conversation} Conversation */

/** @type {Map<number | string, number>} team id (or "none") → shoppers waiting */
const waiting = new Map();
/** @type {HTMLButtonElement | null} */
let counter = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let reloadTimer;

/** @param {string} iso */
function minutesSince(iso) {
  const since = Date.parse(iso);
  if (isNaN(since)) return 0;
  return Math.max(0, Math.floor((Date.now() - since) / 60000));
}

/** @param {DeskApi} api */
function renderCounter(api) {
  if (!counter) return;
  let total = 0;
  for (const n of waiting.values()) total += n;
  counter.textContent = api.t("Queue: %s", [total]);
  counter.dataset.waiting = String(total);
  counter.classList.toggle("dk-queue-busy", total > 0);
}

/** @param {DeskApi} api */
async function loadOverview(api) {
  try {
    const data = await api.fetch("/api/v1/queue/");
    waiting.clear();
    for (const row of data.teams || []) waiting.set(row.team ? row.team.id : "none", row.waiting);
    renderCounter(api);
  } catch {
    /* the next frame will tell */
  }
}

/**
 * The waiting counter in the top bar (once, whichever of onReady / topbarTools comes first).
 * @param {HTMLElement} el
 * @param {DeskApi} api
 */
function topbarTools(el, api) {
  if (counter) return;
  counter = api.el("button", {
    type: "button",
    class: "dk-queue-counter",
    "data-testid": "dk-queue-counter",
    title: api.t("Shoppers waiting for an agent"),
    onclick: () => toggleOverview(api),
  });
  el.append(counter);
  renderCounter(api);
  loadOverview(api);
  api.on("socket.open", () => loadOverview(api));
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "queue",
  onReady(api) {
    const style = document.createElement("style");
    style.textContent =
      ".dk-queue-counter{font-size:12px;padding:2px 8px;border-radius:10px;background:#374151}" +
      ".dk-queue-counter.dk-queue-busy{background:#b45309;color:#fff}" +
      ".dk-badge-queue,.dk-badge-late{font-size:11px;padding:0 6px;border-radius:8px;white-space:nowrap}" +
      ".dk-badge-queue{background:#e0e7ff;color:#3730a3}" +
      ".dk-badge-late{background:#fee2e2;color:#b91c1c;font-weight:600}" +
      ".dk-queue-counter{border:0;color:inherit;cursor:pointer;font:inherit}" +
      ".dk-queue-overview{position:fixed;top:56px;right:24px;z-index:50;background:#fff;color:#111827;border:1px solid #d1d5db;border-radius:10px;box-shadow:0 12px 32px rgba(0,0,0,.18);padding:12px;display:flex;flex-direction:column;gap:10px;max-height:70vh;overflow:auto}" +
      ".dk-queue-overview table{border-collapse:collapse;font-size:13px}" +
      ".dk-queue-overview th,.dk-queue-overview td{padding:3px 10px;text-align:left;border-bottom:1px solid #f3f4f6}";
    document.head.append(style);
    try {
      api.addListTab({ id: "queue", label: api.t("Queue"), params: { view: "unassigned", status: "open" } });
    } catch {
      /* an older list without custom tabs */
    }
    // A part that registers after the desk booted gets onReady but not topbarTools.
    const tools = document.getElementById("dk-topbar-tools");
    if (tools) topbarTools(tools, api);
    // Re-render "waiting N min" once a minute.
    setInterval(() => {
      for (const row of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(".dk-row[data-id]"))) {
        const conversation = api.conversation(Number(row.dataset.id));
        if (conversation) decorate(conversation, row, api);
      }
    }, 60000);
  },
  topbarTools,
  listDecorator(conversation, rowEl, api) {
    decorate(conversation, rowEl, api);
  },
  onFrame(frame, api) {
    if (frame.type === "queue.changed") {
      // Shown at once, then confirmed from the database: frames published by different
      // server threads can arrive out of order, and each carries an absolute count.
      waiting.set(frame.team === null ? "none" : frame.team, frame.waiting);
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => loadOverview(api), 250);
      renderCounter(api);
    } else if (frame.type === "conversation.overdue") {
      const minutes = Math.max(1, Math.round((frame.waited_seconds || 0) / 60));
      const text = api.t("A shopper has waited %s min for a reply", [minutes]);
      api.toast(text, "error");
      api.notify(api.t("Slow reply"), text, { conversation: frame.conversation, force: true });
    }
  },
};

/* Who is waiting per team and every agent's status and load (GET /api/v1/queue/). */
/** @param {DeskApi} api */
async function toggleOverview(api) {
  const open = document.querySelector(".dk-queue-overview");
  if (open) {
    open.remove();
    return;
  }
  let data;
  try {
    data = await api.fetch("/api/v1/queue/");
  } catch {
    api.toast(api.t("Could not load the queue."), "error");
    return;
  }
  const teams = (data.teams || []).map((/** @type {{team: {name: string} | null, waiting: number, agents_available: number}} */ row) =>
    api.el(
      "tr",
      {},
      api.el("td", {}, row.team ? row.team.name : api.t("No team")),
      api.el("td", {}, String(row.waiting)),
      api.el("td", {}, String(row.agents_available))
    )
  );
  const agents = (data.agents || []).map((/** @type {{id: number, name: string, available: boolean, status: string, load: number, capacity: number}} */ agent) =>
    api.el(
      "tr",
      { "data-agent": String(agent.id) },
      api.el("td", {}, agent.name),
      api.el("td", {}, agent.available ? api.t("Online") : agent.status === "away" ? api.t("Away") : api.t("Offline")),
      api.el("td", {}, agent.load + " / " + agent.capacity)
    )
  );
  const panel = api.el(
    "div",
    { class: "dk-queue-overview", "data-testid": "dk-queue-overview" },
    api.el(
      "table",
      {},
      api.el("thead", {}, api.el("tr", {}, api.el("th", {}, api.t("Team")), api.el("th", {}, api.t("Waiting")), api.el("th", {}, api.t("Agents online")))),
      api.el("tbody", {}, ...teams)
    ),
    api.el(
      "table",
      {},
      api.el("thead", {}, api.el("tr", {}, api.el("th", {}, api.t("Agent")), api.el("th", {}, api.t("Status")), api.el("th", {}, api.t("Open / capacity")))),
      api.el("tbody", {}, ...agents)
    ),
    api.el("button", { type: "button", class: "dk-btn", onclick: () => panel.remove() }, api.t("Close"))
  );
  document.body.append(panel);
}

/**
 * @param {Conversation} conversation
 * @param {HTMLElement} rowEl
 * @param {DeskApi} api
 */
function decorate(conversation, rowEl, api) {
  const badges = rowEl.querySelector(".dk-row-badges") || rowEl;
  for (const old of badges.querySelectorAll(".dk-badge-queue,.dk-badge-late")) old.remove();
  const late = Boolean(conversation.overdue);
  rowEl.classList.toggle("dk-row-late", late);
  rowEl.dataset.overdue = late ? "true" : "false";
  if (conversation.queue_position && !conversation.assignee) {
    badges.append(
      api.el("span", { class: "dk-badge-queue", "data-testid": "dk-queue-badge" }, api.t("#%s in queue", [conversation.queue_position]))
    );
  }
  if (late && conversation.waiting_since) {
    badges.append(
      api.el("span", { class: "dk-badge-late", "data-testid": "dk-late-badge" }, api.t("waiting %s min", [minutesSince(conversation.waiting_since)]))
    );
  }
}

export default part;
