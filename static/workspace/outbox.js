// @ts-check
/**
 * The agent's messages not yet acknowledged, across all panes: re-sent after a reconnect.
 * (In memory: a reload shows what the server stored, and unsent drafts are the agent's.)
 */
import { Outbox } from "../shared/outbox.js";

export const outbox = new Outbox();
