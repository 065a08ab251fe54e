// @ts-check
/* Media in the agent workspace: attach (button, drag and drop onto a pane, paste), upload with
 * progress and cancel, voice clips and short videos (MediaRecorder), and image / audio / video /
 * file bubbles. Uploads: POST /api/v1/uploads (session + CSRF); the message carrying the upload
 * goes through message.send with its client_id. Links are same-origin, signed and short-lived;
 * an expired one is refreshed from GET /api/v1/uploads/<id> (docs/media.md). */
import {
  UploadError,
  canRecord,
  carriesFiles,
  filesFrom,
  humanDuration,
  humanSize,
  precheck,
  startRecording,
  upload,
} from "../../shared/media.js";
import { csrfToken } from "../desk.js";

/** @typedef {import("../types").DeskApi} DeskApi */
/** @typedef {import("../types").Composer} Composer */
/** @typedef {import("../types").Message} Message */
/** @typedef {import("../../shared/media.js").Attachment} Attachment */
/** @typedef {import("../../shared/media.js").UploadLimits} UploadLimits */
/** @typedef {{url: string | null, name: string, size: number}} LocalPreview */

/** @type {UploadLimits | null} */
let limits = null;
/** @type {LocalPreview | null} the preview of the upload whose message is being created */
let nextLocal = null;
/** @type {Map<string, LocalPreview>} client_id → preview */
const localByClientId = new Map();
/** @type {import("../../shared/media.js").Recording | null} */
let recording = null;

/** @param {DeskApi} api */
async function loadLimits(api) {
  if (!limits) {
    try {
      limits = await api.fetch("/api/v1/uploads/limits");
    } catch {
      /* the server checks again */
    }
  }
  return limits;
}

/**
 * @param {DeskApi} api
 * @param {File} file
 */
function problemWith(api, file) {
  const problem = precheck(limits, file);
  if (!problem) return null;
  if (problem.code === "too_large") {
    return api.t("%(name)s is too large (at most %(limit)s).", { name: file.name, limit: humanSize(problem.limit) });
  }
  return api.t("Files of this type cannot be sent: %(name)s", { name: file.name });
}

/**
 * Upload one file with a progress row above the composer.
 * @param {DeskApi} api
 * @param {File} file
 * @param {Composer} composer
 * @returns {Promise<Attachment>}
 */
function uploadWithProgress(api, file, composer) {
  const el = api.el;
  const bar = el("progress", { max: "100", value: "0" });
  const percent = el("span", { class: "dkm-percent" }, "0%");
  const job = upload({
    url: "/api/v1/uploads",
    file,
    headers: { "X-CSRFToken": csrfToken() },
    onProgress(value) {
      bar.value = value;
      percent.textContent = value + "%";
    },
  });
  const row = el(
    "div",
    { class: "dkm-progress", dataset: { testid: "upload-progress" } },
    el("span", { class: "dkm-progress-name" }, api.t("Uploading %(name)s…", { name: file.name || "file" })),
    bar,
    percent,
    el("button", { type: "button", class: "dk-linkbtn dkm-cancel", onclick: () => job.abort() }, api.t("Cancel")),
  );
  const host = /** @type {HTMLElement} */ (composer.pane.root.querySelector(".dk-composer"));
  host.insertBefore(row, host.firstChild);
  return job.promise.finally(() => row.remove());
}

/**
 * @param {DeskApi} api
 * @param {Composer} composer
 * @param {File[]} files
 */
