// @ts-check
/**
 * Labels in the list and the bulk bar: the label filter, and for the ticked conversations add
 * or remove a label on all of them at once, assign them to me, or resolve them. Data: GET
 * /api/v1/labels/, POST /api/v1/conversations/labels (docs/protocol.md), and the conversation's
 * own assign / status endpoints for each ticked one.
 */
import { byId, el } from "../shared/dom.js";
import { api, t, updateConversation } from "./desk.js";
import { selected } from "./list-row.js";
import { render, setLabelFilter, shownIds } from "./list.js";

/** @type {{id: number, name: string, color: string}[]} */
let labels = [];

/**
 * @param {string} placeholder
 * @param {(id: number) => void} onPick
 */
function labelSelect(placeholder, onPick) {
  const select = el("select", { class: "dk-select" }, el("option", { value: "" }, placeholder));
  for (const label of labels) select.append(el("option", { value: String(label.id) }, label.name));
  select.addEventListener("change", () => {
    const id = Number(select.value);
    select.value = "";
    if (id) onPick(id);
  });
  return select;
}

/**
 * @param {"add" | "remove"} how
 * @param {number} labelId
 */
async function apply(how, labelId) {
  const ids = shownIds().filter((id) => selected.has(id));
  if (!ids.length) return;
  try {
    const data = await api.fetch("/api/v1/conversations/labels", {
      method: "POST",
      json: { conversations: ids, [how]: [labelId] },
    });
    for (const c of data.results) updateConversation(c);
    selected.clear();
    render();
    paintBulk();
    api.toast(t("Labels changed on %s conversations.", [String(ids.length)]));
  } catch (error) {
    api.toast(/** @type {import("./types").ApiError} */ (error).detail || t("Could not change the labels."), "error");
  }
}

/**
 * Run one conversation action on every ticked conversation, one request each.
 * @param {string} action "assign" or "status"
 * @param {Record<string, unknown>} json
 * @param {string} done the toast when all went through ("%s": how many)
 */
async function each(action, json, done) {
  const ids = shownIds().filter((id) => selected.has(id));
  let ok = 0;
  for (const id of ids) {
    try {
      updateConversation(await api.fetch(api.config.urls.conversations + id + "/" + action, { method: "POST", json }));
      ok += 1;
    } catch (error) {
      api.toast(/** @type {import("./types").ApiError} */ (error).detail || t("That did not work."), "error");
    }
  }
  selected.clear();
  render();
  paintBulk();
  if (ok) api.toast(t(done, [String(ok)]));
}

function paintBulk() {
  const bar = byId("dk-bulk");
  const count = shownIds().filter((id) => selected.has(id)).length;
  bar.hidden = count === 0;
  if (!count) return bar.replaceChildren();
  const pickers = labels.length
    ? [labelSelect(t("Add label…"), (id) => apply("add", id)), labelSelect(t("Remove label…"), (id) => apply("remove", id))]
    : [];
  bar.replaceChildren(
    el("span", { class: "dk-bulk-count" }, t("%s selected", [String(count)])),
    ...pickers,
    el("button", {
      type: "button",
      class: "dk-btn",
      dataset: { testid: "dk-bulk-take" },
      onclick: () => each("assign", { assignee: api.me.id }, "Assigned %s conversations to you."),
    }, t("Assign to me")),
    el("button", {
      type: "button",
      class: "dk-btn dk-btn-primary",
      dataset: { testid: "dk-bulk-resolve" },
      onclick: () => each("status", { status: "resolved" }, "Resolved %s conversations."),
    }, t("Resolve")),
    el("button", {
      type: "button",
      class: "dk-btn dk-btn-ghost",
      onclick: () => {
        selected.clear();
        render();
        paintBulk();
      },
    }, t("Clear")),
  );
  const [add, remove] = bar.querySelectorAll("select");
  if (add) add.dataset.testid = "dk-bulk-add";
  if (remove) remove.dataset.testid = "dk-bulk-remove";
}

export async function initLabels() {
  api.on("selection", paintBulk);
  const filter = /** @type {HTMLSelectElement} */ (byId("dk-label"));
  filter.addEventListener("change", () => setLabelFilter(filter.value));
  try {
    labels = (await api.fetch("/api/v1/labels/")).results || [];
  } catch {
    return;
  }
  filter.append(...labels.map((label) => el("option", { value: String(label.id) }, label.name)));
  filter.hidden = labels.length === 0;
}
