// Complete (C1–C6): the caller finishes activities they hold; a case whose last open activity is
// finished closes, decided by the store inside the same transaction.
import { compareIds, isBuiltInType } from '../activity.js';
import { ACTION_COMPLETE, type Caller } from '../caller.js';
import { notDraftResponse, typeIn } from '../rules/activity-nature.js';
import { heldByCallingUser, lastModifiedMatches } from '../rules/activity-state.js';
import { callerLicensed, inCallerDepartments } from '../rules/caller-scope.js';
import type { Operation } from '../rules/engine.js';
import type { RuleFailure } from '../failures.js';
import { checkUserFor } from './caller-checks.js';
import { nextLastModifiedMs } from './effects.js';

export interface CompleteContext {
  readonly caller: Caller;
}

/** Rules 5–6: the manage scope, then the Complete action (403-178 naming it). */
export const checkCompleteCaller = (caller: Caller): RuleFailure | undefined =>
  checkUserFor(ACTION_COMPLETE, caller);

export interface CompleteChange {
  readonly activityId: string;
  readonly caseId: string | null;
  readonly previousLastModifiedMs: number;
}

export interface CompletePlan {
  readonly userId: string;
  /** Written on every activity: status completed:done; assignee, queue and department kept. */
  readonly write: { readonly status: 'completed'; readonly substatus: 'done' };
  readonly changes: readonly CompleteChange[];
  /**
   * The cases of these activities, distinct and in ascending id order (the order to lock them in):
   * the store closes each that has no activity left that is not completed, and answers its status.
   */
  readonly casesToSettle: readonly string[];
  readonly lastModifiedMs: number;
}

/** Complete's types: email, social, call_track, task or user-defined — not chat or web. */
const isCompletableType = (type: string): boolean =>
  !isBuiltInType(type) || (type !== 'chat' && type !== 'web');

export const COMPLETE: Operation<CompleteContext, CompletePlan> = {
  name: 'complete',
  rules: [
    ['C1', inCallerDepartments],
    ['C2', heldByCallingUser],
    ['C3', typeIn(isCompletableType)],
    ['C4', notDraftResponse],
    ['C5', callerLicensed],
    ['C6', lastModifiedMatches],
  ],
  effect: (subjects, { caller }, nowMs) => {
    const caseIds = subjects.flatMap((s) => (s.activity.caseId ? [s.activity.caseId] : []));
    return {
      userId: caller.userId,
      write: { status: 'completed', substatus: 'done' },
      changes: subjects.map(({ activity }) => ({
        activityId: activity.id,
        caseId: activity.caseId ?? null,
        previousLastModifiedMs: activity.lastModifiedMs,
      })),
      casesToSettle: [...new Set(caseIds)].sort(compareIds),
      lastModifiedMs: nextLastModifiedMs(subjects, nowMs),
    };
  },
};
