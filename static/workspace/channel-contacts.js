// @ts-check
/* A channel contact's addresses and merges in the sidebar (the channels part,
   parts/channels.js), with "Merge contacts": find the other contact, confirm, merge. Data:
   GET /api/v1/conversations/<id>/customer (its `contacts`), GET /api/v1/contacts?q=,
   POST /api/v1/contacts/merge (docs/channels.md). */

/** @typedef {import("./types").DeskApi} DeskApi */
/** @typedef {import("./types").ApiError} ApiError */
/** @typedef {Record<string, any>} Json */

/** @param {DeskApi} api @param {string} kind */
function identityLabel(api, kind) {
  /** @type {Record<string, string>} */
  const labels = {
    email: api.t("Email"),
    phone: api.t("Phone"),
    whatsapp: api.t("WhatsApp"),
    wechat: api.t("WeChat"),
    app: api.t("Shop app"),
  };
  return labels[kind] || kind;
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {HTMLElement} root
 * @param {Json} data the sidebar payload (customer, contacts)
 */
function paintContacts(api, conversationId, root, data) {
  const el = api.el;
  const customer = data.customer;
  const contacts = data.contacts || { identities: [], merges: [] };
  const identities = el(
    "ul",
    { class: "dk-identities" },
    ...contacts.identities.map((/** @type {Json} */ i) =>
      el(
        "li",
        { dataset: { kind: i.kind } },
        el("span", { class: "dk-identity-kind" }, identityLabel(api, i.kind)),
        " ",
        el("span", { class: "dk-identity-value" }, i.value),
        i.verified ? el("span", { class: "dk-identity-verified", title: api.t("Verified") }, " ✓") : "",
      ),
    ),
  );
  const merges = contacts.merges.length
    ? el(
        "ul",
        { class: "dk-merges" },
        ...contacts.merges.map((/** @type {Json} */ m) =>
          el(
            "li",
            {},
            api.t("%(name)s joined this contact", { name: m.merged_name || "—" }),
            " · ",
            api.formatTime(m.merged_at),
            " · ",
            m.by ? api.t("by %s", [m.by]) : api.t("verified contact details"),
          ),
        ),
      )
    : null;
  root.replaceChildren(
    el("h3", { class: "dk-panel-title" }, api.t("Contact addresses")),
    contacts.identities.length ? identities : el("div", { class: "dk-muted" }, api.t("No addresses known.")),
    merges ? el("h4", { class: "dk-panel-sub" }, api.t("Merged contacts")) : "",
    merges || "",
    customer ? mergeForm(api, conversationId, root, customer) : "",
  );
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {HTMLElement} root
 * @param {Json} customer the contact of this conversation
 */
function mergeForm(api, conversationId, root, customer) {
  const el = api.el;
  const input = /** @type {HTMLInputElement} */ (
    el("input", {
      type: "search",
      class: "dk-input dk-merge-search",
      placeholder: api.t("Name, email, phone or address"),
      "aria-label": api.t("Find the other contact"),
    })
  );
  const results = el("ul", { class: "dk-merge-results" });
  const form = el("div", { class: "dk-merge", hidden: true }, input, results);
  const toggle = el("button", { type: "button", class: "dk-btn dk-merge-open" }, api.t("Merge contacts"));
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    if (!form.hidden) input.focus();
  });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const q = input.value.trim();
      if (q.length < 2) {
        results.replaceChildren();
        return;
      }
      api
        .fetch("/api/v1/contacts?q=" + encodeURIComponent(q))
        .then((/** @type {Json[]} */ found) => {
          const others = found.filter((f) => f.id !== customer.id);
          results.replaceChildren(
            ...(others.length
              ? others.map((other) => mergeRow(api, conversationId, root, customer, other))
              : [el("li", { class: "dk-muted" }, api.t("No other contact found."))]),
          );
        })
        .catch(() => results.replaceChildren());
    }, 250);
  });
  return el("div", { class: "dk-merge-box" }, toggle, form);
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {HTMLElement} root
 * @param {Json} customer
 * @param {Json} other
 */
function mergeRow(api, conversationId, root, customer, other) {
  const el = api.el;
  const name = other.name || other.external_id || "#" + other.id;
  const addresses = (other.identities || []).map((/** @type {Json} */ i) => i.value).join(", ");
  const pick = el("button", { type: "button", class: "dk-linkbtn dk-merge-pick" }, api.t("Merge"));
  const row = el(
    "li",
    { class: "dk-merge-row", dataset: { id: String(other.id) } },
    el("span", { class: "dk-merge-name" }, name),
    addresses ? el("span", { class: "dk-muted" }, " " + addresses) : "",
    " ",
    pick,
  );
  pick.addEventListener("click", () => {
    const confirm = el("button", { type: "button", class: "dk-btn dk-btn-primary dk-merge-confirm" }, api.t("Yes, merge"));
    const cancel = el("button", { type: "button", class: "dk-linkbtn" }, api.t("Cancel"));
    const ask = el(
      "div",
      { class: "dk-merge-ask" },
      api.t("Merge %(other)s into this contact? Their conversations and addresses join this one.", { other: name }),
      " ",
      confirm,
      " ",
      cancel,
    );
    cancel.addEventListener("click", () => ask.remove());
    confirm.addEventListener("click", () => {
      /** @type {HTMLButtonElement} */ (confirm).disabled = true;
      api
        .fetch("/api/v1/contacts/merge", { method: "POST", json: { customer: customer.id, other: other.id } })
        .then(() => {
          api.toast(api.t("Contacts merged."), "info");
          loadContacts(api, conversationId, root);
        })
        .catch((/** @type {ApiError} */ error) => {
          /** @type {HTMLButtonElement} */ (confirm).disabled = false;
          api.toast(error.detail || api.t("Could not merge the contacts."), "error");
        });
    });
    row.appendChild(ask);
  });
  return row;
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {HTMLElement} root
 */
export function loadContacts(api, conversationId, root) {
  api
    .fetch("/api/v1/conversations/" + conversationId + "/customer")
    .then((/** @type {Json} */ data) => paintContacts(api, conversationId, root, data))
    .catch((/** @type {ApiError} */ error) => {
      root.textContent = error.detail || api.t("Could not load the contact.");
    });
}