async function sendFiles(api, composer, files) {
  await loadLimits(api);
  for (const file of files) {
    const problem = problemWith(api, file);
    if (problem) {
      api.toast(problem, "error");
      continue;
    }
    try {
      const attachment = await uploadWithProgress(api, file, composer);
      nextLocal = {
        url: attachment.kind === "image" ? URL.createObjectURL(file) : null,
        name: attachment.name,
        size: attachment.size,
      };
      const clientId = api.sendMessage(composer.conversationId, "", {
        private: composer.isPrivate(),
        extra: { attachment: attachment.id, kind: attachment.kind },
      });
      localByClientId.set(clientId, nextLocal);
      nextLocal = null;
    } catch (error) {
      if (!error) continue; // cancelled
      const detail = error instanceof UploadError && error.reason === "network" ? api.t("Network error") : String(/** @type {Error} */ (error).message);
      api.toast(api.t("The upload failed: %(detail)s", { detail }), "error");
    }
  }
}

/**
 * Links expire: ask for fresh ones when a link is old or the browser got a 403.
 * @param {DeskApi} api
 * @param {Attachment} attachment
 */
async function fresh(api, attachment) {
  const data = await api.fetch("/api/v1/uploads/" + attachment.id);
  Object.assign(attachment, data);
  return attachment;
}

/** @param {Attachment} attachment */
function stale(attachment) {
  return Date.parse(attachment.expires_at || "0") < Date.now() + 5000;
}

/**
 * @param {DeskApi} api
 * @param {Attachment} a
 * @param {HTMLElement} extra
 */
function render(api, a, extra) {
  const el = api.el;
  if (a.kind === "image") {
    const thumb = a.thumbnail || null;
    const img = el("img", {
      class: "dkm-thumb",
      alt: a.name,
      src: (thumb || a).url,
      loading: "lazy",
      width: (thumb && thumb.width) || null,
      height: (thumb && thumb.height) || null,
      dataset: { testid: "media-image" },
    });
    img.addEventListener("error", async () => {
      if (img.dataset.retried) return;
      img.dataset.retried = "1";
      try {
        const renewed = await fresh(api, a);
        if (renewed.thumbnail) img.src = renewed.thumbnail.url;
      } catch {
        /* stays broken */
      }
    });
    extra.append(
      el(
        "a",
        {
          href: a.url,
          target: "_blank",
          rel: "noopener noreferrer",
          title: api.t("Open full size"),
          class: "dkm-image-link",
          onclick: async (/** @type {MouseEvent} */ event) => {
            if (!stale(a)) return;
            event.preventDefault();
            window.open((await fresh(api, a)).url, "_blank", "noopener");
          },
        },
        img,
      ),
    );
  } else if (a.kind === "audio" || a.kind === "video") {
    const player = el(a.kind, {
      controls: true,
      preload: "metadata",
      src: a.url,
      class: "dkm-" + a.kind,
      dataset: { testid: "media-" + a.kind },
    });
    player.addEventListener("error", async () => {
      if (player.dataset.retried) return;
      player.dataset.retried = "1";
      try {
        player.src = (await fresh(api, a)).url;
      } catch {
        /* stays broken */
      }
    });
    extra.append(player);
    if (a.duration) extra.append(el("span", { class: "dkm-meta" }, humanDuration(a.duration)));
  } else {
    extra.append(
      el(
        "a",
        {
          href: a.url,
          download: a.name,
          class: "dkm-file",
          dataset: { testid: "media-file" },
          onclick: async (/** @type {MouseEvent} */ event) => {
            if (!stale(a)) return;
            event.preventDefault();
            window.location.assign((await fresh(api, a)).url);
          },
        },
        "📄 ",
        el("span", { class: "dkm-file-name" }, a.name),
        " ",
        el("span", { class: "dkm-meta" }, humanSize(a.size)),
      ),
    );
  }
}

/**
 * @param {Message} m
 * @param {HTMLElement} node
 * @param {DeskApi} api
 */
