// @ts-check
/**
 * The one WebSocket client of both UIs (the shopper's widget and the agent's workspace):
 * connect, wait for the server's `ready`, keep the socket alive with `ping`, close a socket
 * that has gone silent (no frame within `pongTimeoutMs` of a ping: the browser may not notice
 * a dead TCP connection for minutes), and reconnect with backoff — at once when the browser
 * comes back `online`.
 *
 * What to do with frames, which close codes end the session and what to re-send after a
 * reconnect (the outbox, `resume`) belong to the caller, through the callbacks.
 */

import { Backoff } from "./backoff.js";

/** @typedef {"connecting" | "ready" | "closed"} SocketState */

/**
 * @typedef {{type: string, [field: string]: any}} Frame
 */

/**
 * @typedef {object} SocketClientOptions
 * @property {() => string} url the socket URL (called on every connect)
 * @property {() => boolean} [canConnect] false: stay closed (e.g. no visitor token yet)
 * @property {() => (Frame | null)} [hello] a frame sent as soon as the socket opens (auth)
 * @property {(frame: Frame) => void} onFrame every frame from the server, `ready` included
 * @property {(state: SocketState) => void} [onState]
 * @property {(event: {code: number, reason?: string}) => (boolean | void)} [onClose]
 *   return false to handle the reconnect yourself (e.g. a session to renew first)
 * @property {(frame: Frame) => boolean} [queueWhileOffline] frames sent before `ready` that
 *   should go out after it, instead of being refused
 * @property {number} [pingMs]
 * @property {number} [pongTimeoutMs]
 * @property {import("./backoff.js").BackoffOptions} [backoff]
 * @property {typeof WebSocket} [WebSocketImpl] for tests
 * @property {Pick<Window, "addEventListener">} [online] where the `online` event fires
 */

/** Close code of a socket this client closed itself (silent, or replaced). */
export const CLIENT_CLOSE = 4000;

export class SocketClient {
  /** @param {SocketClientOptions} options */
  constructor(options) {
    this.options = options;
    this.pingMs = options.pingMs ?? 25000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10000;
    this.backoff = new Backoff(options.backoff);
    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {SocketState} */
    this.state = "closed";
    /** @type {Frame[]} */
    this.queue = [];
    this.stopped = true;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.reconnectTimer = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.pingTimer = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.pongTimer = null;
    const online = options.online ?? (typeof window === "undefined" ? null : window);
    if (online) online.addEventListener("online", () => this.connectSoon(0));
  }

  get ready() {
    return this.state === "ready";
  }

  /** Open the socket (and keep it open until `stop`). */
  start() {
    this.stopped = false;
    this.connect();
  }

  /**
   * `start` after `delay` ms, or sooner: a pending reconnect is moved to then (the widget
   * opens its socket only once there is something to talk about).
   * @param {number} delay
   */
  startSoon(delay) {
    this.stopped = false;
    this.connectSoon(delay);
  }

  /** Close for good: no reconnect. */
  stop() {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, "stopped");
    this.setState("closed");
  }

  connect() {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.stopped) return;
    if (this.options.canConnect && !this.options.canConnect()) return;
    const current = this.ws;
    if (current && (current.readyState === 0 || current.readyState === 1)) return;
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const ws = new Impl(this.options.url());
    this.ws = ws;
    this.setState("connecting");
    ws.onopen = () => {
      if (ws !== this.ws) return;
      const hello = this.options.hello ? this.options.hello() : null;
      if (hello) ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      // Any frame proves the socket alive, not only the pong (a long replay may delay it).
      this.clearPongTimer();
      let frame;
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (!frame || typeof frame !== "object" || typeof frame.type !== "string") return;
      if (frame.type === "ready") this.becomeReady();
      this.options.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.closed({ code: event.code, reason: event.reason }, null);
    };
  }

  /**
   * The socket is gone: tell the caller, then reconnect after `delay` (null: the backoff).
   * @private
   * @param {{code: number, reason?: string}} event
   * @param {number | null} delay
   */
  closed(event, delay) {
    this.ws = null;
    this.clearTimers();
    this.setState("closed");
    const handled = this.options.onClose ? this.options.onClose(event) : undefined;
    if (handled === false || this.stopped) return;
    this.connectSoon(delay ?? this.backoff.next());
  }

  /**
   * Stop listening to the current socket at once and close it. A dead connection's closing
   * handshake can take long, so the client does not wait for its `close` event.
   * @private
   * @param {string} reason
   * @param {number | null} delay before the reconnect (null: the backoff)
   */
  abandon(reason, delay) {
    const ws = this.ws;
    if (!ws) return false;
    this.ws = null;
    try {
      ws.close(CLIENT_CLOSE, reason);
    } catch {
      /* already closing */
    }
    this.closed({ code: CLIENT_CLOSE, reason }, delay);
    return true;
  }

  /** @param {number} delay milliseconds */
  connectSoon(delay) {
    if (this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Drop the current socket and connect again now (a new session, a new identity). */
  reconnectNow() {
    this.backoff.reset();
    if (!this.abandon("reconnect", 0)) this.connectSoon(0);
  }

  /**
   * Lose the socket as a dead network would; the client reconnects by itself (backoff).
   * @param {string} [reason]
   */
  drop(reason = "dropped") {
    this.abandon(reason, null);
  }

  /**
   * Send a frame now. False when the socket is not ready: the frame is dropped, unless
   * `queueWhileOffline` keeps it for after the next `ready`.
   * @param {Frame} frame
   * @returns {boolean}
   */
  send(frame) {
    const ws = this.ws;
    if (ws && this.state === "ready" && ws.readyState === 1) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    if (this.options.queueWhileOffline && this.options.queueWhileOffline(frame)) {
      this.queue.push(frame);
    }
    return false;
  }

  /** @private */
  becomeReady() {
    this.backoff.reset();
    this.setState("ready");
    for (const frame of this.queue.splice(0)) this.send(frame);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(), this.pingMs);
  }

  /** @private */
  ping() {
    if (!this.send({ type: "ping" })) return;
    if (this.pongTimer) return; // the previous ping is still waiting for its deadline
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      // Silent: the server (or the path to it) is gone even if the browser has not noticed.
      this.drop("pong timeout");
    }, this.pongTimeoutMs);
  }

  /** @private */
  clearPongTimer() {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  /** @private */
  clearTimers() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.clearPongTimer();
  }

  /**
   * @private
   * @param {SocketState} state
   */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    if (this.options.onState) this.options.onState(state);
  }
}
