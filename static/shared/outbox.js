// @ts-check
/**
 * The outbox of messages sent but not yet acknowledged (CONTRACT.md `message.send`): each
 * carries a client-made `client_id`, so sending it again after a reconnect (or a reload, when
 * the outbox is persisted) stores it at most once on the server. An entry leaves the outbox
 * when its ack (or the stored message) arrives, or when the server refuses it for good.
 */

/**
 * @typedef {{client_id: string, [field: string]: unknown}} OutboxItem
 * The fields of a `message.send` frame without its `type`.
 */

/**
 * @typedef {object} OutboxStore
 * @property {() => unknown} load
 * @property {(items: OutboxItem[]) => void} save
 */

/** @returns {OutboxStore} an outbox that lives as long as the page */
export function memoryStore() {
  return { load: () => [], save: () => {} };
}

/**
 * An outbox kept in `localStorage` under `key`, so unsent messages survive a reload. A
 * storage that refuses (private mode, quota) degrades to memory only.
 * @param {string} key
 * @param {Pick<Storage, "getItem" | "setItem" | "removeItem">} [storage]
 * @returns {OutboxStore}
 */
export function localStore(key, storage) {
  return {
    load() {
      try {
        const target = storage || window.localStorage;
        return JSON.parse(target.getItem(key) || "[]");
      } catch {
        return [];
      }
    },
    save(items) {
      try {
        const target = storage || window.localStorage;
        if (items.length) target.setItem(key, JSON.stringify(items));
        else target.removeItem(key);
      } catch {
        /* private mode: memory only */
      }
    },
  };
}

export class Outbox {
  /** @param {OutboxStore} [store] */
  constructor(store = memoryStore()) {
    this.store = store;
    const loaded = store.load();
    /** @type {OutboxItem[]} in the order they were sent */
    this.items = Array.isArray(loaded)
      ? loaded.filter((item) => item && typeof item.client_id === "string")
      : [];
  }

  /** @param {OutboxItem} item */
  add(item) {
    if (this.has(item.client_id)) return;
    this.items.push(item);
    this.store.save(this.items);
  }

  /** @param {string | null | undefined} clientId */
  has(clientId) {
    return !!clientId && this.items.some((item) => item.client_id === clientId);
  }

  /**
   * @param {string | null | undefined} clientId
   * @returns {OutboxItem | undefined}
   */
  get(clientId) {
    return this.items.find((item) => item.client_id === clientId);
  }

  /**
   * The entry was acknowledged (or refused for good): it is never sent again.
   * @param {string | null | undefined} clientId
   * @returns {boolean} whether it was waiting
   */
  remove(clientId) {
    const before = this.items.length;
    this.items = this.items.filter((item) => item.client_id !== clientId);
    if (this.items.length === before) return false;
    this.store.save(this.items);
    return true;
  }

  clear() {
    this.items = [];
    this.store.save(this.items);
  }

  get size() {
    return this.items.length;
  }

  /**
   * The `message.send` frame of an entry. `conversation` fills a missing conversation (the
   * shopper's first message opens one; later messages go to the current one).
   * @param {OutboxItem} item
   * @param {number | null} [conversation]
   * @returns {{type: "message.send", client_id: string, [field: string]: unknown}}
   */
  static frame(item, conversation) {
    /** @type {{type: "message.send", client_id: string, [field: string]: unknown}} */
    const frame = { ...item, type: "message.send" };
    if (conversation && !frame.conversation) frame.conversation = conversation;
    return frame;
  }

  /**
   * Send every waiting entry again, oldest first (after a reconnect, or when the server asked
   * to slow down). Returns how many went out.
   * @param {(frame: {type: "message.send", client_id: string, [field: string]: unknown}) => boolean} send
   * @param {number | null} [conversation]
   */
  flush(send, conversation) {
    let sent = 0;
    for (const item of this.items) if (send(Outbox.frame(item, conversation))) sent += 1;
    return sent;
  }
}
