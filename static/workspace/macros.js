// @ts-check
/**
 * Macros in the composer: a menu of the desk's macros; picking one runs its actions (reply,
 * note, label, assign to me, resolve) on the conversation in one request.
 * Data: GET /api/v1/macros/, POST /api/v1/conversations/{id}/macros/{macro id}.
 */
import { el } from "../shared/dom.js";
import { api, register, t, updateConversation } from "./desk.js";

/** @type {Promise<{id: number, name: string}[]> | null} */
let macros = null;

function loadMacros() {
  if (!macros) {
    macros = api.fetch("/api/v1/macros/").then(
      (/** @type {{results: {id: number, name: string}[]}} */ data) => data.results || [],
      () => [],
    );
  }
  return macros;
}

register({
  name: "macros",
  async composerTools(tools, composer) {
    const list = await loadMacros();
    if (!list.length) return;
    const select = el(
      "select",
      { class: "dk-select dk-macro", title: t("Run a macro"), "aria-label": t("Run a macro"), dataset: { testid: "dk-macro" } },
      el("option", { value: "" }, t("Macros…")),
      ...list.map((macro) => el("option", { value: String(macro.id) }, macro.name)),
    );
    select.addEventListener("change", async () => {
      const id = select.value;
      select.value = "";
      if (!id) return;
      select.disabled = true;
      try {
        const c = await api.fetch(api.config.urls.conversations + composer.conversationId + "/macros/" + id, { method: "POST" });
        updateConversation(c);
        api.toast(t("Macro done."));
      } catch (error) {
        api.toast(/** @type {import("./types").ApiError} */ (error).detail || t("That did not work."), "error");
      } finally {
        select.disabled = false;
      }
    });
    tools.append(select);
  },
});
