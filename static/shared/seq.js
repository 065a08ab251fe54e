// @ts-check
/**
 * The client's cursor over a conversation's gap-free `seq` (CONTRACT.md): which messages it
 * holds without a hole, and whether a hole exists. The channel layer is a doorbell that may
 * drop a frame; a client that notices a gap asks the server to `resume` after `last`.
 */

/** @typedef {"duplicate" | "next" | "gap"} SeqVerdict */

export class SeqCursor {
  /** @param {number} [last] every seq up to this one is already held */
  constructor(last = 0) {
    /** Every seq ≤ last is held (or is a private note this client never gets). */
    this.last = last;
    /** @type {Set<number>} seqs held beyond `last` (they arrived before a missing one) */
    this.ahead = new Set();
  }

  /**
   * What a message with this seq would be, without recording it.
   * @param {number} seq
   * @returns {SeqVerdict}
   */
  classify(seq) {
    if (seq <= this.last || this.ahead.has(seq)) return "duplicate";
    return seq === this.last + 1 ? "next" : "gap";
  }

  /**
   * Record a held message. Returns the verdict it had before being recorded; a "gap" message
   * is kept aside until the hole before it is filled (or `settle` closes it).
   * @param {number} seq
   * @returns {SeqVerdict}
   */
  accept(seq) {
    const verdict = this.classify(seq);
    if (verdict === "next") {
      this.last = seq;
      this.absorb();
    } else if (verdict === "gap") {
      this.ahead.add(seq);
    }
    return verdict;
  }

  /**
   * The server replayed everything up to `lastSeq` (`resume.done`): what is still missing
   * below it does not exist for this client (private notes), so the hole is closed.
   * @param {number} lastSeq
   */
  settle(lastSeq) {
    if (lastSeq > this.last) this.last = lastSeq;
    for (const seq of this.ahead) if (seq <= this.last) this.ahead.delete(seq);
    this.absorb();
  }

  /** @returns {boolean} a message is held beyond a missing one */
  hasGap() {
    return this.ahead.size > 0;
  }

  /** Forget everything (another conversation). */
  reset(last = 0) {
    this.last = last;
    this.ahead.clear();
  }

  /** @private */
  absorb() {
    while (this.ahead.has(this.last + 1)) {
      this.ahead.delete(this.last + 1);
      this.last += 1;
    }
  }
}
