/* What a pane shows: message bubbles, the header with its actions (take, assign / transfer,
 * resolve, reopen, pending, snooze), and the sidebar with the core details panel and the
 * parts' panels. Every piece of message or shopper data goes in with textContent. */
(function () {
  "use strict";
  const Desk = window.Desk;
  const api = Desk.api;
  const t = api.t;
  const el = api.el;

  const KIND_LABEL = () => ({
    image: t("Image"), file: t("File"), audio: t("Audio"), video: t("Video"), card: t("Card"),
  });

  /* One message bubble. Parts extend it through renderMessage(message, el, api). */
  Desk.renderMessage = function renderMessage(m, pane) {
    const kind = m.sender && m.sender.kind;
    const mine = kind === "agent" && m.sender.id === api.me.id;
    const system = kind === "system";
    const classes = ["dk-msg", "dk-msg-" + (kind || "unknown")];
    if (kind === "agent" || kind === "bot") classes.push("dk-msg-out");
    else if (!system) classes.push("dk-msg-in");
    if (mine && !m.private) classes.push("dk-msg-mine");
    if (m.private && !system) classes.push("dk-private");
    const body = el("div", { class: "dk-msg-body" });
    body.textContent = m.body || (m.kind !== "text" ? "[" + (KIND_LABEL()[m.kind] || m.kind) + "]" : "");
    const node = el(
      "div",
      {
        class: classes.join(" "),
        dataset: { seq: m.seq === null ? "" : String(m.seq), kind: m.kind, sender: kind || "", clientId: m.client_id || "" },
      },
      system
        ? null
        : el("div", { class: "dk-msg-meta" },
          m.private ? el("span", { class: "dk-note-label" }, t("Internal note")) : null,
          el("span", { class: "dk-msg-author" }, (m.sender && m.sender.name) || (kind === "visitor" ? t("Customer") : "")),
          kind === "bot" ? el("span", { class: "dk-pill dk-pill-bot" }, t("Bot")) : null),
      el("div", { class: "dk-msg-bubble" }, body, el("div", { class: "dk-msg-extra" })),
      el("div", { class: "dk-msg-foot" },
        el("time", { datetime: m.created_at || "" }, api.formatTime(m.created_at)),
        mine && !m.private ? el("span", { class: "dk-ticks", "aria-hidden": "false" }) : null,
        el("span", { class: "dk-msg-status" }))
    );
    if (m.kind !== "text") node.classList.add("dk-msg-unrendered");
    Desk.runHook("renderMessage", m, node, api);
    return node;
  };

  const STATUS_LABEL = () => ({ open: t("Open"), pending: t("Pending"), snoozed: t("Snoozed"), resolved: t("Resolved") });

  function renderHeader(pane) {
    const c = api.conversation(pane.id);
    if (!c) return;
    if (pane.headerToolsPending) {
      pane.headerToolsPending = false;
      Desk.runHook("paneHeaderTools", c, pane.root.querySelector(".dk-pane-tools"), api);
    }
    const name = Desk.pane.nameOf(c);
    const root = pane.root;
    root.dataset.status = c.status;
    root.querySelector(".dk-avatar").textContent = name.slice(0, 1).toUpperCase();
    root.querySelector(".dk-pane-name").textContent = name;
    const sub = [];
    sub.push("#" + c.id);
    sub.push(c.assignee ? api.interpolate(t("Assigned to %s"), [c.assignee.name], false) : t("Unassigned"));
    if (c.team) sub.push(c.team.name);
    root.querySelector(".dk-pane-sub").textContent = sub.join(" · ");
    const pill = root.querySelector(".dk-status-pill");
    pill.textContent = STATUS_LABEL()[c.status] || c.status;
    pill.className = "dk-pill dk-status-pill dk-pill-" + c.status;
    const mine = c.assignee && c.assignee.id === api.me.id;
    root.querySelector(".dk-take").hidden = !!mine;
    root.querySelector(".dk-resolve").hidden = c.status === "resolved";
    root.querySelector(".dk-reopen").hidden = c.status === "open";
    const label = pane.tab.querySelector(".dk-panetab-label");
    label.textContent = name;
    label.title = name + " (#" + c.id + ")";
    if (c.receipts) {
      pane.receipts.delivered = Math.max(pane.receipts.delivered, c.receipts.visitor_delivered_seq || 0);
      pane.receipts.read = Math.max(pane.receipts.read, c.receipts.visitor_read_seq || 0);
      Desk.pane.applyReceipts(pane);
    }
    renderDetails(pane, c);
    fillAssign(pane, c);
  }

  async function fillAssign(pane, c) {
    const select = pane.root.querySelector(".dk-assign");
    // Rebuild only when the assignee changed: an open menu must survive new messages.
    const key = String(c.assignee ? c.assignee.id : "");
    if (pane.assignKey === key) return;
    pane.assignKey = key;
    let list;
    try {
      list = await Desk.pane.agents();
    } catch (error) {
      pane.assignKey = null;
      return;
    }
    const first = select.options[0];
    const options = [first];
    for (const agent of list) {
      if (c.assignee && agent.id === c.assignee.id) continue;
      const label = agent.id === api.me.id ? api.interpolate(t("%s (me)"), [agent.name], false) : agent.name;
      options.push(el("option", { value: String(agent.id) }, label));
    }
    select.replaceChildren(...options);
    select.value = "";
  }

  async function act(pane, url, json, done) {
    pane.root.classList.add("dk-busy");
    try {
      const c = await api.fetch(url, { method: "POST", json });
      Desk.updateConversation(c);
      renderHeader(pane);
      if (Desk.list) Desk.list.render();
      if (done) api.toast(done);
    } catch (error) {
      api.toast(error.detail || t("That did not work."), "error");
    } finally {
      pane.root.classList.remove("dk-busy");
    }
  }

  function wireActions(pane) {
    const base = api.config.urls.conversations + pane.id;
    const root = pane.root;
    const assign = (assignee, done) => act(pane, base + "/assign", { assignee }, done);
    const status = (value, extra, done) => act(pane, base + "/status", Object.assign({ status: value }, extra || {}), done);
    root.querySelector(".dk-take").addEventListener("click", () => assign(api.me.id, t("You took the conversation.")));
    root.querySelector(".dk-resolve").addEventListener("click", () => status("resolved", null, t("Conversation resolved.")));
    root.querySelector(".dk-reopen").addEventListener("click", () => status("open", null, t("Conversation reopened.")));
    const select = root.querySelector(".dk-assign");
    select.addEventListener("change", () => {
      const id = Number(select.value);
      if (!id) return;
      const option = select.selectedOptions[0];
      assign(id, api.interpolate(t("Transferred to %s."), [option ? option.textContent : "#" + id], false));
    });
    const more = root.querySelector(".dk-more");
    more.addEventListener("change", () => {
      const value = more.value;
      more.value = "";
      if (value === "pending") status("pending", null, t("Marked pending."));
      else if (value === "snooze-1h") {
        status("snoozed", { snoozed_until: new Date(Date.now() + 3600e3).toISOString() }, t("Snoozed for an hour."));
      } else if (value === "snooze-tomorrow") {
        const d = new Date();
        d.setDate(d.getDate() + 1);
        d.setHours(9, 0, 0, 0);
        status("snoozed", { snoozed_until: d.toISOString() }, t("Snoozed until tomorrow."));
      } else if (value === "unassign") assign(null, t("Conversation unassigned."));
    });
  }

  /* ---- sidebar: the core details panel, then one section per part with sidebarPanel ---- */

  function safeHref(url) {
    try {
      const parsed = new URL(url, location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function renderDetails(pane, c) {
    let panel = pane.sidebar.querySelector(".dk-panel-details");
    if (!panel) {
      panel = el("section", { class: "dk-panel dk-panel-details", dataset: { part: "core" } });
      pane.sidebar.prepend(panel);
    }
    const rows = [];
    const row = (label, value) => rows.push(el("dt", {}, label), el("dd", {}, value));
    const v = c.visitor || {};
    row(t("Status"), STATUS_LABEL()[c.status] || c.status);
    row(t("Assignee"), c.assignee ? c.assignee.name : t("Unassigned"));
    if (c.team) row(t("Team"), c.team.name);
    row(t("Customer"), v.customer ? t("Verified customer") : t("Anonymous visitor"));
    if (v.current_url) {
      const href = safeHref(v.current_url);
      const text = v.current_title || v.current_url;
      row(t("Current page"), href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }, text) : text);
    }
    row(t("Started"), api.formatTime(c.created_at));
    if (c.snoozed_until && c.status === "snoozed") row(t("Snoozed until"), api.formatTime(c.snoozed_until));
    if (c.resolved_at && c.status === "resolved") row(t("Resolved"), api.formatTime(c.resolved_at));
    const name = Desk.pane.nameOf(c);
    panel.replaceChildren(
      el("div", { class: "dk-profile" },
        el("span", { class: "dk-avatar dk-avatar-lg", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase()),
        el("div", {}, el("div", { class: "dk-profile-name" }, name), el("div", { class: "dk-profile-sub" }, "#" + c.id))),
      el("h3", { class: "dk-panel-title" }, t("Conversation")),
      el("dl", { class: "dk-dl" }, rows)
    );
  }

  function buildSidebar(pane) {
    const c = api.conversation(pane.id);
    if (!c || pane.sidebarBuilt) return;
    pane.sidebarBuilt = true;
    renderDetails(pane, c);
    for (const part of Desk.parts) {
      if (typeof part.sidebarPanel !== "function") continue;
      const section = el("section", { class: "dk-panel", dataset: { part: part.name } });
      pane.sidebar.append(section);
      try {
        part.sidebarPanel(c, section, api);
      } catch (error) {
        console.error("desk part " + part.name + ".sidebarPanel failed", error);
      }
    }
  }

  // The sidebar waits for the conversation payload when a pane opens before it is known.
  api.on("conversation.updated", (c) => {
    const pane = Desk.pane && Desk.pane.panes.get(c.id);
    if (pane && !pane.sidebarBuilt && !pane.sidebar.hidden) buildSidebar(pane);
  });

  Desk.paneView = { renderHeader, wireActions, buildSidebar };
})();
