// The Pull use case: rules 5–6 on the caller (scope, Pull Activities), then the store offers the
// candidates waiting in the caller's pull queues, locked without waiting on other pulls, and pull's
// plan takes up to maxPull of them as pick would — in that same transaction.
import type { Activity } from './activity.js';
import { ACTION_PULL, type Caller } from './caller.js';
import { fail, succeed, type Outcome } from './failures.js';
import type { PickPlan } from './operations/pick.js';
import { planPull } from './operations/pull.js';
import { checkManageScope } from './operations/caller-checks.js';
import type { Clock } from './pick-activities.js';

/** What the store offers, in its order: the first `maxPull` eligible ones are taken. */
export interface PullOffer {
  readonly maxPull: number;
  readonly candidates: readonly Activity[];
}

export interface PullStore {
  /**
   * In one transaction: read the user's maxPull and the activities waiting in the user's pull queues
   * (queue order, then oldest first), locked for update skipping rows other transactions hold; call
   * `decide`, and write the plan (as a pick's) when there is one. Nothing is written otherwise.
   */
  pullAtomically(
    caller: Caller,
    decide: (offer: PullOffer) => PickPlan | undefined,
  ): Promise<PickPlan | undefined>;
}

export async function pullActivities(
  deps: { store: PullStore; clock: Clock },
  caller: Caller,
): Promise<Outcome<PickPlan | undefined>> {
  const refused =
    checkManageScope(caller.scopes) ??
    (caller.actions.has(ACTION_PULL)
      ? undefined
      : { kind: 'ActionNotAllowed' as const, action: ACTION_PULL, ids: [] });
  if (refused) return fail(refused);
  const plan = await deps.store.pullAtomically(caller, ({ maxPull, candidates }) =>
    planPull(caller, maxPull, candidates, deps.clock.nowMs()),
  );
  return succeed(plan);
}
