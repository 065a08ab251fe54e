// @ts-check
/*
 * Media bubbles of the storefront widget (loaded with the media part, media.js, which sends
 * attachments): a stored image as a thumbnail with a full-size view, a voice clip or video
 * behind a play button, any other file as a download link.
 *
 * Attachments are fetched with the Authorization: Visitor header and shown from blob: URLs,
 * so the visitor token never appears in a URL; an expired signed link is renewed once
 * (docs/media.md).
 */
(function () {
  "use strict";
  window.HelpdeskWidget = window.HelpdeskWidget || { _q: [] };

  const EN = {
    "media.download": "Download",
    "media.open": "Open full size",
    "media.expired": "This file is no longer available.",
  };
  /** @type {Map<string, Promise<string>>} attachment id + variant -> Promise<object URL> */
  const blobs = new Map();
  /** @type {import("../core/types").WidgetApi | null} */
  let apiRef = null;

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
   * @param {string} text
   */
  function notice(api, text) {
    api.addSystemNotice(text, { id: "media-error", timeout: 8000 });
  }

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
   * A stored attachment (the shopper's own pending one is media.js's).
   * @param {import("../core/types").Message} message
   * @param {HTMLElement} body
   * @param {import("../core/types").WidgetApi} api
   */
  function renderMessage(message, body, api) {
    const attachment = message.attachment;
    if (!attachment || typeof attachment !== "object") return false;
    if (attachment.kind === "image") renderImage(api, attachment, body);
    else if (attachment.kind === "audio" || attachment.kind === "video") renderPlayable(api, attachment, body);
    else renderFile(api, attachment, body);
    if (message.body) body.append(api.el("div", { class: "hdm-caption" }, message.body));
    return true;
  }

  /** @type {import("../core/types").WidgetPart} */
  const part = {
    name: "media-bubbles",
    kinds: ["image", "file", "audio", "video"],
    strings: { en: EN },
    styles: [
      ".hdm-thumb-button{padding:0;border:0;background:none;cursor:zoom-in;display:block}",
      ".hdm-file-size{opacity:.7;font-size:.85em;white-space:nowrap}",
      ".hdm-play{border:1px solid var(--hd-border,#e4e6f0);background:var(--hd-bg,#fff);color:var(--hd-text,#1f2333);border-radius:16px;padding:4px 10px;cursor:pointer}",
      ".hdm-audio{width:220px;max-width:100%}",
      ".hdm-video{max-width:100%;border-radius:8px}",
      ".hdm-caption{margin-top:4px}",
      ".hdm-lightbox{position:absolute;inset:0;background:rgba(0,0,0,.85);display:flex;align-items:center;justify-content:center;z-index:10;cursor:zoom-out}",
      ".hdm-full{max-width:100%;max-height:100%}",
      ".hdm-gone{opacity:.7;font-style:italic}",
    ].join("\n"),
    onReady(api) {
      apiRef = api;
    },
    renderMessage: renderMessage,
  };
  if (window.HelpdeskWidget.register) window.HelpdeskWidget.register(part);
  else window.HelpdeskWidget._q.push(part);
})();
