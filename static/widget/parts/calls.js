// @ts-check
/*
 * Calls part of the storefront widget (docs/calls.md): the agent's voice or video call rings
 * here with Accept / Decline; the shopper may also ask for a call from the composer. The call
 * itself (state, timer, mute, camera, the peer connection and its frames) is
 * static/shared/call-session.js's `CallSession`, shared with the workspace and given here as
 * `api.rtc`; this part builds the box in the widget's markup and words, and handles the ring
 * and the busy answer. The box sits above the messages: the other side's video, the
 * shopper's own, a status and timer, and mute / camera / hang-up (in a voice call, the camera
 * button turns video on: a new offer / answer).
 *
 * The box's `data-state` is `ringing`, `calling`, `connecting`, `connected` or `ended`; the
 * panel's `data-call` mirrors it (kept after the box closes, for scripts that watch the
 * chat), and the box's `data-bytes-sent` / `data-bytes-received` follow getStats once a second.
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  /** @typedef {import("../core/types").WidgetApi} WidgetApi */
  /** @typedef {import("../core/types").Frame} Frame */
  /** @typedef {import("../../shared/call-session.js").CallSession} CallSession */
  /** @typedef {import("../../shared/types").CallView} CallView */

  /** @type {CallSession | null} */
  let session = null;

  /**
   * The widget's call box, not yet in the page: `build` for the session.
   * @param {WidgetApi} api
   * @param {string} media
   * @returns {CallView}
   */
  function build(api, media) {
    const el = api.el;
    const remote = el("video", { class: "hdv-remote", "data-testid": "hd-call-remote", autoplay: true, playsinline: true });
    const local = el("video", { class: "hdv-local", "data-testid": "hd-call-local", autoplay: true, playsinline: true, muted: true });
    const status = el("div", { class: "hdv-status", "data-testid": "hd-call-status", role: "status", "aria-live": "polite" });
    const timer = el("span", { class: "hdv-timer", "data-testid": "hd-call-timer" });
    const mute = el("button", { type: "button", class: "hdv-btn", "data-testid": "hd-call-mute" });
    const camera = el("button", { type: "button", class: "hdv-btn", "data-testid": "hd-call-camera" });
    const hangup = el("button", { type: "button", class: "hdv-btn hdv-hangup", "data-testid": "hd-call-hangup" }, api.t("calls.hangup"));
    const controls = el("div", { class: "hdv-controls" }, timer, mute, camera, hangup);
    const accept = el("button", { type: "button", class: "hdv-btn hdv-accept", "data-testid": "hd-call-accept" }, api.t("calls.accept"));
    const decline = el("button", { type: "button", class: "hdv-btn hdv-hangup", "data-testid": "hd-call-decline" }, api.t("calls.decline"));
    const ringButtons = el("div", { class: "hdv-controls" }, accept, decline);
    const mediaBox = el("div", { class: "hdv-media" }, remote, local);
    const box = el("div", { class: "hdv-box", "data-testid": "hd-call", "data-media": media }, mediaBox, status, ringButtons, controls);
    api.slots.panel.insertBefore(box, api.slots.messages);
    return { box, media: mediaBox, status, timer, remote, local, controls, ringButtons, mute, camera, hangup, accept, decline };
  }

  /**
   * @param {WidgetApi} api
   * @returns {CallSession}
   */
  function sessionFor(api) {
    if (!session) {
      session = new api.rtc.CallSession({
        side: "visitor",
        send: (frame) => api.send(frame),
        word: (key) => api.t("calls." + key),
        duration: (seconds) => api.media.humanDuration(seconds),
        build: (info) => build(api, info.media),
        mediaError: () => api.addSystemNotice(api.t("calls.no_media"), { id: "call", timeout: 8000 }),
        onState: (state) => {
          api.slots.panel.dataset.call = state;
        },
      });
    }
    return session;
  }

  /**
   * The shopper asks for a call from the composer.
   * @param {WidgetApi} api
   * @param {string} media
   */
  function askForCall(api, media) {
    const conversation = api.conversation();
    if (!conversation) return;
    sessionFor(api)
      .place({ conversation: conversation.id, media })
      .catch((error) => console.error("call", error));
  }

  /**
   * @param {Frame} frame
   * @param {WidgetApi} api
   */
  function onFrame(frame, api) {
    const calls = sessionFor(api);
    const info = frame.call && typeof frame.call === "object" ? frame.call : null;
    if (frame.type === "call.ring") {
      if (!info) return;
      const name = (info.agent && info.agent.name) || "";
      const text = api.t(info.media === "video" ? "calls.incoming_video" : "calls.incoming_audio", { name });
      if (calls.ring(info, text)) api.open();
      return;
    }
    if (frame.type === "call.busy") {
      calls.giveUp();
      api.addSystemNotice(String(frame.detail || ""), { id: "call", timeout: 10000 });
      return;
    }
    calls.onFrame(frame);
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "calls",
    styles:
      ".hdv-box{display:flex;flex-direction:column;gap:6px;padding:8px;border-bottom:1px solid #eee;background:#111827;color:#fff}" +
      ".hdv-media{position:relative;height:180px;background:#000;border-radius:8px;overflow:hidden}" +
      ".hdv-media[hidden]{display:none}" +
      ".hdv-remote{width:100%;height:100%;object-fit:cover}" +
      ".hdv-local{position:absolute;right:6px;bottom:6px;width:72px;height:54px;object-fit:cover;border:1px solid #fff;border-radius:4px;background:#333}" +
      ".hdv-status{font-size:13px}" +
      ".hdv-controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap}" +
      ".hdv-timer{font-variant-numeric:tabular-nums;margin-right:auto}" +
      ".hdv-btn{border:1px solid rgba(255,255,255,.5);background:transparent;color:inherit;border-radius:6px;padding:3px 10px;cursor:pointer;font:inherit}" +
      ".hdv-btn[aria-pressed=true]{background:rgba(255,255,255,.2)}" +
      ".hdv-accept{background:#16a34a;border-color:#16a34a}" +
      ".hdv-hangup{background:#dc2626;border-color:#dc2626}" +
      ".hdv-box[data-state=ended] .hdv-media{display:none}",
    composerButtons: [
      { id: "call-video", label: "calls.ask_video", icon: "📹", onClick: (api) => askForCall(api, "video") },
      { id: "call-audio", label: "calls.ask_audio", icon: "📞", onClick: (api) => askForCall(api, "audio") },
    ],
    onFrame,
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
