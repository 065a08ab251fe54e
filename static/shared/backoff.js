// @ts-check
/**
 * Reconnect delays: exponential backoff with "equal jitter" (half the ceiling fixed, half
 * random), so a desk full of clients that lost the server at the same moment does not come
 * back in one burst, yet no client waits less than half its ceiling.
 */

/**
 * @typedef {object} BackoffOptions
 * @property {number} [baseMs] ceiling of the first retry is 2 × baseMs
 * @property {number} [maxMs] the ceiling never grows past this
 * @property {() => number} [random] a number in [0, 1); Math.random by default
 */

/**
 * The delay before retry number `attempt` (1 for the first retry).
 * @param {number} attempt
 * @param {BackoffOptions} [options]
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, options = {}) {
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30000;
  const random = options.random ?? Math.random;
  // The exponent is capped so 2 ** n cannot overflow into Infinity after days offline.
  const exponent = Math.min(Math.max(attempt, 1), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Counts failed attempts; `next()` gives the delay before the next one. */
export class Backoff {
  /** @param {BackoffOptions} [options] */
  constructor(options = {}) {
    this.options = options;
    this.attempts = 0;
  }

  /** @returns {number} milliseconds to wait before the next attempt */
  next() {
    this.attempts += 1;
    return backoffDelay(this.attempts, this.options);
  }

  /** A success: the next failure starts from the shortest delay again. */
  reset() {
    this.attempts = 0;
  }
}
