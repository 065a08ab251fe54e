// Types of the agent workspace: the payloads it receives (CONTRACT.md, docs/protocol.md) and
// the plugin API parts get (docs/frontend.md). Checked by `tsc` (jsconfig.json); never served
// to a browser as code.
import type { SeqCursor } from "../shared/seq.js";
import type { Receipts, ReadCursor } from "../shared/receipts.js";
import type { Attrs, Children } from "../shared/dom.js";
import type { Params } from "../shared/i18n.js";

import type { Frame, Sender } from "../shared/types";
export type { Frame, Sender };

export interface Message {
  id: number | null;
  conversation: number;
  seq: number | null;
  client_id?: string | null;
  sender: Sender;
  kind: string;
  private: boolean;
  body: string;
  attachment: any;
  card: any;
  created_at: string;
  [field: string]: any;
}

export interface Person {
  id: number;
  name: string;
}

export interface Conversation {
  id: number;
  status: string;
  assignee?: Person | null;
  team?: Person | null;
  visitor?: {
    id?: number;
    name?: string;
    /** the name is a made-up "Amber Otter" (its words are translated) */
    nickname?: boolean;
    customer?: unknown;
    current_url?: string;
    current_title?: string;
  } | null;
  last_seq?: number;
  /** rises with each published change: the newer of two payloads (docs/protocol.md) */
  version?: number;
  last_activity_at?: string | null;
  last_message?: { sender: string; preview: string } | null;
  /** staff view, when the payload carries them (docs/protocol.md) */
  labels?: { id: number; name: string; color: string }[];
  /** staff view: none | low | medium | high | urgent (docs/protocol.md) */
  priority?: string;
  /** staff view: an automation rule's mute lasts until then (docs/automation.md) */
  muted_until?: string | null;
  unread?: number;
  receipts?: { visitor_delivered_seq?: number; visitor_read_seq?: number } | null;
  created_at?: string;
  snoozed_until?: string | null;
  resolved_at?: string | null;
  [field: string]: any;
}

export interface DeskConfig {
  agent: Person;
  is_supervisor: boolean;
  can_admin: boolean;
  language: string;
  parts: string[];
  urls: {
    socket: string;
    conversations: string;
    agents: string;
    admin: string;
    login: string;
    catalog: string;
  };
}

export interface Pending {
  el: HTMLElement;
}

export interface Pane {
  id: number;
  root: HTMLElement;
  tab: HTMLElement;
  sidebar: HTMLElement;
  timeline: HTMLElement;
  /** seq → message, for the messages shown */
  messages: Map<number, Message>;
  /** client_id → the pending bubble of a message not yet acknowledged */
  pendings: Map<string, Pending>;
  cursor: SeqCursor;
  /** every seq up to this one is shown (the cursor's `last`) */
  readonly lastSeq: number;
  resuming: boolean;
  gapSeen: boolean;
  read: ReadCursor;
  receipts: Receipts;
  loaded: boolean;
  /** the conversation's last seq as the list knew it when the pane opened: a shopper message
   * past it is new, and announced even while the pane still loads its history */
  openedAtSeq: number;
  sidebarBuilt: boolean;
  headerToolsPending: boolean;
  assignKey: string | null;
  typingTimer: ReturnType<typeof setTimeout> | undefined;
  typingOut: { on: boolean; last: number; timer: ReturnType<typeof setTimeout> | undefined };
  composer: Composer;
}

export interface Composer {
  el: HTMLTextAreaElement;
  pane: Pane;
  conversationId: number;
  get(): string;
  set(text: string): void;
  insert(text: string): void;
  focus(): void;
  isPrivate(): boolean;
  setPrivate(value: boolean): void;
}

export interface FetchOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export interface ApiError extends Error {
  status?: number;
  code?: string;
  detail?: string;
  fields?: Record<string, string[]>;
}

export type Listener = (payload: any) => void;

export interface DeskApi {
  config: DeskConfig;
  me: Person;
  t(msgid: string, params?: Params): string;
  interpolate(format: string, params: Params, named?: boolean): string;
  el: typeof import("../shared/dom.js").el;
  formatTime(iso: string | null | undefined): string;
  safeHref(url: unknown): string | null;
  send(frame: Frame): boolean;
  sendMessage(conversationId: number, body: string, options?: { private?: boolean; extra?: Record<string, unknown> }): string;
  fetch(url: string, options?: FetchOptions): Promise<any>;
  conversations: Map<number, Conversation>;
  conversation(id: number | string): Conversation | undefined;
  active(): Conversation | null;
  openIds(): number[];
  open(id: number | string): Pane | null;
  close(id: number | string): void;
  pane(id?: number | string): Pane | null;
  composer(id?: number | string): Composer | null;
  notify(title: string, body: string, options?: { conversation?: number; force?: boolean }): boolean;
  beep(): void;
  toast(text: string, kind?: "info" | "error"): void;
  on(event: string, fn: Listener): void;
  off(event: string, fn: Listener): void;
  refreshList(): void;
  addListTab(tab: { id: string; label: string; params?: Record<string, string> }): void;
}

/** A workspace part: every hook optional (docs/frontend.md). */
export interface DeskPart {
  name: string;
  onReady?(api: DeskApi): void;
  onFrame?(frame: Frame, api: DeskApi): void;
  renderMessage?(message: Message, el: HTMLElement, api: DeskApi): void;
  sidebarPanel?(conversation: Conversation, el: HTMLElement, api: DeskApi): void;
  composerTools?(el: HTMLElement, composer: Composer, api: DeskApi): void;
  composerKeydown?(event: KeyboardEvent, composer: Composer, api: DeskApi): boolean | void;
  composerInput?(composer: Composer, api: DeskApi): void;
  listDecorator?(conversation: Conversation, rowEl: HTMLElement, api: DeskApi): void;
  paneHeaderTools?(conversation: Conversation, el: HTMLElement, api: DeskApi): void;
  topbarTools?(el: HTMLElement, api: DeskApi): void;
}

export type { Attrs, Children };
