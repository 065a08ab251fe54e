// @ts-check
/* Order and product cards (message kind "card"): picture (or the first item's initial), title,
   price, status, items, shipment and links.
   Proactive order notices are system messages with a card: their text is shown above it. */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  /** @param {{price?: string, currency?: string}} card */
  function price(card) {
    if (!card.price) return "";
    return (card.currency === "USD" || !card.currency ? "$" : card.currency + " ") + card.price;
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "cards",
    kinds: ["card"],
    styles: [
      ".hdc-card{display:flex;gap:10px;align-items:center;border:1px solid rgba(0,0,0,.12);",
      "border-radius:10px;padding:8px;background:#fff;color:#1c1c1c;margin-top:4px;max-width:260px}",
      ".hdc-img{width:48px;height:48px;border-radius:6px;object-fit:cover;background:#eee;flex:none}",
      ".hdc-main{min-width:0;display:flex;flex-direction:column;gap:2px}",
      ".hdc-title{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}",
      ".hdc-meta{font-size:12px;opacity:.75}",
      ".hdc-status{display:inline-block;font-size:11px;padding:1px 6px;border-radius:8px;background:#eef}",
      ".hdc-status[data-status=delayed],.hdc-status[data-status=exception],",
      ".hdc-status[data-status=cancelled]{background:#fde8e8;color:#8a1c1c}",
      ".hdc-link{font-size:12px}",
      ".hdc-text{margin-bottom:4px;white-space:pre-wrap}",
      ".hdc-thumb{display:grid;place-items:center;font-weight:700;font-size:20px;color:#2f6b4f;background:#e6f2ec}",
      ".hdc-items{white-space:normal}",
    ].join(""),
    renderMessage(message, bodyEl, api) {
      const card = message.card;
      if (!card || typeof card !== "object") return false;
      const el = api.el;
      bodyEl.textContent = "";
      if (message.body && message.body !== card.title) {
        bodyEl.appendChild(el("div", { class: "hdc-text" }, String(message.body)));
      }
      const image = api.safeHref(card.image, api.baseUrl);
      const shipment = card.shipment || null;
      const status = shipment && ["delayed", "exception"].indexOf(shipment.status) >= 0
        ? shipment : card;
      const link = api.safeHref(card.url, api.baseUrl);
      const items = Array.isArray(card.items) ? card.items : [];
      const tracking = shipment ? api.safeHref(shipment.tracking_url, api.baseUrl) : null;
      const main = el("div", { class: "hdc-main" },
        el("span", { class: "hdc-title", "data-testid": "hd-card-title" }, String(card.title || "")),
        el("span", { class: "hdc-meta" }, price(card)),
        status && (status.status_label || status.status)
          ? el("span", { class: "hdc-status", "data-status": String(status.status || "") },
            String(status.status_label || status.status)) : "",
        items.length
          ? el("span", { class: "hdc-meta hdc-items", "data-testid": "hd-card-items" },
            items.map((/** @type {{name?: string, quantity?: number}} */ i) =>
              String(i.quantity || 1) + " × " + String(i.name || "")).join(", ")) : "",
        shipment
          ? el("span", { class: "hdc-meta", "data-testid": "hd-card-shipment" },
            [shipment.status_label || shipment.status, shipment.carrier, shipment.tracking_number,
              shipment.estimated_delivery && shipment.status !== "delivered"
                ? api.t("cards.expected", { date: shipment.estimated_delivery }) : ""]
              .filter(Boolean).map(String).join(" · ")) : "",
        tracking ? el("a", { class: "hdc-link", href: tracking, target: "_blank", rel: "noopener" },
          api.t("cards.track")) : "",
        link ? el("a", { class: "hdc-link", href: link, target: "_blank", rel: "noopener" },
          card.type === "order" ? api.t("cards.view_order") : api.t("cards.view_product")) : ""
      );
      const box = el("div", {
        class: "hdc-card", "data-testid": "hd-card", "data-card-type": String(card.type || ""),
      });
      if (image) box.appendChild(el("img", { class: "hdc-img", src: image, alt: "" }));
      else {
        // No picture from the shop: the first item's initial on a tile, so cards still scan.
        const first = items.length ? String(items[0].name || "") : String(card.title || "");
        box.appendChild(el("span", { class: "hdc-img hdc-thumb", "data-testid": "hd-card-thumb", "aria-hidden": "true" },
          first.trim().charAt(0).toUpperCase() || "#"));
      }
      box.appendChild(main);
      bodyEl.appendChild(box);
      return true;
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
