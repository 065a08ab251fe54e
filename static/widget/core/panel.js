// @ts-check
/**
 * The widget's DOM: the launcher and the panel in a Shadow DOM, the slots parts fill, opening
 * and closing, the unread badge and system notices.
 */

import { el, nearBottom } from "../../shared/dom.js";
import { locale, staticUrl } from "./config.js";
import { callParts, emit, installPart, parts } from "./parts.js";
import { slots } from "./slots.js";
import { state } from "./state.js";
import { t } from "./strings.js";

/**
 * What the panel's controls do, handed in by main.js through `panelActions`: the composer
 * and the session sit above the panel they draw into, so the panel calls them, never
 * imports them.
 * @type {import("./types").PanelActions}
 */
const actions = { submit() {}, keystroke() {}, read() {}, opened() {} };

/** @param {import("./types").PanelActions} given */
export function panelActions(given) {
  Object.assign(actions, given);
}

/** Build the launcher and the panel, install the parts registered so far. */
export function build() {
  const host = el("div", { id: "helpdesk-widget" });
  const root = host.attachShadow({ mode: "open" });
  root.append(el("link", { rel: "stylesheet", href: staticUrl + "widget.css" }));
  slots.root = root;
  slots.host = host;

  slots.unread = el("span", {
    class: "hd-badge",
    "data-testid": "hd-unread",
    hidden: true,
    "aria-hidden": "true",
  });
  slots.launcher = el(
    "button",
    {
      type: "button",
      class: "hd-launcher",
      "data-testid": "hd-launcher",
      "aria-label": t("Open chat"),
      "aria-expanded": "false",
      "aria-controls": "hd-panel",
      onclick: () => (isOpen() ? close() : open()),
    },
    el("span", { class: "hd-launcher-icon", "aria-hidden": "true" }),
    slots.unread,
  );

  slots.title = el("div", { class: "hd-title", "data-testid": "hd-title" }, t("Chat with us"));
  slots.status = el(
    "div",
    { class: "hd-status", "data-testid": "hd-status", "aria-live": "polite" },
    t("We typically reply in a few minutes"),
  );
  slots.avatar = el("div", { class: "hd-avatar", "aria-hidden": "true" });
  slots.avatarIcon = el("span", { class: "hd-launcher-icon hd-avatar-icon" });
  slots.avatar.append(slots.avatarIcon);
  slots.closeButton = el(
    "button",
    {
      type: "button",
      class: "hd-close",
      "data-testid": "hd-close",
      "aria-label": t("Close chat"),
      onclick: () => close(),
    },
    "×",
  );
  slots.header = el(
    "header",
    { class: "hd-header" },
    slots.avatar,
    el("div", { class: "hd-heading" }, slots.title, slots.status),
    slots.closeButton,
  );
  slots.banner = el("div", { class: "hd-banner" });
  slots.messages = el("div", {
    class: "hd-messages",
    "data-testid": "hd-messages",
    role: "log",
    "aria-live": "polite",
    "aria-label": t("Messages"),
    tabindex: "0",
  });
  slots.welcome = el(
    "div",
    { class: "hd-welcome" },
    el("strong", {}, t("Hi there!")),
    el("p", {}, t("Ask us anything about products, orders or delivery.")),
  );
  slots.messages.append(slots.welcome);
  slots.typing = el(
    "div",
    { class: "hd-typing", "data-testid": "hd-typing", hidden: true, "aria-live": "polite" },
    el("span", { class: "hd-dots", "aria-hidden": "true" }, el("i"), el("i"), el("i")),
    el("span", { class: "hd-typing-text" }),
  );
  slots.footer = el("div", { class: "hd-footer" });
  slots.tools = el("div", { class: "hd-tools" });
  slots.input = el("textarea", {
    class: "hd-input",
    "data-testid": "hd-input",
    rows: "1",
    maxlength: String(state.limits.max_body_chars),
    placeholder: t("Type a message…"),
    "aria-label": t("Message"),
  });
  slots.sendButton = el(
    "button",
    {
      type: "submit",
      class: "hd-send",
      "data-testid": "hd-send",
      "aria-label": t("Send"),
      title: t("Send"),
    },
    el("span", { "aria-hidden": "true" }, "➤"),
  );
  slots.composer = el(
    "form",
    { class: "hd-composer", "data-testid": "hd-composer" },
    slots.tools,
    slots.input,
    slots.sendButton,
  );
  slots.powered = el("div", { class: "hd-powered" }, t("Powered by Helpdesk"));
  slots.panel = el(
    "section",
    {
      id: "hd-panel",
      class: "hd-panel",
      "data-testid": "hd-panel",
      role: "dialog",
      "aria-label": t("Chat with us"),
      hidden: true,
      "data-connection": state.connection,
      lang: locale,
    },
    slots.header,
    slots.banner,
    slots.messages,
    slots.typing,
    slots.footer,
    slots.composer,
    slots.powered,
  );
  root.append(slots.panel, slots.launcher);

  slots.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    actions.submit();
  });
  slots.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      actions.submit();
    }
  });
  slots.input.addEventListener("input", () => {
    autosize();
    actions.keystroke();
  });
  slots.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      slots.launcher.focus();
    }
  });
  document.addEventListener("visibilitychange", () => actions.read());
  (document.body || document.documentElement).append(host);
  state.built = true;
  for (const part of parts) installPart(part);
}

