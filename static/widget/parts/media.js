// @ts-check
/*
 * Media part of the storefront widget: attach (button, drag and drop, paste), upload with
 * progress and cancel, voice clips and short videos (the shared uploader and recorder of
 * static/shared/media.js, through api.media), and the shopper's attachment while it is sent.
 * Stored attachments are shown by media-bubbles.js, which loads with this part.
 *
 * Uploads go over HTTP (POST /api/v1/uploads with Authorization: Visitor); the message that
 * carries the upload goes through message.send with its client_id (api.sendMessage), so a
 * retry never duplicates (docs/media.md).
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  const EN = {
    "media.attach": "Attach a file",
    "media.record": "Record a voice clip",
    "media.stop": "Stop and send",
    "media.video": "Send a short video",
    "media.recording": "Recording… %(seconds)s s",
    "media.uploading": "Uploading %(name)s…",
    "media.cancel": "Cancel",
    "media.too_large": "%(name)s is too large (at most %(limit)s).",
    "media.refused": "Files of this type cannot be sent: %(name)s",
    "media.failed": "The upload failed: %(detail)s",
    "media.no_mic": "The microphone is not available.",
    "media.no_camera": "The camera is not available.",
    "media.drop": "Drop files to send them",
  };
  /** @typedef {{url: string | null, name: string, size: number, kind: string}} LocalPreview */
  /** @type {import("../../shared/media.js").UploadLimits | null} */
  let limits = null;
  /** @type {import("../core/types").WidgetApi | null} */
  let apiRef = null;
  /** @type {LocalPreview | null} preview of the upload whose message is being created */
  let nextLocal = null;
  /** @type {Map<string, LocalPreview>} client_id -> preview */
  const localByClientId = new Map();
  /** @type {import("../../shared/media.js").Recording | null} the recording running */
  let recording = null;

  /**
   * @param {string} key
   * @param {Record<string, unknown>} [params]
   */
  function t(key, params) {
    return apiRef ? apiRef.t(key, params) : key;
  }

  /** The shared media helpers (static/shared/media.js), through the core. */
  function media() {
    return /** @type {import("../core/types").WidgetApi} */ (apiRef).media;
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   */
  async function loadLimits(api) {
    if (limits) return limits;
    try {
      const response = await api.fetch("/api/v1/uploads/limits");
      if (response.ok) limits = await response.json();
    } catch (e) {
      /* the server checks again */
    }
    return limits;
  }

  // The browser's claim is only a hint: the server decides from the content. This check
  // spares the shopper a long upload that would be refused anyway.
  /**
   * @param {File} file
   * @returns {string | null} why the server would refuse it
   */
  function precheck(file) {
    const problem = media().precheck(limits, file);
    if (!problem) return null;
    if (problem.code === "too_large") return t("media.too_large", { name: file.name, limit: media().humanSize(problem.limit) });
    return t("media.refused", { name: file.name });
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {string} text
   */
  function notice(api, text) {
    api.addSystemNotice(text, { id: "media-error", timeout: 8000 });
  }

  // --- upload --------------------------------------------------------------------------------

  /**
   * Upload one file with a progress row above the composer (the shared upload: docs/media.md).
   * @param {import("../core/types").WidgetApi} api
   * @param {File} file
   * @returns {Promise<import("../../shared/media.js").Attachment>}
   */
  function upload(api, file) {
    const bar = api.el("progress", { max: "100", value: "0" });
    const percentText = api.el("span", { class: "hdm-percent" }, "0%");
    const job = media().upload({
      url: api.baseUrl + "/api/v1/uploads",
      file: file,
      headers: { Authorization: "Visitor " + api.visitorToken() },
      onProgress: (percent) => {
        bar.value = percent;
        percentText.textContent = percent + "%";
      },
    });
    const row = api.el(
      "div",
      { class: "hdm-progress", "data-testid": "hd-upload-progress" },
      api.el("span", { class: "hdm-progress-label" }, t("media.uploading", { name: file.name || "file" })),
      bar,
      percentText,
      api.el("button", {
        type: "button",
        class: "hdm-cancel",
        "data-testid": "hd-upload-cancel",
        onclick: () => job.abort(),
      }, t("media.cancel"))
    );
    api.slots.footer.append(row);
    return job.promise.finally(() => row.remove());
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   */
  async function waitForSession(api) {
    if (api.visitorToken()) return;
    await new Promise((/** @type {(value?: unknown) => void} */ resolve) => {
      const done = () => {
        api.off("session", done);
        resolve();
      };
      api.on("session", done);
    });
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {File[]} files
   */
  async function sendFiles(api, files) {
    await loadLimits(api);
    for (const file of files) {
      const problem = precheck(file);
      if (problem) {
        notice(api, problem);
        continue;
      }
      try {
        await waitForSession(api);
        const attachment = await upload(api, file);
        nextLocal = {
          url: attachment.kind === "image" ? URL.createObjectURL(file) : null,
          name: attachment.name,
          size: attachment.size,
          kind: attachment.kind,
        };
        const clientId = api.sendMessage({ body: "", kind: attachment.kind, attachment: attachment.id });
        localByClientId.set(clientId, nextLocal);
        nextLocal = null;
      } catch (error) {
        if (error) notice(api, t("media.failed", { detail: /** @type {Error} */ (error).message }));
      }
    }
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {import("../core/types").Message} message
   * @param {HTMLElement} body
   */
  function renderPending(api, message, body) {
    const info = localByClientId.get(message.client_id || "") || nextLocal;
    if (!info) {
      body.append(api.el("span", { class: "hdm-pending" }, "…"));
      return;
    }
    if (info.url) body.append(api.el("img", { class: "hdm-thumb hdm-local", src: info.url, alt: info.name }));
    else body.append(api.el("span", { class: "hdm-file" }, "📄 ", info.name, " ", media().humanSize(info.size)));
  }

  /**
   * The shopper's own attachment while it is being sent (no stored attachment yet); a stored
   * one is media-bubbles.js's.
   * @param {import("../core/types").Message} message
   * @param {HTMLElement} body
   * @param {import("../core/types").WidgetApi} api
   */
  function renderMessage(message, body, api) {
    const attachment = message.attachment;
    if (attachment && typeof attachment === "object") return false;
    if (typeof message.seq === "number") return false; // no attachment any more: the text
    renderPending(api, message, body);
    return true;
  }

  // --- recording ------------------------------------------------------------------------------

  /**
   * Start a voice clip or a short video (or stop the one running: the buttons toggle), with
   * the shared recorder (static/shared/media.js); the file goes out as an upload.
   * @param {import("../core/types").WidgetApi} api
   * @param {boolean} video
   */
  async function toggleRecording(api, video) {
    if (recording) {
      recording.stop();
      return;
    }
    await loadLimits(api);
    const kind = video ? "video" : "audio";
    const configured = limits && limits.max_seconds[kind];
    const label = api.el("span", { class: "hdm-rec-label" }, t("media.recording", { seconds: 0 }));
    /** @type {HTMLElement | null} */
    let row = null;
    try {
      recording = await media().startRecording({
        video: video,
        maxSeconds: configured || (video ? 60 : 120),
        onTick: (seconds) => {
          label.textContent = t("media.recording", { seconds: seconds });
        },
        onDone: (file) => {
          if (row) row.remove();
          recording = null;
          if (file) sendFiles(api, [file]);
        },
      });
    } catch (error) {
      notice(api, t(video ? "media.no_camera" : "media.no_mic"));
      return;
    }
    const active = recording;
    row = api.el(
      "div",
      { class: "hdm-recording", "data-testid": "hd-recording" },
      video ? api.el("video", { class: "hdm-preview", muted: true, autoplay: true, playsinline: true }) : null,
      api.el("span", { class: "hdm-rec-dot", "aria-hidden": "true" }),
      label,
      api.el("button", { type: "button", class: "hdm-stop", onclick: () => active.stop() }, t("media.stop")),
      api.el("button", { type: "button", class: "hdm-cancel", onclick: () => active.cancel() }, t("media.cancel"))
    );
    if (video) {
      const preview = /** @type {HTMLVideoElement} */ (row.querySelector("video"));
      preview.muted = true;
      preview.srcObject = active.stream;
    }
    api.slots.footer.append(row);
  }

  // --- wiring ---------------------------------------------------------------------------------

  /**
   * @param {import("../core/types").WidgetApi} api
   */
  function pickFiles(api) {
    const input = api.el("input", { type: "file", multiple: true, hidden: true, "data-testid": "hd-media-input" });
    input.addEventListener("change", () => {
      const files = Array.from(input.files || []);
      input.remove();
      if (files.length) sendFiles(api, files);
    });
    api.slots.root.append(input);
    input.click();
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   */
  function onReady(api) {
    apiRef = api;
    const panel = api.slots.panel;
    panel.addEventListener("dragover", (event) => {
      if (!media().carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      panel.classList.add("hdm-dropping");
      panel.dataset.dropHint = t("media.drop");
    });
    panel.addEventListener("dragleave", (event) => {
      if (event.target === panel) panel.classList.remove("hdm-dropping");
    });
    panel.addEventListener("drop", (event) => {
      panel.classList.remove("hdm-dropping");
      const files = media().filesFrom(event.dataTransfer);
      if (!files.length) return;
      event.preventDefault();
      sendFiles(api, files);
    });
    api.slots.input.addEventListener("paste", (event) => {
      const files = media().filesFrom(event.clipboardData);
      if (!files.length) return;
      event.preventDefault();
      sendFiles(api, files);
    });
    if (!media().canRecord()) {
      for (const id of ["voice", "video"]) {
        const button = api.slots.tools.querySelector('[data-testid="hd-tool-' + id + '"]');
        if (button) /** @type {HTMLElement} */ (button).hidden = true;
      }
    }
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "media",
    kinds: ["image", "file", "audio", "video"],
    strings: { en: EN },
    styles: [
      ".hdm-thumb{display:block;max-width:100%;height:auto;border-radius:8px;background:var(--hd-soft,#f4f5fb)}",
      ".hdm-local{opacity:.6}",
      ".hdm-file{display:inline-flex;gap:4px;align-items:baseline;color:inherit;text-decoration:underline;word-break:break-all}",
      ".hdm-progress,.hdm-recording{display:flex;gap:6px;align-items:center;padding:6px 10px;font-size:12px;border-top:1px solid var(--hd-border,#e4e6f0)}",
      ".hdm-progress progress{flex:1}",
      ".hdm-cancel,.hdm-stop{border:0;background:none;color:var(--hd-accent,#4f46e5);cursor:pointer;font:inherit}",
      ".hdm-rec-dot{width:8px;height:8px;border-radius:50%;background:var(--hd-danger,#dc2626);animation:hdm-blink 1s infinite}",
      "@keyframes hdm-blink{50%{opacity:.2}}",
      ".hdm-preview{width:96px;height:72px;object-fit:cover;border-radius:6px;background:#000}",
      ".hdm-dropping{outline:3px dashed var(--hd-accent,#4f46e5);outline-offset:-6px}",
    ].join("\n"),
    onReady: onReady,
    onSession(session, api) {
      loadLimits(api);
    },
    renderMessage: renderMessage,
    composerButtons: [
      { id: "attach", label: "media.attach", icon: "📎", onClick: (api) => pickFiles(api) },
      { id: "voice", label: "media.record", icon: "🎤", onClick: (api) => toggleRecording(api, false) },
      { id: "video", label: "media.video", icon: "🎥", onClick: (api) => toggleRecording(api, true) },
    ],
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
