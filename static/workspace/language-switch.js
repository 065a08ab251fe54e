// @ts-check
/**
 * The language switch (templates/workspace/_language.html, on the desk and the login page):
 * choosing a language submits its form at once. Without scripts, its button does.
 */
for (const select of document.querySelectorAll("select[data-submit-on-change]")) {
  select.addEventListener("change", () => {
    const form = /** @type {HTMLSelectElement} */ (select).form;
    if (form) form.requestSubmit();
  });
}
