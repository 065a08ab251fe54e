// @ts-check
/* SLA marks in the conversation list (docs/metrics.md, "SLA"): a row whose running SLA clock
 * has less than a quarter of its target left is marked "at risk", one past its due moment
 * "SLA breached", and the marked rows are listed first, the soonest due on top.
 *
 * - GET /api/v1/sla/clocks?ids=… for the shown rows: when each clock turns at risk and is due
 *   (the server counts the policy's business hours); asked again when the list shows other
 *   conversations or changes, and every 60 s.
 * - The marks follow the clock between requests (a timer re-marks the rows each 15 s).
 * - Self-contained: a list decorator for the badge, and an observer of the list that moves
 *   marked rows to the top after each render. No other desk file knows of it.
 */
/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {{conversation: number, clock: string, state: string, at_risk_at: string, due_at: string, target_seconds: number}} SlaClock */

const POLL_MS = 60000;
const REMARK_MS = 15000;

/** @type {Map<number, SlaClock>} conversation id → its most urgent running clock */
const clocks = new Map();
/** ids the last request asked for, sorted, joined */
let asked = "";
/** @type {ReturnType<typeof setTimeout> | null} */
let fetchTimer = null;
/** @type {DeskApi | null} */
let deskApi = null;
let skew = 0; // server now − browser now, in ms

/** @param {SlaClock} clock */
function stateOf(clock) {
  const now = Date.now() + skew;
  if (now >= Date.parse(clock.due_at)) return "breached";
  if (now >= Date.parse(clock.at_risk_at)) return "at_risk";
  return "running";
}

function rowsBox() {
  return document.getElementById("dk-rows");
}

/** @returns {number[]} */
function shownIds() {
  const box = rowsBox();
  if (!box) return [];
  return Array.from(box.querySelectorAll(".dk-row[data-id]")).map((row) => Number(/** @type {HTMLElement} */ (row).dataset.id));
}

let forcePending = false;

/** @param {boolean} force ask even if the shown ids did not change */
function scheduleFetch(force) {
  forcePending = forcePending || force;
  if (fetchTimer) clearTimeout(fetchTimer);
  fetchTimer = setTimeout(() => {
    fetchTimer = null;
    const forced = forcePending;
    forcePending = false;
    refresh(forced);
  }, 300);
}

/** @param {boolean} force */
async function refresh(force) {
  const api = deskApi;
  if (!api) return;
  const ids = shownIds().slice(0, 200);
  const key = ids.slice().sort((a, b) => a - b).join(",");
  if (!force && key === asked) return;
  asked = key;
  if (!ids.length) {
    clocks.clear();
    return;
  }
  /** @type {{now: string, clocks: SlaClock[]}} */
  let data;
  try {
    data = await api.fetch("/api/v1/sla/clocks?ids=" + key);
  } catch {
    return; // the marks stay as they were; the next poll tries again
  }
  skew = Date.parse(data.now) - Date.now();
  clocks.clear();
  for (const clock of data.clocks) clocks.set(clock.conversation, clock);
  remark();
}

/** @param {DeskApi} api @param {string} clock */
function clockLabel(api, clock) {
  /** @type {Record<string, string>} */
  const labels = { first_response: api.t("first response"), next_response: api.t("next response"), resolution: api.t("resolution") };
  return labels[clock] || clock;
}

/**
 * The badge of one row (and its data-sla state), from the stored clock.
 * @param {DeskApi} api
 * @param {number} id
 * @param {HTMLElement} row
 */
function mark(api, id, row) {
  const badges = row.querySelector(".dk-row-badges");
  for (const old of row.querySelectorAll(".dk-sla-badge")) old.remove();
  const clock = clocks.get(id);
  const state = clock ? stateOf(clock) : "none";
  if (!clock || state === "running") {
    delete row.dataset.sla;
    return;
  }
  row.dataset.sla = state;
  row.dataset.slaDue = clock.due_at;
  if (!badges) return;
  const due = api.formatTime(clock.due_at);
  const title = state === "breached"
    ? api.t("SLA %s target passed at %s", [clockLabel(api, clock.clock), due])
    : api.t("SLA %s due at %s", [clockLabel(api, clock.clock), due]);
  badges.append(
    api.el("span", { class: "dk-pill dk-sla-badge dk-sla-" + state, title, dataset: { slaState: state } },
      state === "breached" ? api.t("SLA breached") : api.t("SLA at risk")),
  );
}

/** Marked rows first, the soonest due on top; the rest keep the list's order. */
function reorder() {
  const box = rowsBox();
  if (!box) return;
  const rows = Array.from(box.children);
  const marked = rows.filter((row) => /** @type {HTMLElement} */ (row).dataset.sla);
  if (!marked.length) return;
  marked.sort((a, b) => Date.parse(/** @type {HTMLElement} */ (a).dataset.slaDue || "") - Date.parse(/** @type {HTMLElement} */ (b).dataset.slaDue || ""));
  const rest = rows.filter((row) => !(/** @type {HTMLElement} */ (row).dataset.sla));
  const wanted = marked.concat(rest);
  if (wanted.every((row, i) => row === rows[i])) return;
  box.append(...wanted);
}

function remark() {
  const api = deskApi;
  const box = rowsBox();
  if (!api || !box) return;
  for (const row of box.querySelectorAll(".dk-row[data-id]")) {
    const el = /** @type {HTMLElement} */ (row);
    mark(api, Number(el.dataset.id), el);
  }
  reorder();
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "sla",
  onReady(api) {
    deskApi = api;
    const box = rowsBox();
    if (box) {
      // The list redraws its rows on every change: put the marked ones back on top, and ask
      // for the clocks of conversations it had not shown before.
      new MutationObserver(() => {
        reorder();
        scheduleFetch(false);
      }).observe(box, { childList: true });
    }
    setInterval(() => refresh(true), POLL_MS);
    setInterval(remark, REMARK_MS);
    scheduleFetch(true);
  },
  onFrame(frame) {
    // A reply, an assignment or a resolution moves the clocks: ask again soon.
    if (frame.type === "conversation.updated" || frame.type === "conversation.assigned") scheduleFetch(true);
  },
  listDecorator(c, row, api) {
    mark(api, c.id, row);
  },
};

export default part;
