// Types of the storefront widget's core: the payloads it receives (CONTRACT.md,
// docs/protocol.md) and the plugin API parts get (docs/frontend.md). Checked by `tsc`
// (jsconfig.json); never served to a browser as code.
import type { Attrs, Children } from "../../shared/dom.js";

import type { Frame, Sender } from "../../shared/types";
export type { Frame, Sender };

/** A message as the shopper's socket carries it (private notes never reach the shopper). */
export interface Message {
  conversation: number;
  seq: number;
  client_id?: string | null;
  sender: Sender;
  kind?: string;
  private?: boolean;
  body?: string;
  created_at?: string;
  [field: string]: any;
}

export interface Conversation {
  id: number;
  status?: string;
  assignee?: { id?: number; name: string } | null;
  last_seq?: number;
  receipts?: {
    agent_delivered_seq?: number;
    agent_read_seq?: number;
    visitor_read_seq?: number;
  } | null;
  [field: string]: any;
}

export interface Session {
  visitor_token: string;
  visitor: { [field: string]: any };
  conversation: Conversation | null;
  [field: string]: any;
}

export interface Identity {
  external_id: string;
  signature: string;
  name?: string;
  email?: string;
}

export interface Slots {
  root: ShadowRoot;
  host: HTMLElement;
  launcher: HTMLButtonElement;
  unread: HTMLElement;
  panel: HTMLElement;
  header: HTMLElement;
  title: HTMLElement;
  status: HTMLElement;
  avatar: HTMLElement;
  avatarIcon: HTMLElement;
  closeButton: HTMLButtonElement;
  banner: HTMLElement;
  messages: HTMLElement;
  welcome: HTMLElement;
  typing: HTMLElement;
  footer: HTMLElement;
  composer: HTMLFormElement;
  tools: HTMLElement;
  input: HTMLTextAreaElement;
  sendButton: HTMLButtonElement;
  powered: HTMLElement;
}

export interface ComposerButton {
  id?: string;
  label?: string;
  iconPath?: string;
  icon?: string;
  onClick(api: WidgetApi, event: Event): void;
}

/** A widget part (docs/frontend.md, "Adding a part"): every member but `name` is optional. */
export interface WidgetPart {
  name: string;
  kinds?: string[];
  styles?: string;
  strings?: Record<string, Record<string, string>>;
  composerButtons?: ComposerButton[];
  onReady?(api: WidgetApi): void;
  onSession?(session: Session, api: WidgetApi): void;
  onConnect?(ready: Frame, api: WidgetApi): void;
  onFrame?(frame: Frame, api: WidgetApi): void;
  renderMessage?(message: Message, body: HTMLElement, api: WidgetApi): boolean | void;
  decorateMessage?(message: Message, bubble: HTMLElement, api: WidgetApi): void;
  onOpen?(api: WidgetApi): void;
  onClose?(api: WidgetApi): void;
}

export interface WidgetApi {
  baseUrl: string;
  staticUrl: string;
  language: string;
  t(key: string, params?: Record<string, unknown>): string;
  el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Children[]): HTMLElementTagNameMap[K];
  svgIcon(pathData: string): SVGSVGElement;
  safeHref(url: unknown, base?: string): string | null;
  /** The shared media helpers (static/shared/media.js) the media part uses. */
  media: Pick<
    typeof import("../../shared/media.js"),
    | "humanSize"
    | "humanDuration"
    | "baseType"
    | "kindOf"
    | "filesFrom"
    | "pickMime"
    | "recordingName"
    | "precheck"
    | "upload"
    | "startRecording"
    | "carriesFiles"
    | "canRecord"
  >;
  /** The shared WebRTC helpers (static/shared/rtc.js) the calls part uses. */
  rtc: Pick<typeof import("../../shared/rtc.js"), "CallPeer" | "mediaConstraints" | "stopStream"> &
    Pick<typeof import("../../shared/call-session.js"), "CallSession">;
  slots: Slots;
  visitorToken(): string | null;
  session(): Session | null;
  conversation(): Conversation | null;
  messages(): Message[];
  send(frame: Frame): boolean;
  sendMessage(fields?: Record<string, unknown>): string;
  fetch(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  addSystemNotice(content: string | Node, options?: { id?: string; timeout?: number }): HTMLElement | null;
  removeNotice(id: string): void;
  /** The header's line while nobody is assigned; null restores the default. */
  setHeaderStatus(text: string | null): void;
  open(): void;
  close(): void;
  isOpen(): boolean;
  on(event: string, fn: Function): void;
  off(event: string, fn: Function): void;
  /** Tell the `api.on(event)` listeners: parts ask each other things this way. */
  emit(event: string, payload?: unknown): void;
  identify(claim: Identity | null): Promise<Session | null>;
  resetVisitor(): Promise<Session | null>;
  track(name: string, data?: unknown): void;
}

/** What the panel's controls do (panel.js `panelActions`, given by main.js). */
export interface PanelActions {
  /** Enter or the send button. */
  submit(): void;
  /** A keystroke in the input. */
  keystroke(): void;
  /** The page became visible (or hidden): a read receipt may be due. */
  read(): void;
  /** The panel was opened, before the parts hear of it. */
  opened(): void;
}

/** What the shopper's socket does with what it hears (socket.js `socketHandlers`). */
export interface SocketHandlers {
  frame(frame: Frame): void;
  state(state: "connecting" | "ready" | "closed"): void;
  /** Return false to handle the reconnect itself (a session to renew first). */
  close(event: { code: number; reason?: string }): boolean | void;
}

/** `window.HelpdeskWidget`: the core's public object, or the queue parts fill before it runs. */
export interface WidgetGlobal {
  __core?: boolean;
  version?: string;
  register?(part: WidgetPart): void;
  api?: WidgetApi;
  _q: WidgetPart[];
}

declare global {
  interface Window {
    HelpdeskWidget?: WidgetGlobal;
  }
}
