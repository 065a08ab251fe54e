// @ts-check
/**
 * Attachments on both sides (docs/media.md): what kind a file is, whether the server would
 * take it, uploading it with progress, recording voice clips and short videos. The server
 * decides from the content; these checks only spare a long upload that would be refused.
 */

/** Types browsers report under another name than the server's list. */
const ALIASES = /** @type {Record<string, string>} */ ({
  "audio/x-wav": "audio/wav",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/mp3": "audio/mpeg",
  "audio/x-m4a": "audio/mp4",
  "audio/aac": "audio/mp4",
  "application/x-zip-compressed": "application/zip",
  "image/jpg": "image/jpeg",
});

/** @typedef {"image" | "audio" | "video" | "file"} MediaKind */

/**
 * @typedef {object} UploadLimits  GET /api/v1/uploads/limits
 * @property {Record<string, number>} max_bytes per kind (and `file`)
 * @property {string[]} allowed_types
 * @property {Record<string, number>} max_seconds per kind (audio, video)
 */

/**
 * @typedef {object} Attachment  an attachment as the server describes it (docs/media.md)
 * @property {number} id
 * @property {MediaKind} kind
 * @property {string} name
 * @property {number} size
 * @property {string} url
 * @property {string} [expires_at]
 * @property {number | null} [duration]
 * @property {{url: string, width?: number, height?: number} | null} [thumbnail]
 */

/** @param {number} bytes */
export function humanSize(bytes) {
  if (bytes >= 1048576) return (bytes / 1048576).toFixed(bytes >= 10485760 ? 0 : 1) + " MB";
  if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
  return bytes + " B";
}

/** @param {number | null | undefined} seconds */
export function humanDuration(seconds) {
  const s = Math.round(seconds || 0);
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

/**
 * The media type without parameters, under the server's name for it.
 * @param {string | null | undefined} type
 */
export function baseType(type) {
  const base = String(type || "").split(";")[0].trim().toLowerCase();
  if (ALIASES[base]) return ALIASES[base];
  if (/^text\//.test(base) && base !== "text/html") return "text/plain";
  return base;
}

/**
 * @param {string} type a base type
 * @returns {MediaKind}
 */
export function kindOf(type) {
  if (/^image\//.test(type) && type !== "image/svg+xml") return "image";
  if (/^audio\//.test(type)) return "audio";
  if (/^video\//.test(type)) return "video";
  return "file";
}

/**
 * Why the server would refuse this file, or null.
 * @param {UploadLimits | null} limits
 * @param {{type: string, size: number}} file
 * @returns {{code: "too_large", limit: number} | {code: "refused"} | null}
 */
export function precheck(limits, file) {
  if (!limits) return null;
  const type = baseType(file.type);
  const max = limits.max_bytes[kindOf(type)] || limits.max_bytes.file;
  if (file.size > max) return { code: "too_large", limit: max };
  if (type && !limits.allowed_types.includes(type)) return { code: "refused" };
  return null;
}

/**
 * The files of a drop or a paste.
 * @param {DataTransfer | null | undefined} transfer
 * @returns {File[]}
 */
export function filesFrom(transfer) {
  if (!transfer) return [];
  const files = Array.from(transfer.files || []);
  if (files.length) return files;
  return Array.from(transfer.items || [])
    .filter((item) => item.kind === "file")
    .map((item) => item.getAsFile())
    .filter((file) => file !== null);
}

/** @param {DataTransfer | null | undefined} transfer */
export function carriesFiles(transfer) {
  return !!transfer && Array.from(transfer.types || []).includes("Files");
}

/** Whether this browser can record (MediaRecorder and a media-devices API). */
export function canRecord() {
  return typeof window.MediaRecorder === "function" && !!navigator.mediaDevices;
}

/**
 * The first recording type this browser supports ("" lets the browser choose).
 * @param {boolean} video
 */
export function pickMime(video) {
  const options = video
    ? ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"]
    : ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return "";
  return options.find((type) => MediaRecorder.isTypeSupported(type)) || "";
}

/**
 * "voice-2026-11-21-10-01-02.webm"
 * @param {string} type
 * @param {boolean} video
 * @param {Date} [when]
 */
export function recordingName(type, video, when = new Date()) {
  const extension = /mp4/.test(type) ? (video ? ".mp4" : ".m4a") : /ogg/.test(type) ? ".ogg" : ".webm";
  const stamp = when.toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return (video ? "video-" : "voice-") + stamp + extension;
}

/**
 * @typedef {object} Recording
 * @property {MediaStream} stream for a live preview
 * @property {() => void} stop stop and deliver the file
 * @property {() => void} cancel stop and deliver nothing
 */

/**
 * Record from the microphone (and the camera for a video). Rejects when the device is not
 * available. `onDone` gets the file, or null when cancelled or empty.
 * @param {{video: boolean, maxSeconds: number, onTick: (seconds: number) => void,
 *   onDone: (file: File | null) => void}} options
 * @returns {Promise<Recording>}
 */
export async function startRecording({ video, maxSeconds, onTick, onDone }) {
  const stream = await navigator.mediaDevices.getUserMedia(
    video ? { audio: true, video: { width: 640 } } : { audio: true },
  );
  const mime = pickMime(video);
  /** @type {Blob[]} */
  const chunks = [];
  const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
  const started = Date.now();
  let cancelled = false;
  const timer = setInterval(() => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    onTick(seconds);
    if (seconds >= maxSeconds && recorder.state === "recording") recorder.stop();
  }, 250);
  recorder.ondataavailable = (event) => {
    if (event.data && event.data.size) chunks.push(event.data);
  };
  recorder.onstop = () => {
    clearInterval(timer);
    stream.getTracks().forEach((track) => track.stop());
    if (cancelled || !chunks.length) {
      onDone(null);
      return;
    }
    const type = baseType(recorder.mimeType || mime || (video ? "video/webm" : "audio/webm"));
    onDone(new File(chunks, recordingName(type, video), { type }));
  };
  recorder.start(1000);
  return {
    stream,
    stop: () => recorder.stop(),
    cancel: () => {
      cancelled = true;
      recorder.stop();
    },
  };
}

/**
 * @param {string} text
 * @returns {any}
 */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** An upload the server refused or the network lost (`detail`: the server's reason). */
export class UploadError extends Error {
  /**
   * @param {"network" | "refused"} reason
   * @param {string} detail
   */
  constructor(reason, detail) {
    super(detail);
    this.reason = reason;
  }
}

/**
 * POST a file to the uploads endpoint with progress (fetch has no upload progress). The
 * promise resolves to the stored attachment, rejects with an UploadError, or with null when
 * cancelled through `abort`.
 * @param {{url: string, file: File, headers: Record<string, string>,
 *   onProgress?: (percent: number) => void}} options
 * @returns {{promise: Promise<Attachment>, abort: () => void}}
 */
export function upload({ url, file, headers, onProgress }) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(Math.floor((event.loaded / event.total) * 100));
    };
    xhr.onload = () => {
      const data = parseJson(xhr.responseText);
      if (xhr.status === 201 && data) resolve(data);
      else reject(new UploadError("refused", (data && data.detail) || "HTTP " + xhr.status));
    };
    xhr.onerror = () => reject(new UploadError("network", "network"));
    xhr.onabort = () => reject(null);
    const form = new FormData();
    form.append("file", file, file.name || "file");
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
