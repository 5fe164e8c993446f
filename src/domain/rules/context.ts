// What the shared rules need to know about who is asking. Each operation's context extends these.
import type { Caller } from '../caller.js';

/**
 * The user behind the request, or null for a client application (an integration): eGain asks no
 * actions, permissions, licences or department scope of those, so every caller rule passes for null.
 */
export interface CallerContext {
  readonly caller: Caller | null;
}

/** `?unpin=yes` was sent. */
export interface UnpinContext {
  readonly unpin: boolean;
}
