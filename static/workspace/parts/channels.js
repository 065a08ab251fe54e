// @ts-check
/* Channels in the workspace: the messaging window in the composer (time left, or why a reply
   cannot go out, with WhatsApp's approved templates), each outgoing message's delivery (not
   delivered yet / sent / delivered / read / failed with the reason and "Send again"), the
   contact's addresses and merges in the sidebar with "Merge contacts", and "Mail transcript"
   on a resolved web chat. Data: the conversation's `channel_window` / `channel_extra`, the
   message's `delivery` and `message.delivery` frames (docs/protocol.md), and the REST calls
   of docs/channels.md. The window is drawn by channel-window.js, the contacts by
   channel-contacts.js. */
import { loadContacts } from "../channel-contacts.js";
import { paintWindow } from "../channel-window.js";

/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").ApiError} ApiError */
/** @typedef {import("../types").Conversation} Conversation */
/** @typedef {{status: string, error: string, attempts: number, next_attempt_at: string | null}} Delivery */
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
    loadContacts(api, conversation.id, root);
  },
  paneHeaderTools(conversation, slot, api) {
    transcriptTool(api, conversation, slot);
  },
};

export default part;
