// Pick's entry points, kept where the route, the store and the tests import them. The rules
// themselves are declared in operations/pick.ts on the shared engine (rules/engine.ts).
import type { Activity } from './activity.js';
import { ACTION_PICK, type Caller } from './caller.js';
import type { Outcome, RuleFailure } from './failures.js';
import { checkUserFor } from './operations/caller-checks.js';
import { PICK, type PickPlan } from './operations/pick.js';
import type { PickRequest } from './pick-request.js';
import { decide, ruleOrder } from './rules/engine.js';

export type { ActivitySource as PickSource } from './operations/effects.js';
export type { PickChange, PickPlan } from './operations/pick.js';

/** Rules 5–6: decided from the caller alone, before any activity is read. */
export function checkCaller(caller: Caller): RuleFailure | undefined {
  return checkUserFor(ACTION_PICK, caller);
}

/**
 * Rules 7–19 against the activities as stored (locked) at this instant. `found` holds the rows that
 * exist among the requested ids, in any order.
 */
export function planPick(
  caller: Caller,
  request: PickRequest,
  found: readonly Activity[],
  nowMs: number,
): Outcome<PickPlan> {
  return decide(PICK, request.items, found, { caller, unpin: request.unpin }, nowMs);
}

/** The numbers of the rules in the order they are judged, for tests and documentation. */
export const ACTIVITY_RULE_ORDER: readonly number[] = ruleOrder(PICK).map(Number);