/** Grow the input with its text, up to 120 px. */
export function autosize() {
  const input = slots.input;
  input.style.height = "auto";
  input.style.height = Math.min(input.scrollHeight, 120) + "px";
}

/** @param {"online" | "connecting" | "offline"} value */
export function setConnection(value) {
  state.connection = value;
  if (slots.panel) slots.panel.dataset.connection = value;
  if (value === "online") removeNotice("connection");
  else if (state.connectedOnce && value === "offline")
    addSystemNotice(t("Connection lost. Reconnecting…"), { id: "connection" });
}

export function isOpen() {
  return !!(slots.panel && !slots.panel.hidden);
}

export function open() {
  if (!slots.panel || isOpen()) return;
  slots.panel.hidden = false;
  slots.launcher.setAttribute("aria-expanded", "true");
  slots.launcher.setAttribute("aria-label", t("Close chat"));
  slots.launcher.classList.add("hd-open");
  scrollToEnd();
  slots.input.focus();
  setUnread(0);
  actions.opened();
  callParts("onOpen");
  emit("open");
}

export function close() {
  if (!isOpen()) return;
  slots.panel.hidden = true;
  slots.launcher.setAttribute("aria-expanded", "false");
  slots.launcher.setAttribute("aria-label", t("Open chat"));
  slots.launcher.classList.remove("hd-open");
  callParts("onClose");
  emit("close");
}

/** @param {number} count */
export function setUnread(count) {
  state.unread = count;
  if (!slots.unread) return;
  slots.unread.textContent = count > 9 ? "9+" : String(count);
  slots.unread.hidden = count === 0;
  slots.launcher.setAttribute(
    "aria-label",
    isOpen() ? t("Close chat") : count ? t("Open chat (%(n)s unread)", { n: count }) : t("Open chat"),
  );
}

export function scrollToEnd() {
  const list = slots.messages;
  if (list) list.scrollTop = list.scrollHeight;
}

/** Whether the message list is scrolled to (near) its end. */
export function atEnd() {
  return nearBottom(slots.messages);
}

/**
 * A centred notice in the message list; the same `id` replaces, `timeout` ms removes it.
 * @param {string | Node} content
 * @param {{id?: string, timeout?: number}} [options]
 * @returns {HTMLElement | null}
 */
export function addSystemNotice(content, options) {
  const opts = options || {};
  if (!slots.messages) return null;
  if (opts.id) removeNotice(opts.id);
  const notice = el(
    "div",
    {
      class: "hd-notice",
      role: "status",
      "data-testid": "hd-notice",
      dataset: opts.id ? { noticeId: opts.id } : {},
    },
    content,
  );
  const stick = atEnd();
  slots.messages.append(notice);
  if (stick) scrollToEnd();
  if (opts.timeout) setTimeout(() => notice.remove(), opts.timeout);
  return notice;
}

/** @param {string} id */
export function removeNotice(id) {
  if (!slots.messages) return;
  for (const node of slots.messages.querySelectorAll(".hd-notice")) {
    if (/** @type {HTMLElement} */ (node).dataset.noticeId === id) node.remove();
  }
}
