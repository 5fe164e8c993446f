// Pick (contract rules 7–19): the caller takes activities from queues or colleagues.
import { isPickableType } from '../activity.js';
import type { Caller } from '../caller.js';
import { notDraftResponse, typeIn } from '../rules/activity-nature.js';
import {
  lastModifiedMatches,
  notHeldByCaller,
  notLockedByAssignee,
  pinnedOnlyWithUnpin,
  unpinAllowed,
  waitingOrAssigned,
} from '../rules/activity-state.js';
import {
  callerLicensed,
  inCallerDepartments,
  pullFromAssignee,
  pullFromQueue,
} from '../rules/caller-scope.js';
import type { Operation } from '../rules/engine.js';
import { nextLastModifiedMs, sourceOf, type ActivitySource } from './effects.js';

export interface PickContext {
  readonly caller: Caller;
  readonly unpin: boolean;
}

export interface PickChange {
  readonly activityId: string;
  readonly from: ActivitySource;
  readonly unpinned: boolean;
  readonly previousLastModifiedMs: number;
}

/** The store writes: assigned:new to `userId`, queue and department unchanged, pin and lock cleared. */
export interface PickPlan {
  readonly userId: string;
  readonly changes: readonly PickChange[];
  readonly lastModifiedMs: number;
}

export const PICK: Operation<PickContext, PickPlan> = {
  name: 'pick',
  rules: [
    ['8', inCallerDepartments],
    ['9', notDraftResponse],
    ['10', typeIn(isPickableType)],
    ['11', notHeldByCaller],
    ['12', waitingOrAssigned],
    ['13', callerLicensed],
    ['14', pullFromQueue],
    ['15', pullFromAssignee],
    ['16', notLockedByAssignee],
    ['17', pinnedOnlyWithUnpin],
    ['18', unpinAllowed],
    ['19', lastModifiedMatches],
  ],
  effect: (subjects, { caller }, nowMs) => ({
    userId: caller.userId,
    changes: subjects.map(({ activity }) => ({
      activityId: activity.id,
      from: sourceOf(activity),
      unpinned: activity.status === 'assigned' && activity.pinned,
      previousLastModifiedMs: activity.lastModifiedMs,
    })),
    lastModifiedMs: nextLastModifiedMs(subjects, nowMs),
  }),
};
