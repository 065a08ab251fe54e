// @ts-check
/** The `api` object every part gets (docs/frontend.md, "The api object"). */

import { el, svgIcon } from "../../shared/dom.js";
import { safeHref } from "../../shared/href.js";
import {
  baseType,
  canRecord,
  carriesFiles,
  filesFrom,
  humanDuration,
  humanSize,
  kindOf,
  pickMime,
  precheck,
  recordingName,
  startRecording,
  upload,
} from "../../shared/media.js";
import { CallSession } from "../../shared/call-session.js";
import { CallPeer, mediaConstraints, stopStream } from "../../shared/rtc.js";
import { baseUrl, language, staticUrl } from "./config.js";
import { sendMessage } from "./composer.js";
import { setHeaderStatus } from "./header.js";
import { addSystemNotice, close, isOpen, open, removeNotice } from "./panel.js";
import { emit, listeners } from "./parts.js";
import { deskFetch, identify, resetVisitor } from "./session.js";
import { slots } from "./slots.js";
import { send } from "./socket.js";
import { bySeq, state } from "./state.js";
import { t } from "./strings.js";

/** @type {import("./types").WidgetApi} */
export const api = {
  baseUrl: baseUrl,
  staticUrl: staticUrl,
  language: language,
  t: t,
  el: el,
  svgIcon: (pathData) => svgIcon(pathData),
  safeHref: safeHref,
  media: {
    humanSize,
    humanDuration,
    baseType,
    kindOf,
    filesFrom,
    pickMime,
    recordingName,
    precheck,
    upload,
    startRecording,
    carriesFiles,
    canRecord,
  },
  rtc: { CallPeer, CallSession, mediaConstraints, stopStream },
  slots: slots,
  visitorToken: () => state.token,
  session: () => state.session,
  conversation: () => state.conversation,
  messages: () => [...bySeq.values()].map((entry) => entry.message).sort((a, b) => a.seq - b.seq),
  send: send,
  sendMessage: sendMessage,
  fetch: deskFetch,
  addSystemNotice: addSystemNotice,
  setHeaderStatus: setHeaderStatus,
  removeNotice: removeNotice,
  open: open,
  close: close,
  isOpen: isOpen,
  on(event, fn) {
    (listeners[event] = listeners[event] || []).push(fn);
  },
  off(event, fn) {
    listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
  },
  emit(event, payload) {
    emit(event, payload);
  },
  identify: identify,
  resetVisitor: resetVisitor,
  track(name, data) {
    window.dispatchEvent(new CustomEvent("helpdesk:" + name, { detail: data }));
  },
};
