// @ts-check
/**
 * How the workspace gets an agent's attention: a generated two-tone sound (WebAudio), a
 * browser notification and a count in the tab's title while the tab is hidden, and toasts.
 */
import { el } from "../shared/dom.js";
import { api } from "./desk.js";

/** @type {AudioContext | null} */
let audio = null;
let unseen = 0;
let baseTitle = "";

function audioContext() {
  const Context = window.AudioContext || /** @type {any} */ (window).webkitAudioContext;
  return new Context();
}

export function beep() {
  try {
    audio = audio || audioContext();
    if (audio.state === "suspended") audio.resume();
    const context = audio;
    const now = context.currentTime;
    [880, 1320].forEach((freq, i) => {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      const start = now + i * 0.12;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
      osc.connect(gain).connect(context.destination);
      osc.start(start);
      osc.stop(start + 0.3);
    });
  } catch {
    /* no audio device: the visual notice still shows */
  }
}

/**
 * Sound and a browser notification, only while the tab is hidden (or `force`).
 * @param {string} title
 * @param {string} body
 * @param {{conversation?: number, force?: boolean}} [options]
 */
export function notify(title, body, options = {}) {
  if (!document.hidden && !options.force) return false;
  beep();
  unseen += 1;
  document.title = "(" + unseen + ") " + baseTitle;
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      const note = new Notification(title, { body: body || "", tag: "desk-" + (options.conversation || "x") });
      note.onclick = () => {
        window.focus();
        if (options.conversation) api.open(options.conversation);
        note.close();
      };
    } catch {
      /* some browsers only allow notifications from a service worker */
    }
  }
  return true;
}

/**
 * A transient message at the bottom of the desk.
 * @param {string} text
 * @param {"info" | "error"} [kind]
 */
export function toast(text, kind = "info") {
  const box = document.getElementById("dk-toasts");
  if (!box) return;
  const item = el("div", { class: "dk-toast dk-toast-" + kind, role: kind === "error" ? "alert" : "status" }, text);
  box.append(item);
  setTimeout(() => item.classList.add("dk-toast-out"), 4000);
  setTimeout(() => item.remove(), 4500);
}

/** The "Enable notifications" button, and the title count reset when the tab is seen. */
export function initAlerts() {
  baseTitle = document.title;
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      unseen = 0;
      document.title = baseTitle;
    }
  });
  const button = document.getElementById("dk-notify-btn");
  if (!button || !("Notification" in window)) return;
  const refresh = () => {
    button.hidden = Notification.permission !== "default";
  };
  refresh();
  // Permission may only be asked on a user gesture; any first click also unlocks audio.
  button.addEventListener("click", () => {
    Notification.requestPermission().then(refresh, refresh);
  });
  document.addEventListener(
    "click",
    () => {
      if (!audio) {
        try {
          audio = audioContext();
        } catch {
          /* none */
        }
      }
    },
    { once: true },
  );
}

Object.assign(api, { notify, beep, toast });
