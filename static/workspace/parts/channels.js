// @ts-check
/* Channels in the workspace: the messaging window in the composer (time left, or why a reply
   cannot go out, with WhatsApp's approved templates), each outgoing message's delivery (not
   delivered yet / sent / delivered / read / failed with the reason and "Send again"), the
   contact's addresses and merges in the sidebar with "Merge contacts", and "Mail transcript"
   on a resolved web chat. Data: the conversation's `channel_window` / `channel_extra`, the
   message's `delivery` and `message.delivery` frames (docs/protocol.md), and the REST calls
   of docs/channels.md. */
import { channelKindLabel } from "../channel-badge.js";

/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").ApiError} ApiError */
/** @typedef {import("../types").Conversation} Conversation */
/** @typedef {import("../types").Composer} Composer */
/** @typedef {{status: string, error: string, attempts: number, next_attempt_at: string | null}} Delivery */
/** @typedef {{name: string, language: string, body: string, params: number}} Template */
/** @typedef {Record<string, any>} Json */

/* ------------------------------------------------------------ delivery of a message */

/**
 * @param {DeskApi} api
 * @param {HTMLElement} node a message bubble
 * @param {number | null} messageId
 * @param {Delivery | null | undefined} delivery
 */
function paintDelivery(api, node, messageId, delivery) {
  const foot = node.querySelector(".dk-msg-foot");
  if (!foot || !delivery) return;
  let slot = /** @type {HTMLElement | null} */ (foot.querySelector(".dk-delivery"));
  if (!slot) {
    slot = api.el("span", { class: "dk-delivery" });
    foot.appendChild(slot);
  }
  node.dataset.delivery = delivery.status;
  slot.dataset.status = delivery.status;
  /** @type {Record<string, string>} */
  const labels = {
    pending: api.t("Not delivered yet"),
    sent: api.t("Sent"),
    delivered: api.t("Delivered"),
    read: api.t("Read"),
    failed: api.t("Failed"),
  };
  const label = labels[delivery.status] || delivery.status;
  if (delivery.status === "pending") {
    const text = delivery.attempts
      ? label + " · " + api.t("retrying (try %s failed: %s)", [delivery.attempts, delivery.error])
      : label;
    slot.replaceChildren(text);
    slot.title = delivery.error || "";
    return;
  }
  if (delivery.status !== "failed") {
    slot.replaceChildren(label);
    slot.title = "";
    return;
  }
  const again = api.el("button", { type: "button", class: "dk-linkbtn dk-resend" }, api.t("Send again"));
  again.addEventListener("click", () => {
    if (messageId === null) return;
    again.disabled = true;
    api
      .fetch("/api/v1/messages/" + messageId + "/retry", { method: "POST" })
      .then((/** @type {Json} */ data) => paintDelivery(api, node, messageId, data.delivery))
      .catch((/** @type {ApiError} */ error) => {
        again.disabled = false;
        api.toast(error.detail || api.t("Could not send it again."), "error");
      });
  });
  slot.replaceChildren(
    api.el("span", { class: "dk-delivery-failed" }, label + ": " + (delivery.error || api.t("no reason given"))),
    " ",
    again,
  );
}

/* ------------------------------------------------------------ the messaging window */

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
function paintWindow(api, composer, box) {
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

/* ------------------------------------------------------------ contacts and merges */

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
          load(api, conversationId, root);
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
function load(api, conversationId, root) {
  api
    .fetch("/api/v1/conversations/" + conversationId + "/customer")
    .then((/** @type {Json} */ data) => paintContacts(api, conversationId, root, data))
    .catch((/** @type {ApiError} */ error) => {
      root.textContent = error.detail || api.t("Could not load the contact.");
    });
}

/* ------------------------------------------------------------ transcript */

/**
 * @param {DeskApi} api
 * @param {Conversation} conversation
 * @param {HTMLElement} slot
 */
function transcriptTool(api, conversation, slot) {
  const el = api.el;
  const button = el("button", { type: "button", class: "dk-btn dk-transcript", hidden: true }, api.t("Mail transcript"));
  const email = /** @type {HTMLInputElement} */ (
    el("input", {
      type: "email",
      class: "dk-input dk-transcript-email",
      hidden: true,
      placeholder: api.t("Customer's email"),
      "aria-label": api.t("Customer's email"),
    })
  );
  const paint = (/** @type {Conversation} */ c) => {
    if (c.id !== conversation.id) return;
    const show = c.status === "resolved" && !!c.channel && c.channel.kind === "web";
    button.hidden = !show;
    if (!show) email.hidden = true;
  };
  paint(conversation);
  api.on("conversation.updated", paint);
  button.addEventListener("click", () => {
    /** @type {HTMLButtonElement} */ (button).disabled = true;
    const json = email.hidden || !email.value.trim() ? {} : { email: email.value.trim() };
    api
      .fetch("/api/v1/conversations/" + conversation.id + "/transcript", { method: "POST", json })
      .then((/** @type {Json} */ data) => {
        email.hidden = true;
        api.toast(api.t("Transcript sent to %s.", [data.to]), "info");
      })
      .catch((/** @type {ApiError} */ error) => {
        if (error.fields && error.fields.email) {
          email.hidden = false;
          email.focus();
        }
        api.toast(error.detail || api.t("Could not mail the transcript."), "error");
      })
      .finally(() => {
        /** @type {HTMLButtonElement} */ (button).disabled = false;
      });
  });
  slot.append(email, button);
}

/* ------------------------------------------------------------ the part */

/** @type {import("../types").DeskPart} */
const part = {
  name: "channels",
  renderMessage(message, node, api) {
    if (message.delivery && !message.private) paintDelivery(api, node, message.id, message.delivery);
  },
  onFrame(frame, api) {
    if (frame.type !== "message.delivery") return;
    const pane = api.pane(frame.conversation);
    if (!pane) return;
    const stored = pane.messages.get(frame.seq);
    if (stored) stored.delivery = frame.delivery;
    const node = /** @type {HTMLElement | null} */ (
      pane.timeline.querySelector('.dk-msg[data-seq="' + Number(frame.seq) + '"]')
    );
    if (node) paintDelivery(api, node, frame.message, frame.delivery);
  },
  composerTools(tools, composer, api) {
    const box = api.el("div", { class: "dk-window", hidden: true, role: "status" });
    const area = composer.el;
    if (area.parentNode) area.parentNode.insertBefore(box, area);
    const repaint = () => paintWindow(api, composer, box);
    /** @param {Conversation} c */
    const onUpdate = (c) => {
      if (c.id === composer.conversationId) repaint();
    };
    api.on("conversation.updated", onUpdate);
    const timer = setInterval(() => {
      if (!box.isConnected) {
        clearInterval(timer);
        api.off("conversation.updated", onUpdate);
        return;
      }
      repaint();
    }, 30000);
    repaint();
  },
  sidebarPanel(conversation, root, api) {
    root.classList.add("dk-contacts");
    root.textContent = api.t("Loading…");
    load(api, conversation.id, root);
  },
  paneHeaderTools(conversation, slot, api) {
    transcriptTool(api, conversation, slot);
  },
};

export default part;
