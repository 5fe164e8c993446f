// Pull: the agent's "give me my next activities". No ids are sent, so no rule fails the request:
// the store offers candidates (locked with SKIP LOCKED, in the order of the user's pull queues,
// oldest first) and pull keeps those that pass pick's rules for a queued activity, up to maxPull.
import { isPickableType, type Activity } from '../activity.js';
import type { Caller } from '../caller.js';
import { notDraftResponse, typeIn } from '../rules/activity-nature.js';
import { waitingInQueue } from '../rules/activity-state.js';
import { callerLicensed, inCallerDepartments, pullFromQueue } from '../rules/caller-scope.js';
import { eligible, type Step } from '../rules/engine.js';
import type { PickContext, PickPlan } from './pick.js';
import { PICK } from './pick.js';

/** Pick's rules that can concern a queued activity nobody named (no lock, pin or version to check). */
export const PULL_ELIGIBILITY: readonly Step<PickContext>[] = [
  ['8', inCallerDepartments],
  ['9', notDraftResponse],
  ['10', typeIn(isPickableType)],
  ['waiting', waitingInQueue],
  ['13', callerLicensed],
  ['14', pullFromQueue],
];

/**
 * What to assign, as pick would: the first `maxPull` eligible candidates in the store's order.
 * Undefined when none is eligible (the route answers 204).
 */
export function planPull(
  caller: Caller,
  maxPull: number,
  candidates: readonly Activity[],
  nowMs: number,
): PickPlan | undefined {
  const context: PickContext = { caller, unpin: false };
  const subjects = candidates.map((activity) => ({
    activity,
    clientLastModifiedMs: activity.lastModifiedMs,
  }));
  const taken = eligible(PULL_ELIGIBILITY, subjects, context).slice(0, maxPull);
  return taken.length === 0 ? undefined : PICK.effect(taken, context, nowMs);
}
