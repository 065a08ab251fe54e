/* The demo shop's page script (a file, so the page's Content-Security-Policy needs no inline
   script): the tiny cart, and the demo customer switch.

   Add-to-cart also announces itself as a DOM event ("storefront:add-to-cart") that the
   widget's browsing-events part listens to. Signing out of the demo customer forgets this
   browser's chat session, so the next shopper starts anonymous; signing in keeps it, so the
   anonymous conversation joins the customer's history. */
(function () {
  "use strict";
  const KEY = "storefront:cart";
  const read = () => { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } };
  const paint = () => {
    const count = read().reduce((n, line) => n + (line.quantity || 0), 0);
    document.querySelectorAll("[data-cart-count]").forEach((node) => { node.textContent = String(count); });
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest('[data-hd-action="add-to-cart"]');
    if (!button) return;
    const box = button.closest("[data-hd-product-id]");
    const qtyInput = document.querySelector("[data-qty]");
    const quantity = Math.max(1, parseInt(qtyInput ? qtyInput.value : "1", 10) || 1);
    const detail = {
      product_id: Number(box.dataset.hdProductId),
      external_id: box.dataset.hdProductExternalId,
      name: box.dataset.hdProductName,
      price: box.dataset.hdProductPrice,
      currency: box.dataset.hdProductCurrency,
      quantity: quantity,
    };
    const cart = read();
    const line = cart.find((l) => l.external_id === detail.external_id);
    if (line) line.quantity += quantity; else cart.push(detail);
    localStorage.setItem(KEY, JSON.stringify(cart));
    paint();
    const note = document.querySelector("[data-added]");
    if (note) note.textContent = note.dataset.added;
    window.dispatchEvent(new CustomEvent("storefront:add-to-cart", { detail: detail }));
  });
  document.addEventListener("submit", (event) => {
    const form = event.target.closest('[data-testid="demo-customer-switch"]');
    if (form && form.dataset.signedIn === "1") {
      try { localStorage.removeItem("helpdesk:visitor_token"); } catch (e) { /* private mode */ }
    }
  });
  paint();
})();
