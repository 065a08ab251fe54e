// @ts-check
/* Browsing events: tells the desk which page or product the shopper is on (live in the
   agent's sidebar) and what they add to the cart. POST /api/widget/events, Visitor auth. */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  function productOnPage() {
    // The demo storefront marks product pages; other shops may add the same attributes.
    const main = /** @type {HTMLElement | null} */ (
      document.querySelector('[data-hd-page="product"] [data-hd-product-external-id]')
    );
    return main ? main.dataset.hdProductExternalId : "";
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {string} kind
   * @param {Record<string, string>} [extra]
   */
  function report(api, kind, extra) {
    if (!api.visitorToken()) return;
    const body = Object.assign({
      kind: kind,
      url: String(location.href).slice(0, 1000),
      title: String(document.title || "").slice(0, 300),
    }, extra || {});
    api.fetch("/api/widget/events", { method: "POST", json: body }).catch(function () {});
  }

  /** @type {string | null} */
  let lastUrl = null;
  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "browsing",
    onSession(session, api) {
      if (lastUrl === location.href) return;  // one report per page, not per reconnect
      lastUrl = location.href;
      const product = productOnPage();
      report(api, product ? "product_view" : "page_view", product ? { product: product } : {});
    },
    onReady(api) {
      window.addEventListener("storefront:add-to-cart", function (event) {
        const detail = (event && /** @type {CustomEvent} */ (event).detail) || {};
        report(api, "add_to_cart", detail.external_id ? { product: String(detail.external_id) } : {});
      });
      window.addEventListener("popstate", function () {
        lastUrl = location.href;
        report(api, "page_view");
      });
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
