// @ts-check
/*
 * Media part of the storefront widget: attach (button, drag and drop, paste), upload with
 * progress and cancel, voice clips and short videos (MediaRecorder), and the image / audio /
 * video / file bubbles.
 *
 * Uploads go over HTTP (POST /api/v1/uploads with Authorization: Visitor); the message that
 * carries the upload goes through message.send with its client_id (api.sendMessage), so a
 * retry never duplicates. Attachments are fetched with the same header and shown from blob:
 * URLs, so the visitor token never appears in a URL (docs/media.md).
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
    "media.download": "Download",
    "media.open": "Open full size",
    "media.no_mic": "The microphone is not available.",
    "media.no_camera": "The camera is not available.",
    "media.drop": "Drop files to send them",
    "media.expired": "This file is no longer available.",
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
  /** @type {Map<string, Promise<string>>} attachment id + variant -> Promise<object URL> */
  const blobs = new Map();
  /** @type {MediaRecorder | null} */
  let recorder = null;

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
    if (!limits) return null;
    const type = media().baseType(file.type);
    const kind = media().kindOf(type);
    const max = limits.max_bytes[kind] || limits.max_bytes.file;
    if (file.size > max) return t("media.too_large", { name: file.name, limit: media().humanSize(max) });
    if (type && !limits.allowed_types.includes(type)) return t("media.refused", { name: file.name });
    return null;
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
   * @param {import("../core/types").WidgetApi} api
   * @param {File} file
   * @returns {Promise<import("../../shared/media.js").Attachment>}
   */
  function upload(api, file) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const name = file.name || "file";
      const label = api.el("span", { class: "hdm-progress-label" }, t("media.uploading", { name: name }));
      const bar = api.el("progress", { max: "100", value: "0" });
      const percentText = api.el("span", { class: "hdm-percent" }, "0%");
      const row = api.el(
        "div",
        { class: "hdm-progress", "data-testid": "hd-upload-progress" },
        label,
        bar,
        percentText,
        api.el("button", {
          type: "button",
          class: "hdm-cancel",
          "data-testid": "hd-upload-cancel",
          onclick: () => xhr.abort(),
        }, t("media.cancel"))
      );
      api.slots.footer.append(row);
      xhr.upload.onprogress = (event) => {
        if (!event.lengthComputable) return;
        const percent = Math.floor((event.loaded / event.total) * 100);
        bar.value = percent;
        percentText.textContent = percent + "%";
      };
      xhr.onload = () => {
        row.remove();
        let data;
        try {
          data = JSON.parse(xhr.responseText);
        } catch (e) {
          data = null;
        }
        if (xhr.status === 201 && data) resolve(data);
        else reject(new Error((data && data.detail) || "HTTP " + xhr.status));
      };
      xhr.onerror = () => {
        row.remove();
        reject(new Error("network"));
      };
      xhr.onabort = () => {
        row.remove();
        reject(null);
      };
      const form = new FormData();
      form.append("file", file, name);
      xhr.open("POST", api.baseUrl + "/api/v1/uploads");
      xhr.setRequestHeader("Authorization", "Visitor " + api.visitorToken());
      xhr.send(form);
    });
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

  // --- showing attachments ------------------------------------------------------------------

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {import("../../shared/media.js").Attachment} attachment
   * @param {"thumb" | "full"} variant
   * @returns {Promise<string>} an object URL
   */
  async function fetchBlob(api, attachment, variant) {
    const key = attachment.id + ":" + variant;
    if (!blobs.has(key)) {
      const load = (async () => {
        const pick = (/** @type {import("../../shared/media.js").Attachment} */ a) => (variant === "thumb" && a.thumbnail ? a.thumbnail.url : a.url);
        let response = await api.fetch(pick(attachment));
        if (response.status === 403) {
          // The signed link expired: ask for fresh links, then try once more.
          const fresh = await api.fetch("/api/v1/uploads/" + attachment.id);
          if (!fresh.ok) throw new Error(t("media.expired"));
          response = await api.fetch(pick(await fresh.json()));
        }
        if (!response.ok) throw new Error(t("media.expired"));
        return URL.createObjectURL(await response.blob());
      })();
      blobs.set(key, load);
      load.catch(() => blobs.delete(key));
    }
    return /** @type {Promise<string>} */ (blobs.get(key));
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {import("../../shared/media.js").Attachment} attachment
   */
  function lightbox(api, attachment) {
    const image = api.el("img", { class: "hdm-full", alt: attachment.name, "data-testid": "hd-media-full" });
    const box = api.el("div", {
      class: "hdm-lightbox",
      role: "dialog",
      "aria-label": attachment.name,
      onclick: () => box.remove(),
    }, image);
    api.slots.panel.append(box);
    fetchBlob(api, attachment, "full").then((url) => (image.src = url), () => box.remove());
  }

  /**
   * @param {string} url
   * @param {string} name
   */
  function saveAs(url, name) {
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.rel = "noopener";
    document.body.append(link);
    link.click();
    link.remove();
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {import("../../shared/media.js").Attachment} attachment
   * @param {HTMLElement} body
   */
  function renderImage(api, attachment, body) {
    const thumb = attachment.thumbnail || { url: "" };
    const image = api.el("img", {
      class: "hdm-thumb",
      alt: attachment.name,
      width: thumb.width || null,
      height: thumb.height || null,
      "data-testid": "hd-media-image",
    });
    const button = api.el("button", {
      type: "button",
      class: "hdm-thumb-button",
      title: t("media.open"),
      onclick: () => lightbox(api, attachment),
    }, image);
    body.append(button);
    fetchBlob(api, attachment, "thumb").then(
      (url) => {
        image.src = url;
        image.dataset.loaded = "1";
      },
      () => button.replaceWith(api.el("span", { class: "hdm-gone" }, t("media.expired")))
    );
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {import("../../shared/media.js").Attachment} attachment
   * @param {HTMLElement} body
   */
  function renderPlayable(api, attachment, body) {
    const tag = attachment.kind === "video" ? "video" : "audio";
    const label = (tag === "audio" ? "🎤 " : "🎬 ") + (attachment.duration ? media().humanDuration(attachment.duration) : attachment.name);
    const play = api.el("button", {
      type: "button",
      class: "hdm-play",
      "data-testid": "hd-media-" + tag,
      onclick: async () => {
        play.disabled = true;
        try {
          const url = await fetchBlob(api, attachment, "full");
          const player = api.el(tag, { controls: true, src: url, class: "hdm-" + tag, playsinline: true, "data-testid": "hd-media-player" });
          play.replaceWith(player);
          player.play().catch(() => {});
        } catch (error) {
          play.replaceWith(api.el("span", { class: "hdm-gone" }, t("media.expired")));
        }
      },
    }, "▶ " + label);
    body.append(play);
  }

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {import("../../shared/media.js").Attachment} attachment
   * @param {HTMLElement} body
   */
  function renderFile(api, attachment, body) {
    const link = api.el("a", {
      href: "#",
      class: "hdm-file",
      "data-testid": "hd-media-file",
      title: t("media.download"),
      onclick: async (/** @type {Event} */ event) => {
        event.preventDefault();
        try {
          saveAs(await fetchBlob(api, attachment, "full"), attachment.name);
        } catch (error) {
          notice(api, t("media.expired"));
        }
      },
    }, "📄 ", api.el("span", { class: "hdm-file-name" }, attachment.name), " ", api.el("span", { class: "hdm-file-size" }, media().humanSize(attachment.size)));
    body.append(link);
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
   * @param {import("../core/types").Message} message
   * @param {HTMLElement} body
   * @param {import("../core/types").WidgetApi} api
   */
  function renderMessage(message, body, api) {
    const attachment = message.attachment;
    if (!attachment || typeof attachment !== "object") {
      if (typeof message.seq === "number") return false; // no attachment any more: the text
      renderPending(api, message, body);
      return true;
    }
    if (attachment.kind === "image") renderImage(api, attachment, body);
    else if (attachment.kind === "audio" || attachment.kind === "video") renderPlayable(api, attachment, body);
    else renderFile(api, attachment, body);
    if (message.body) body.append(api.el("div", { class: "hdm-caption" }, message.body));
    return true;
  }

  // --- recording ------------------------------------------------------------------------------

  /**
   * @param {import("../core/types").WidgetApi} api
   * @param {boolean} video
   */
  async function toggleRecording(api, video) {
    if (recorder) {
      recorder.stop();
      return;
    }
    await loadLimits(api);
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(video ? { audio: true, video: { width: 640 } } : { audio: true });
    } catch (error) {
      notice(api, t(video ? "media.no_camera" : "media.no_mic"));
      return;
    }
    const mime = media().pickMime(video);
    /** @type {Blob[]} */
    const chunks = [];
    const rec = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    recorder = rec;
    const kind = video ? "video" : "audio";
    const configured = limits && limits.max_seconds[kind];
    const maxSeconds = configured || (video ? 60 : 120);
    const started = Date.now();
    const label = api.el("span", { class: "hdm-rec-label" }, t("media.recording", { seconds: 0 }));
    let cancelled = false;
    const row = api.el(
      "div",
      { class: "hdm-recording", "data-testid": "hd-recording" },
      video ? api.el("video", { class: "hdm-preview", muted: true, autoplay: true, playsinline: true }) : null,
      api.el("span", { class: "hdm-rec-dot", "aria-hidden": "true" }),
      label,
      api.el("button", { type: "button", class: "hdm-stop", onclick: () => rec.stop() }, t("media.stop")),
      api.el("button", {
        type: "button",
        class: "hdm-cancel",
        onclick: () => {
          cancelled = true;
          rec.stop();
        },
      }, t("media.cancel"))
    );
    if (video) {
      const preview = /** @type {HTMLVideoElement} */ (row.querySelector("video"));
      preview.muted = true;
      preview.srcObject = stream;
    }
    api.slots.footer.append(row);
    const timer = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      label.textContent = t("media.recording", { seconds: seconds });
      if (seconds >= maxSeconds && rec.state === "recording") rec.stop();
    }, 250);
    rec.ondataavailable = (event) => {
      if (event.data && event.data.size) chunks.push(event.data);
    };
    rec.onstop = () => {
      clearInterval(timer);
      stream.getTracks().forEach((track) => track.stop());
      row.remove();
      recorder = null;
      if (cancelled || !chunks.length) return;
      const type = media().baseType(rec.mimeType || mime || (video ? "video/webm" : "audio/webm"));
      const name = media().recordingName(type, video);
      sendFiles(api, [new File(chunks, name, { type: type })]);
    };
    rec.start(1000);
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
      if (!event.dataTransfer || !Array.from(event.dataTransfer.types || []).includes("Files")) return;
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
    const recording = typeof window.MediaRecorder === "function" && navigator.mediaDevices;
    if (!recording) {
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
      ".hdm-thumb-button{padding:0;border:0;background:none;cursor:zoom-in;display:block}",
      ".hdm-thumb{display:block;max-width:100%;height:auto;border-radius:8px;background:var(--hd-soft,#f4f5fb)}",
      ".hdm-local{opacity:.6}",
      ".hdm-file{display:inline-flex;gap:4px;align-items:baseline;color:inherit;text-decoration:underline;word-break:break-all}",
      ".hdm-file-size{opacity:.7;font-size:.85em;white-space:nowrap}",
      ".hdm-play{border:1px solid var(--hd-border,#e4e6f0);background:var(--hd-bg,#fff);color:var(--hd-text,#1f2333);border-radius:16px;padding:4px 10px;cursor:pointer}",
      ".hdm-audio{width:220px;max-width:100%}",
      ".hdm-video{max-width:100%;border-radius:8px}",
      ".hdm-caption{margin-top:4px}",
      ".hdm-progress,.hdm-recording{display:flex;gap:6px;align-items:center;padding:6px 10px;font-size:12px;border-top:1px solid var(--hd-border,#e4e6f0)}",
      ".hdm-progress progress{flex:1}",
      ".hdm-cancel,.hdm-stop{border:0;background:none;color:var(--hd-accent,#4f46e5);cursor:pointer;font:inherit}",
      ".hdm-rec-dot{width:8px;height:8px;border-radius:50%;background:var(--hd-danger,#dc2626);animation:hdm-blink 1s infinite}",
      "@keyframes hdm-blink{50%{opacity:.2}}",
      ".hdm-preview{width:96px;height:72px;object-fit:cover;border-radius:6px;background:#000}",
      ".hdm-lightbox{position:absolute;inset:0;background:rgba(0,0,0,.85);display:flex;align-items:center;justify-content:center;z-index:10;cursor:zoom-out}",
      ".hdm-full{max-width:100%;max-height:100%}",
      ".hdm-dropping{outline:3px dashed var(--hd-accent,#4f46e5);outline-offset:-6px}",
      ".hdm-gone{opacity:.7;font-style:italic}",
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
