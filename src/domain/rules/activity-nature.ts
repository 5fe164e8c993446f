// Rules about what an activity is: a draft, its type, its direction. They ignore the caller.
import type { Activity } from '../activity.js';
import { perActivity, type Rule } from './engine.js';

/** Pick 9, T2, complete: draft responses move and finish with their email, never alone (400-301). */
export const notDraftResponse: Rule<unknown> = perActivity(
  'not a draft response',
  'DraftResponse',
  (a) => a.isDraftResponse,
);

/** Pick 10, T3, complete: the operation's types only (400-302). */
export function typeIn(allowed: (type: string) => boolean): Rule<unknown> {
  return perActivity('type allowed', 'TypeNotPickable', (a) => !allowed(a.type));
}

/**
 * "Composed" is an email the agent wrote (outbound, subtype `compose`), as opposed to a reply or
 * an auto-response; draft replies were refused by the draft rule before this one.
 */
export function isInboundOrComposed(a: Activity): boolean {
  return a.mode === 'inbound' || (a.mode === 'outbound' && a.subtype === 'compose');
}

/** T4: an email or social activity moves only if it came in or was composed (400-306). */
export const inboundOrComposed: Rule<unknown> = perActivity(
  'email/social inbound or composed',
  'ModeNotTransferable',
  (a) => (a.type === 'email' || a.type === 'social') && !isInboundOrComposed(a),
);
