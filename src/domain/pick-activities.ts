// The Pick activities use case: rules 5–6 on the caller, then rules 7–19 against the rows the store
// has locked, and the store writes the plan in that same transaction — all or nothing.
import type { Activity } from './activity.js';
import type { Caller } from './caller.js';
import { fail, type Outcome } from './failures.js';
import type { PickRequest } from './pick-request.js';
import { checkCaller, planPick, type PickPlan } from './pick-rules.js';

export interface Clock {
  nowMs(): number;
}

export interface PickStore {
  /**
   * In one transaction: read the activities with these ids (locked for update, in ascending id order),
   * call `decide` with the rows found, and write the plan when it succeeds. Nothing is written otherwise.
   */
  pickAtomically(
    ids: readonly string[],
    decide: (found: readonly Activity[]) => Outcome<PickPlan>,
  ): Promise<Outcome<PickPlan>>;
}

export async function pickActivities(
  deps: { store: PickStore; clock: Clock },
  caller: Caller,
  request: PickRequest,
): Promise<Outcome<PickPlan>> {
  const callerFailure = checkCaller(caller);
  if (callerFailure) return fail(callerFailure);
  const ids = request.items.map((item) => item.id);
  return deps.store.pickAtomically(ids, (found) => planPick(caller, request, found, deps.clock.nowMs()));
}
