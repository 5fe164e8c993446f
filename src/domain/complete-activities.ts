// The Complete use case: rules 5–6 on the caller (scope, Complete), then C1–C6 against the rows the
// store has locked; the store writes completed:done and settles the cases in that same transaction.
import type { Activity } from './activity.js';
import type { Caller } from './caller.js';
import { fail, type Outcome } from './failures.js';
import { checkCompleteCaller, COMPLETE, type CompletePlan } from './operations/complete.js';
import type { Clock } from './pick-activities.js';
import type { PickRequest } from './pick-request.js';
import { decide } from './rules/engine.js';

/** What the answer needs besides the plan: which of the settled cases are now closed. */
export interface CompleteResult {
  readonly plan: CompletePlan;
  /** The plan's `casesToSettle` that the store closed (no activity left that is not completed). */
  readonly closedCaseIds: ReadonlySet<string>;
}

export interface CompleteStore {
  /**
   * In one transaction: read the activities with these ids locked for update (ascending id order),
   * call `decide`; when it succeeds write the plan, then lock the plan's cases (ascending id order)
   * and close each with no activity left that is not completed. Nothing is written otherwise.
   */
  completeAtomically(
    ids: readonly string[],
    decide: (found: readonly Activity[]) => Outcome<CompletePlan>,
  ): Promise<Outcome<CompleteResult>>;
}

export async function completeActivities(
  deps: { store: CompleteStore; clock: Clock },
  caller: Caller,
  request: Pick<PickRequest, 'items'>,
): Promise<Outcome<CompleteResult>> {
  const callerFailure = checkCompleteCaller(caller);
  if (callerFailure) return fail(callerFailure);
  const ids = request.items.map((item) => item.id);
  return deps.store.completeAtomically(ids, (found) =>
    decide(COMPLETE, request.items, found, { caller }, deps.clock.nowMs()),
  );
}
