// @ts-check
/*
 * Proactive chat (docs/routing.md): on a product page, after the shopper has stayed N seconds
 * (admin setting), open the widget with a greeting — at most once per visit (sessionStorage).
 * Settings: GET /api/widget/proactive?lang=… (public).
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  const SHOWN = "helpdesk:proactive-shown";

  function onProductPage() {
    return Boolean(
      document.querySelector('[data-hd-page="product"]') ||
        document.querySelector('meta[property="og:type"][content="product"]')
    );
  }

  function alreadyShown() {
    try {
      return window.sessionStorage.getItem(SHOWN) === "1";
    } catch (e) {
      return false;
    }
  }

  function markShown() {
    try {
      window.sessionStorage.setItem(SHOWN, "1");
    } catch (e) {
      /* private mode: once per page instead */
    }
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "proactive",
    async onReady(api) {
      if (!onProductPage() || alreadyShown()) return;
      let settings;
      try {
        const response = await window.fetch(
          api.baseUrl + "/api/widget/proactive?lang=" + encodeURIComponent(api.language)
        );
        if (!response.ok) return;
        settings = await response.json();
      } catch (e) {
        return;
      }
      if (!settings.enabled || !settings.greeting) return;
      const delay = Math.max(1, Number(settings.delay_seconds) || 30) * 1000;
      setTimeout(() => {
        // The shopper opened the chat on their own, or another tab already greeted them.
        if (api.isOpen() || alreadyShown()) return;
        markShown();
        api.open();
        api.addSystemNotice(settings.greeting, { id: "proactive" });
        api.track("proactive", { delay_seconds: settings.delay_seconds });
      }, delay);
    },
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
