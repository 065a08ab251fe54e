// @ts-check
/**
 * Read receipts (CONTRACT.md `receipt` / `read`): the other side's delivered and read cursors
 * only move forward, and a message's tick follows from them; this side's own read cursor is
 * sent only when it moves.
 */

/** @typedef {"sent" | "delivered" | "read"} TickState */

/** What the other side has received and read, as two cursors that never go back. */
export class Receipts {
  constructor() {
    this.delivered = 0;
    this.read = 0;
  }

  /**
   * Take a `receipt` frame's cursors (or a conversation payload's); a stale or reordered one
   * never moves a cursor back.
   * @param {number | null | undefined} delivered
   * @param {number | null | undefined} read
   * @returns {boolean} whether anything moved
   */
  merge(delivered, read) {
    const nextDelivered = Math.max(this.delivered, delivered || 0);
    const nextRead = Math.max(this.read, read || 0);
    const moved = nextDelivered !== this.delivered || nextRead !== this.read;
    this.delivered = nextDelivered;
    this.read = nextRead;
    return moved;
  }

  /**
   * The tick of this side's own stored message `seq`.
   * @param {number} seq
   * @returns {TickState}
   */
  stateOf(seq) {
    if (seq <= this.read) return "read";
    if (seq <= this.delivered) return "delivered";
    return "sent";
  }

  reset() {
    this.delivered = 0;
    this.read = 0;
  }
}

/** This side's read cursor: a `read` frame goes out only when it would move the cursor. */
export class ReadCursor {
  /** @param {number} [sent] */
  constructor(sent = 0) {
    this.sent = sent;
  }

  /**
   * @param {number} seq the highest seq this side has now seen
   * @returns {boolean} a `read` frame for `seq` is due
   */
  due(seq) {
    return seq > this.sent;
  }

  /**
   * The `read` frame for `seq` went out (or the server already knew it).
   * @param {number} seq
   */
  mark(seq) {
    if (seq > this.sent) this.sent = seq;
  }

  reset(sent = 0) {
    this.sent = sent;
  }
}
