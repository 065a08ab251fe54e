/* Media in the agent workspace: attach (button, drag and drop onto a pane, paste), upload with
 * progress and cancel, voice clips and short videos (MediaRecorder), and image / audio / video /
 * file bubbles. Uploads: POST /api/v1/uploads (session + CSRF); the message carrying the upload
 * goes through message.send with its client_id. Links are same-origin, signed and short-lived;
 * an expired one is refreshed from GET /api/v1/uploads/<id> (docs/media.md). */
(function () {
  "use strict";
  const Desk = window.Desk;
  const ALIASES = {
    "audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg", "audio/x-m4a": "audio/mp4", "audio/aac": "audio/mp4",
    "application/x-zip-compressed": "application/zip", "image/jpg": "image/jpeg",
  };
  let limits = null;
  let nextLocal = null;
  const localByClientId = new Map();
  let recorder = null;

  function humanSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(bytes >= 10485760 ? 0 : 1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }

  function humanDuration(seconds) {
    const s = Math.round(seconds || 0);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function baseType(type) {
    const base = String(type || "").split(";")[0].trim().toLowerCase();
    if (ALIASES[base]) return ALIASES[base];
    if (/^text\//.test(base) && base !== "text/html") return "text/plain";
    return base;
  }

  function kindOf(type) {
    if (/^image\//.test(type) && type !== "image/svg+xml") return "image";
    if (/^audio\//.test(type)) return "audio";
    if (/^video\//.test(type)) return "video";
    return "file";
  }

  function csrf() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function loadLimits(api) {
    if (!limits) {
      try { limits = await api.fetch("/api/v1/uploads/limits"); } catch (e) { /* server checks */ }
    }
    return limits;
  }

  function precheck(api, file) {
    if (!limits) return null;
    const type = baseType(file.type);
    const kind = kindOf(type);
    const max = limits.max_bytes[kind] || limits.max_bytes.file;
    if (file.size > max) {
      return api.interpolate(api.t("%(name)s is too large (at most %(limit)s)."), { name: file.name, limit: humanSize(max) }, true);
    }
    if (type && !limits.allowed_types.includes(type)) {
      return api.interpolate(api.t("Files of this type cannot be sent: %(name)s"), { name: file.name }, true);
    }
    return null;
  }

  function upload(api, file, composer) {
    return new Promise((resolve, reject) => {
      const el = api.el;
      const xhr = new XMLHttpRequest();
      const name = file.name || "file";
      const bar = el("progress", { max: "100", value: "0" });
      const percent = el("span", { class: "dkm-percent" }, "0%");
      const row = el("div", { class: "dkm-progress", dataset: { testid: "upload-progress" } },
        el("span", { class: "dkm-progress-name" }, api.interpolate(api.t("Uploading %(name)s…"), { name: name }, true)),
        bar, percent,
        el("button", { type: "button", class: "dk-linkbtn dkm-cancel", onclick: () => xhr.abort() }, api.t("Cancel")));
      const host = composer.pane.root.querySelector(".dk-composer");
      host.insertBefore(row, host.firstChild);
      xhr.upload.onprogress = (event) => {
        if (!event.lengthComputable) return;
        const value = Math.floor((event.loaded / event.total) * 100);
        bar.value = value;
        percent.textContent = value + "%";
      };
      const finish = () => row.remove();
      xhr.onload = () => {
        finish();
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status === 201 && data) resolve(data);
        else reject(new Error((data && data.detail) || "HTTP " + xhr.status));
      };
      xhr.onerror = () => { finish(); reject(new Error(api.t("Network error"))); };
      xhr.onabort = () => { finish(); reject(null); };
      const form = new FormData();
      form.append("file", file, name);
      xhr.open("POST", "/api/v1/uploads");
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.send(form);
    });
  }

  async function sendFiles(api, composer, files) {
    await loadLimits(api);
    for (const file of files) {
      const problem = precheck(api, file);
      if (problem) { api.toast(problem, "error"); continue; }
      try {
        const attachment = await upload(api, file, composer);
        nextLocal = {
          url: attachment.kind === "image" ? URL.createObjectURL(file) : null,
          name: attachment.name, size: attachment.size,
        };
        const clientId = api.sendMessage(composer.conversationId, "", {
          private: composer.isPrivate(),
          extra: { attachment: attachment.id, kind: attachment.kind },
        });
        localByClientId.set(clientId, nextLocal);
        nextLocal = null;
      } catch (error) {
        if (error) api.toast(api.interpolate(api.t("The upload failed: %(detail)s"), { detail: error.message }, true), "error");
      }
    }
  }

  /* Links expire; ask for fresh ones when a link is old or the browser got a 403. */
  async function fresh(api, attachment) {
    const data = await api.fetch("/api/v1/uploads/" + attachment.id);
    Object.assign(attachment, data);
    return attachment;
  }

  function stale(attachment) {
    return Date.parse(attachment.expires_at || 0) < Date.now() + 5000;
  }

  function render(api, m, extra) {
    const el = api.el;
    const a = m.attachment;
    if (a.kind === "image") {
      const thumb = a.thumbnail || {};
      const img = el("img", {
        class: "dkm-thumb", alt: a.name, src: (a.thumbnail || a).url, loading: "lazy",
        width: thumb.width || null, height: thumb.height || null, dataset: { testid: "media-image" },
      });
      img.addEventListener("error", async () => {
        if (img.dataset.retried) return;
        img.dataset.retried = "1";
        try { img.src = (await fresh(api, a)).thumbnail.url; } catch (e) { /* stays broken */ }
      }, { once: false });
      extra.append(el("a", {
        href: a.url, target: "_blank", rel: "noopener noreferrer", title: api.t("Open full size"),
        class: "dkm-image-link",
        onclick: async (event) => {
          if (!stale(a)) return;
          event.preventDefault();
          window.open((await fresh(api, a)).url, "_blank", "noopener");
        },
      }, img));
    } else if (a.kind === "audio" || a.kind === "video") {
      const player = el(a.kind, {
        controls: true, preload: "metadata", src: a.url, class: "dkm-" + a.kind,
        dataset: { testid: "media-" + a.kind },
      });
      player.addEventListener("error", async () => {
        if (player.dataset.retried) return;
        player.dataset.retried = "1";
        try { player.src = (await fresh(api, a)).url; } catch (e) { /* stays broken */ }
      });
      extra.append(player);
      if (a.duration) extra.append(el("span", { class: "dkm-meta" }, humanDuration(a.duration)));
    } else {
      extra.append(el("a", {
        href: a.url, download: a.name, class: "dkm-file", dataset: { testid: "media-file" },
        onclick: async (event) => {
          if (!stale(a)) return;
          event.preventDefault();
          window.location.assign((await fresh(api, a)).url);
        },
      }, "📄 ", el("span", { class: "dkm-file-name" }, a.name), " ",
      el("span", { class: "dkm-meta" }, humanSize(a.size))));
    }
  }

  function renderMessage(m, node, api) {
    if (!["image", "file", "audio", "video"].includes(m.kind)) return;
    const extra = node.querySelector(".dk-msg-extra");
    const body = node.querySelector(".dk-msg-body");
    if (!extra || !body) return;
    if (m.attachment && typeof m.attachment === "object") {
      body.textContent = m.body || "";
      render(api, m, extra);
      node.classList.remove("dk-msg-unrendered");
      return;
    }
    if (m.seq === null) {
      const info = localByClientId.get(m.client_id) || nextLocal;
      if (!info) return;
      body.textContent = m.body || "";
      if (info.url) extra.append(api.el("img", { class: "dkm-thumb dkm-local", src: info.url, alt: info.name }));
      else extra.append(api.el("span", { class: "dkm-file" }, "📄 ", info.name, " ", humanSize(info.size)));
      node.classList.remove("dk-msg-unrendered");
    }
  }

  function pickMime(video) {
    const options = video
      ? ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"]
      : ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return "";
    return options.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  }

  async function toggleRecording(api, composer, video) {
    if (recorder) { recorder.stop(); return; }
    await loadLimits(api);
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(video ? { audio: true, video: { width: 640 } } : { audio: true });
    } catch (e) {
      api.toast(api.t(video ? "The camera is not available." : "The microphone is not available."), "error");
      return;
    }
    const el = api.el;
    const mime = pickMime(video);
    const chunks = [];
    const rec = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    recorder = rec;
    const kind = video ? "video" : "audio";
    const maxSeconds = (limits && limits.max_seconds[kind]) || (video ? 60 : 120);
    const started = Date.now();
    let cancelled = false;
    const label = el("span", {}, "0 s");
    const preview = video ? el("video", { class: "dkm-preview", autoplay: true, playsinline: true }) : null;
    if (preview) { preview.muted = true; preview.srcObject = stream; }
    const row = el("div", { class: "dkm-recording" }, preview,
      el("span", { class: "dkm-rec-dot", "aria-hidden": "true" }), api.t("Recording…"), " ", label,
      el("button", { type: "button", class: "dk-linkbtn", onclick: () => rec.stop() }, api.t("Stop and send")),
      el("button", { type: "button", class: "dk-linkbtn", onclick: () => { cancelled = true; rec.stop(); } }, api.t("Cancel")));
    const host = composer.pane.root.querySelector(".dk-composer");
    host.insertBefore(row, host.firstChild);
    const timer = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      label.textContent = seconds + " s";
      if (seconds >= maxSeconds && rec.state === "recording") rec.stop();
    }, 250);
    rec.ondataavailable = (event) => { if (event.data && event.data.size) chunks.push(event.data); };
    rec.onstop = () => {
      clearInterval(timer);
      stream.getTracks().forEach((track) => track.stop());
      row.remove();
      recorder = null;
      if (cancelled || !chunks.length) return;
      const type = baseType(rec.mimeType || mime || (video ? "video/webm" : "audio/webm"));
      const extension = /mp4/.test(type) ? (video ? ".mp4" : ".m4a") : /ogg/.test(type) ? ".ogg" : ".webm";
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
      sendFiles(api, composer, [new File(chunks, (video ? "video-" : "voice-") + stamp + extension, { type })]);
    };
    rec.start(1000);
  }

  function filesFrom(transfer) {
    if (!transfer) return [];
    const files = Array.from(transfer.files || []);
    if (files.length) return files;
    return Array.from(transfer.items || []).filter((i) => i.kind === "file").map((i) => i.getAsFile()).filter(Boolean);
  }

  function composerTools(tools, composer, api) {
    const el = api.el;
    const input = el("input", { type: "file", multiple: true, hidden: true, dataset: { testid: "media-input" } });
    input.addEventListener("change", () => {
      const files = Array.from(input.files || []);
      input.value = "";
      if (files.length) sendFiles(api, composer, files);
    });
    const button = (label, icon, testid, onclick) =>
      el("button", { type: "button", class: "dk-btn dk-btn-ghost dkm-tool", title: label, "aria-label": label, dataset: { testid }, onclick }, icon);
    tools.append(input, button(api.t("Attach a file"), "📎", "media-attach", () => input.click()));
    if (typeof window.MediaRecorder === "function" && navigator.mediaDevices) {
      tools.append(
        button(api.t("Record a voice clip"), "🎤", "media-voice", () => toggleRecording(api, composer, false)),
        button(api.t("Send a short video"), "🎥", "media-video", () => toggleRecording(api, composer, true)));
    }
    const root = composer.pane.root;
    root.addEventListener("dragover", (event) => {
      if (!event.dataTransfer || !Array.from(event.dataTransfer.types || []).includes("Files")) return;
      event.preventDefault();
      root.classList.add("dkm-dropping");
    });
    root.addEventListener("dragleave", (event) => { if (event.target === root) root.classList.remove("dkm-dropping"); });
    root.addEventListener("drop", (event) => {
      root.classList.remove("dkm-dropping");
      const files = filesFrom(event.dataTransfer);
      if (!files.length) return;
      event.preventDefault();
      sendFiles(api, composer, files);
    });
    composer.el.addEventListener("paste", (event) => {
      const files = filesFrom(event.clipboardData);
      if (!files.length) return;
      event.preventDefault();
      sendFiles(api, composer, files);
    });
  }

  Desk.register({
    name: "media",
    onReady(api) { loadLimits(api); },
    renderMessage,
    composerTools,
  });
})();
