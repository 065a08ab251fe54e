// @ts-check
/**
 * A fresh client-made id (a message's `client_id`: the server stores a message at most once
 * per conversation and client_id).
 * @param {string} prefix
 */
export function clientId(prefix) {
  const crypto = globalThis.crypto;
  if (crypto && typeof crypto.randomUUID === "function") return prefix + crypto.randomUUID();
  return prefix + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
}
