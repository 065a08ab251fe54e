// @ts-check
/* The customer sidebar: profile, VIP tier, tags and notes (editable), lifetime value, recent
   orders with items and tracking, recently viewed products, the page the shopper is on (live,
   from `visitor.page` frames), previous conversations, and buttons that send order/product
   cards. Data: GET/PATCH /api/v1/conversations/{id}/customer, POST …/cards, DELETE …/flag. */
import { clientId } from "../../shared/ids.js";
import { channelBadge } from "../channel-badge.js";

/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").ApiError} ApiError */
/**
 * The payload of GET /api/v1/conversations/{id}/customer (orders/sidebar_api): JSON read as
 * the server writes it.
 * @typedef {Record<string, any>} CustomerData
 */
/** @typedef {{el: HTMLElement, data?: CustomerData, page?: HTMLElement}} PanelState */

/** @type {Map<number, PanelState>} conversation id → its panel */
const panels = new Map();

/**
 * @param {string | number} value
 * @param {string} [currency]
 */
function money(value, currency) {
  return (currency === "USD" || !currency ? "$" : currency + " ") + value;
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {"order" | "product"} type
 * @param {number} id
 * @param {HTMLButtonElement} button
 */
function sendCard(api, conversationId, type, id, button) {
  button.disabled = true;
  api.fetch("/api/v1/conversations/" + conversationId + "/cards", {
    method: "POST", json: { type: type, id: id, client_id: clientId("card-") },
  }).then(function () {
    api.toast(api.t("Card sent"), "info");
  }).catch(function (/** @type {ApiError} */ error) {
    api.toast(error.detail || api.t("Could not send the card"), "error");
  }).finally(function () { button.disabled = false; });
}

/**
 * @param {DeskApi} api
 * @param {string} title
 * @param {string} testid
 * @param {...Node} children
 */
function section(api, title, testid, ...children) {
  return api.el("div", { class: "cs-section", dataset: { testid: testid } },
    api.el("h4", { class: "cs-h" }, title), ...children);
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {CustomerData} order
 */
function renderOrder(api, conversationId, order) {
  const el = api.el;
  const shipments = order.shipments.map(function (/** @type {CustomerData} */ s) {
    const tracking = api.safeHref(s.tracking_url);
    const latest = s.latest_event;
    return el("div", { class: "cs-ship", dataset: { status: s.status } },
      el("span", { class: "cs-badge cs-st-" + s.status }, s.status_label),
      " ", s.carrier, " ",
      tracking
        ? el("a", { href: tracking, target: "_blank", rel: "noopener" }, s.tracking_number)
        : s.tracking_number,
      latest ? el("div", { class: "cs-muted" },
        latest.description || latest.status, latest.location ? " · " + latest.location : "",
        " · " + api.formatTime(latest.occurred_at)) : "",
      s.estimated_delivery ? el("div", { class: "cs-muted" },
        api.t("Expected delivery") + ": " + s.estimated_delivery) : "");
  });
  const button = el("button", {
    type: "button", class: "cs-card-btn", dataset: { testid: "send-order-card" },
    title: api.t("Send this order to the shopper as a card"),
  }, api.t("Send card"));
  button.addEventListener("click", function () { sendCard(api, conversationId, "order", order.id, button); });
  return el("li", { class: "cs-order", dataset: { testid: "sidebar-order", id: String(order.id) } },
    el("div", { class: "cs-row" },
      el("strong", {}, order.number || order.external_id),
      el("span", { class: "cs-badge cs-st-" + order.status }, order.status_label),
      el("span", { class: "cs-right" }, money(order.total, order.currency))),
    el("div", { class: "cs-muted" }, api.formatTime(order.placed_at)),
    el("ul", { class: "cs-items" }, ...order.items.map(function (/** @type {CustomerData} */ item) {
      return el("li", {}, item.quantity + " × " + item.name);
    })),
    ...shipments,
    button);
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {CustomerData[]} products
 */
function renderProducts(api, conversationId, products) {
  const el = api.el;
  return el("ul", { class: "cs-products" }, ...products.map(function (p) {
    const button = el("button", { type: "button", class: "cs-card-btn", dataset: { testid: "send-product-card" } },
      api.t("Send card"));
    button.addEventListener("click", function () { sendCard(api, conversationId, "product", p.id, button); });
    return el("li", { class: "cs-row" }, el("span", {}, p.name),
      el("span", { class: "cs-muted" }, money(p.price, p.currency)), button);
  }));
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 */
function productPicker(api, conversationId) {
  const input = api.el("input", { type: "search", class: "cs-input", placeholder: api.t("Search products"),
    "aria-label": api.t("Search products"), dataset: { testid: "sidebar-catalog-search" } });
  const results = api.el("div", {});
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const q = input.value.trim();
      if (!q) { results.textContent = ""; return; }
      api.fetch("/api/v1/catalog?q=" + encodeURIComponent(q)).then(function (/** @type {CustomerData} */ data) {
        results.textContent = "";
        results.appendChild(renderProducts(api, conversationId, data.results.slice(0, 8)));
      }).catch(function () { results.textContent = ""; });
    }, 250);
  });
  return api.el("div", {}, input, results);
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {CustomerData} data
 * @param {(fresh: CustomerData) => void} rerender
 */
function renderProfile(api, conversationId, data, rerender) {
  const el = api.el;
  const c = data.customer;
  if (!c) {
    return el("div", { class: "cs-section" },
      el("div", { class: "cs-name", dataset: { testid: "sidebar-customer-name" } }, visitorName(api, data.visitor)),
      // The email a shopper gave (the pre-chat form, say), so the agent can write back.
      data.visitor.email ? el("div", { dataset: { testid: "sidebar-visitor-email" } }, el("a", { href: "mailto:" + data.visitor.email }, data.visitor.email)) : "",
      el("div", { class: "cs-muted" }, api.t("Not signed in: no orders to show.")));
  }
  const tags = el("input", { type: "text", class: "cs-input", value: c.tags.join(", "),
    "aria-label": api.t("Tags"), dataset: { testid: "sidebar-tags" } });
  const notes = el("textarea", { class: "cs-input", rows: "3", "aria-label": api.t("Notes"),
    dataset: { testid: "sidebar-notes" } });
  notes.value = c.notes;
  const save = el("button", { type: "button", dataset: { testid: "sidebar-save" } }, api.t("Save"));
  save.addEventListener("click", function () {
    save.disabled = true;
    api.fetch("/api/v1/conversations/" + conversationId + "/customer", {
      method: "PATCH",
      json: { tags: tags.value.split(",").map(function (tag) { return tag.trim(); }).filter(Boolean),
        notes: notes.value },
    }).then(function (/** @type {CustomerData} */ fresh) { rerender(fresh); api.toast(api.t("Saved"), "info"); })
      .catch(function (/** @type {ApiError} */ error) { api.toast(error.detail || api.t("Could not save"), "error"); })
      .finally(function () { save.disabled = false; });
  });
  const stats = data.stats;
  return el("div", { class: "cs-section" },
    el("div", { class: "cs-row" },
      el("span", { class: "cs-name", dataset: { testid: "sidebar-customer-name" } }, c.name || c.external_id),
      c.vip_tier ? el("span", { class: "cs-badge cs-vip cs-vip-" + c.vip_tier }, c.vip_tier_label) : ""),
    c.email ? el("div", {}, el("a", { href: "mailto:" + c.email }, c.email)) : "",
    c.phone ? el("div", { class: "cs-muted" }, c.phone) : "",
    el("div", { class: "cs-stats", dataset: { testid: "sidebar-stats" } },
      el("span", {}, api.t("Lifetime value") + ": " + money(stats.lifetime_value, stats.currency)),
      el("span", {}, api.t("Orders") + ": " + stats.order_count)),
    el("label", { class: "cs-label" }, api.t("Tags"), tags),
    el("label", { class: "cs-label" }, api.t("Notes"), notes),
    save);
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {HTMLElement} el
 * @param {CustomerData} data
 */
function render(api, conversationId, el, data) {
  /** @type {PanelState} */
  const state = panels.get(conversationId) || { el };
  state.data = data;
  panels.set(conversationId, state);
  const rerender = function (/** @type {CustomerData} */ fresh) { render(api, conversationId, el, fresh); };
  el.textContent = "";
  el.appendChild(renderProfile(api, conversationId, data, rerender));
  const page = el.appendChild(section(api, api.t("Now viewing"), "sidebar-page",
    el.ownerDocument.createElement("div")));
  state.page = /** @type {HTMLElement} */ (page.lastChild);
  paintPage(api, state, data.visitor);
  if (data.orders.length) {
    el.appendChild(section(api, api.t("Recent orders"), "sidebar-orders",
      api.el("ul", { class: "cs-orders" }, ...data.orders.map(function (/** @type {CustomerData} */ o) {
        return renderOrder(api, conversationId, o);
      }))));
  }
  if (data.recently_viewed.length) {
    el.appendChild(section(api, api.t("Recently viewed"), "sidebar-viewed",
      renderProducts(api, conversationId, data.recently_viewed)));
  }
  el.appendChild(section(api, api.t("Send a product"), "sidebar-catalog",
    productPicker(api, conversationId)));
  if (data.previous_conversations.length) {
    el.appendChild(section(api, api.t("Previous conversations"), "sidebar-history",
      api.el("ul", { class: "cs-history" }, ...data.previous_conversations.map(function (/** @type {CustomerData} */ c) {
        const link = api.el("a", { href: "#", dataset: { id: String(c.id) } },
          channelBadge(c.channel) || "",
          "#" + c.id + " · " + api.formatTime(c.last_activity_at) + " · " + (c.preview || ""));
        link.addEventListener("click", function (event) { event.preventDefault(); api.open(c.id); });
        return api.el("li", { class: "cs-" + c.status }, link);
      }))));
  }
}

/**
 * The page the shopper is on (live). A URL that is not http(s) is shown, never linked.
 * @param {DeskApi} api
 * @param {PanelState} state
 * @param {CustomerData} visitor
 */
function paintPage(api, state, visitor) {
  if (!state.page) return;
  state.page.textContent = "";
  if (!visitor.current_url) { state.page.textContent = "—"; return; }
  const href = api.safeHref(visitor.current_url);
  const text = visitor.current_title || visitor.current_url;
  state.page.appendChild(href
    ? api.el("a", { href, target: "_blank", rel: "noopener", dataset: { testid: "sidebar-current-page" } }, text)
    : api.el("span", { dataset: { testid: "sidebar-current-page" } }, text));
}

/**
 * @param {DeskApi} api
 * @param {number} conversationId
 * @param {HTMLElement} el
 */
function load(api, conversationId, el) {
  api.fetch("/api/v1/conversations/" + conversationId + "/customer")
    .then(function (/** @type {CustomerData} */ data) { render(api, conversationId, el, data); })
    .catch(function (/** @type {ApiError} */ error) { el.textContent = error.detail || api.t("Could not load the customer"); });
}

/**
 * An order or product card in the timeline as the shopper sees it: picture (or the first
 * item's initial), title, price, status, items, shipment and links.
 * @param {Record<string, any>} card
 * @param {DeskApi} api
 */
function cardBox(card, api) {
  const el = api.el;
  const items = Array.isArray(card.items) ? card.items : [];
  const shipment = card.shipment || null;
  const href = (/** @type {unknown} */ url) => {
    try {
      const parsed = new URL(String(url || ""), location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  };
  const image = href(card.image);
  const first = items.length ? String(items[0].name || "") : String(card.title || "");
  const link = href(card.url);
  const tracking = shipment ? href(shipment.tracking_url) : null;
  return el("div", { class: "cs-tl-card", dataset: { testid: "timeline-card", cardType: String(card.type || "") } },
    image ? el("img", { class: "cs-tl-thumb", src: image, alt: "" })
      : el("span", { class: "cs-tl-thumb", "aria-hidden": "true" }, first.trim().charAt(0).toUpperCase() || "#"),
    el("div", { class: "cs-tl-main" },
      el("div", { class: "cs-row" },
        el("strong", {}, String(card.title || "")),
        card.price ? el("span", {}, money(card.price, card.currency)) : null,
        card.status_label || card.status
          ? el("span", { class: "cs-badge cs-st-" + String(card.status || "") }, String(card.status_label || card.status)) : null),
      items.length ? el("div", { class: "cs-muted", dataset: { testid: "timeline-card-items" } },
        items.map((/** @type {Record<string, any>} */ i) => String(i.quantity || 1) + " × " + String(i.name || "")).join(", ")) : null,
      shipment ? el("div", { class: "cs-muted", dataset: { testid: "timeline-card-shipment" } },
        [shipment.status_label || shipment.status, shipment.carrier, shipment.tracking_number].filter(Boolean).map(String).join(" · ")) : null,
      el("div", { class: "cs-row" },
        link ? el("a", { href: link, target: "_blank", rel: "noopener" }, card.type === "order" ? api.t("View order") : api.t("View product")) : null,
        tracking ? el("a", { href: tracking, target: "_blank", rel: "noopener" }, api.t("Track parcel")) : null)));
}

/**
 * The shopper's name; a made-up "Amber Otter" in the desk's language (as the list shows it).
 * @param {DeskApi} api
 * @param {Record<string, any>} visitor
 */
function visitorName(api, visitor) {
  const name = String(visitor.name || "");
  if (!visitor.nickname) return name;
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  return name.split(" ").map((word) => api.t(word)).join(zh ? "" : " ");
}

/** @type {import("../types").DeskPart} */
const part = {
  name: "customer",
  renderMessage(m, node, api) {
    if (m.kind !== "card" || !m.card || typeof m.card !== "object") return;
    const body = node.querySelector(".dk-msg-body");
    if (!body) return;
    // A notice's own words stay above its card; a card sent on its own is just the card.
    if (!m.body || m.body === m.card.title) body.textContent = "";
    body.after(cardBox(m.card, api));
    node.classList.remove("dk-msg-unrendered");
  },
  sidebarPanel(conversation, el, api) {
    el.classList.add("cs-panel");
    el.textContent = api.t("Loading…");
    panels.set(conversation.id, { el: el });
    load(api, conversation.id, el);
  },
  onFrame(frame, api) {
    if (frame.type === "visitor.page") {
      const state = panels.get(frame.conversation);
      if (state && state.data) {
        state.data.visitor.current_url = frame.url;
        state.data.visitor.current_title = frame.title;
        paintPage(api, state, state.data.visitor);
        if (frame.kind !== "page_view") load(api, frame.conversation, state.el);
      }
    } else if (frame.type === "message.created" && frame.message && frame.message.kind === "card"
      && frame.message.sender.kind === "system") {
      const state = panels.get(frame.message.conversation);
      if (state && state.el) load(api, frame.message.conversation, state.el);
    }
  },
  listDecorator(conversation, rowEl, api) {
    const badges = rowEl.querySelector(".dk-row-badges");
    if (!badges) return;
    const old = badges.querySelector(".cs-flag");
    if (old) old.remove();
    if (conversation.flag) {
      badges.appendChild(api.el("span", { class: "cs-flag", title: conversation.flag.label,
        dataset: { testid: "row-flag" } }, "⚑ " + conversation.flag.label));
    }
  },
  paneHeaderTools(conversation, el, api) {
    const button = api.el("button", { type: "button", class: "cs-flag-clear", hidden: true,
      dataset: { testid: "flag-clear" } }, api.t("Clear flag"));
    const paint = function (/** @type {import("../types").Conversation} */ c) {
      if (c.id !== conversation.id) return;
      button.hidden = !c.flag;
      button.title = c.flag ? c.flag.label : "";
    };
    paint(conversation);
    api.on("conversation.updated", paint);
    button.addEventListener("click", function () {
      api.fetch("/api/v1/conversations/" + conversation.id + "/flag", { method: "DELETE" })
        .then(function () { button.hidden = true; })
        .catch(function (/** @type {ApiError} */ error) { api.toast(error.detail || "error", "error"); });
    });
    el.appendChild(button);
  },
};

export default part;