function renderMessage(m, node, api) {
  if (!["image", "file", "audio", "video"].includes(m.kind)) return;
  const extra = /** @type {HTMLElement | null} */ (node.querySelector(".dk-msg-extra"));
  const body = node.querySelector(".dk-msg-body");
  if (!extra || !body) return;
  if (m.attachment && typeof m.attachment === "object") {
    body.textContent = m.body || "";
    render(api, m.attachment, extra);
    node.classList.remove("dk-msg-unrendered");
    return;
  }
  if (m.seq === null) {
    const info = (m.client_id && localByClientId.get(m.client_id)) || nextLocal;
    if (!info) return;
    body.textContent = m.body || "";
    if (info.url) extra.append(api.el("img", { class: "dkm-thumb dkm-local", src: info.url, alt: info.name }));
    else extra.append(api.el("span", { class: "dkm-file" }, "📄 ", info.name, " ", humanSize(info.size)));
    node.classList.remove("dk-msg-unrendered");
  }
}

/**
 * Start a recording (or stop the one running: the button toggles).
 * @param {DeskApi} api
 * @param {Composer} composer
 * @param {boolean} video
 */
async function toggleRecording(api, composer, video) {
  if (recording) {
    recording.stop();
    return;
  }
  await loadLimits(api);
  const el = api.el;
  const kind = video ? "video" : "audio";
  const label = el("span", {}, "0 s");
  /** @type {HTMLElement | null} */
  let row = null;
  try {
    recording = await startRecording({
      video,
      maxSeconds: (limits && limits.max_seconds[kind]) || (video ? 60 : 120),
      onTick: (seconds) => {
        label.textContent = seconds + " s";
      },
      onDone: (file) => {
        if (row) row.remove();
        recording = null;
        if (file) sendFiles(api, composer, [file]);
      },
    });
  } catch {
    api.toast(api.t(video ? "The camera is not available." : "The microphone is not available."), "error");
    return;
  }
  const active = recording;
  const preview = video ? el("video", { class: "dkm-preview", autoplay: true, playsinline: true }) : null;
  if (preview) {
    preview.muted = true;
    preview.srcObject = active.stream;
  }
  row = el(
    "div",
    { class: "dkm-recording" },
    preview,
    el("span", { class: "dkm-rec-dot", "aria-hidden": "true" }),
    api.t("Recording…"),
    " ",
    label,
    el("button", { type: "button", class: "dk-linkbtn", onclick: () => active.stop() }, api.t("Stop and send")),
    el("button", { type: "button", class: "dk-linkbtn", onclick: () => active.cancel() }, api.t("Cancel")),
  );
  const host = /** @type {HTMLElement} */ (composer.pane.root.querySelector(".dk-composer"));
  host.insertBefore(row, host.firstChild);
}

/**
 * @param {HTMLElement} tools
 * @param {Composer} composer
 * @param {DeskApi} api
 */
function composerTools(tools, composer, api) {
  const el = api.el;
  const input = el("input", { type: "file", multiple: true, hidden: true, dataset: { testid: "media-input" } });
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    input.value = "";
    if (files.length) sendFiles(api, composer, files);
  });
  /**
   * @param {string} label
   * @param {string} icon
   * @param {string} testid
   * @param {() => void} onclick
   */
  const button = (label, icon, testid, onclick) =>
    el(
      "button",
      { type: "button", class: "dk-btn dk-btn-ghost dkm-tool", title: label, "aria-label": label, dataset: { testid }, onclick },
      icon,
    );
  tools.append(input, button(api.t("Attach a file"), "📎", "media-attach", () => input.click()));
  if (canRecord()) {
    tools.append(
      button(api.t("Record a voice clip"), "🎤", "media-voice", () => toggleRecording(api, composer, false)),
      button(api.t("Send a short video"), "🎥", "media-video", () => toggleRecording(api, composer, true)),
    );
  }
  const root = composer.pane.root;
  root.addEventListener("dragover", (event) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    root.classList.add("dkm-dropping");
  });
  root.addEventListener("dragleave", (event) => {
    if (event.target === root) root.classList.remove("dkm-dropping");
  });
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

/** @type {import("../types").DeskPart} */
const part = {
  name: "media",
  onReady(api) {
    loadLimits(api);
  },
  renderMessage,
  composerTools,
};

export default part;
