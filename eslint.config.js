// @ts-check
// Lint of the front end (static/) and its unit tests (tests/js/): `make lint-js`.
import js from "@eslint/js";
import globals from "globals";

export default [
  // static/widget/widget.js is generated (scripts/build-widget.mjs) from static/widget/core/.
  { ignores: ["node_modules/", "staticfiles/", ".venv/", "static/widget/widget.js", "static/vendor/"] },
  js.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Message and shopper data reach the page only as text (docs/frontend.md).
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Build DOM with el() / textContent." },
        { property: "outerHTML", message: "Build DOM with el() / textContent." },
        { property: "insertAdjacentHTML", message: "Build DOM with el() / textContent." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='write'][callee.object.name='document']", message: "No document.write." },
      ],
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "eqeqeq": ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
      "quotes": ["error", "double", { avoidEscape: true }],
      "semi": ["error", "always"],
    },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js", "scripts/**/*.js", "scripts/**/*.mjs", "bench/**/*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
];
