// What the three transfers share: their context, the caller check and the plan the store writes.
import type { Caller, ClientApplication } from '../caller.js';
import type { RuleFailure } from '../failures.js';
import { ACTION_PICK } from '../caller.js';
import {
  lastModifiedMatches,
  notLockedByAssignee,
  onOthersWork,
  pinnedOnlyWithUnpin,
  unpinAllowed,
} from '../rules/activity-state.js';
import { callerHasAction, callerLicensed, pullFromAssignee, pullFromQueue } from '../rules/caller-scope.js';
import type { Step, Subject } from '../rules/engine.js';
import type { TransferTarget } from '../rules/transfer-target.js';
import { checkManageScope } from './caller-checks.js';
import { nextLastModifiedMs, sourceOf, type ActivitySource, type MoveWrite } from './effects.js';

export interface TransferContext<T extends TransferTarget> {
  /** The user transferring, or null for a client application (no actions, permissions, licences). */
  readonly caller: Caller | null;
  readonly target: T;
  readonly unpin: boolean;
  /** `?reassign=yes`: accepted and recorded, it changes no rule. */
  readonly reassign: boolean;
}

/** Rule 5 only: transfer has no action of its own (T9 asks Pick Activities for others' work). */
export function checkTransferCaller(caller: Caller | ClientApplication): RuleFailure | undefined {
  return checkManageScope(caller.scopes);
}

export interface TransferChange {
  readonly activityId: string;
  readonly from: ActivitySource;
  readonly unpinned: boolean;
  readonly previousLastModifiedMs: number;
}

export interface TransferPlan {
  readonly target: { readonly kind: TransferTarget['kind']; readonly id: string };
  /** Written on every activity of the request, with pin and lock cleared. */
  readonly write: MoveWrite;
  readonly changes: readonly TransferChange[];
  /**
   * Emails whose draft responses move with them: the store gives each draft whose parent is listed
   * the same write and lastModified (drafts never move alone, T2).
   */
  readonly draftsFollow: readonly string[];
  readonly reassign: boolean;
  readonly lastModifiedMs: number;
}

/** The effect of a transfer, given what the target makes of every activity. */
export function transferPlan<T extends TransferTarget>(
  writeFor: (context: TransferContext<T>) => MoveWrite,
): (subjects: readonly Subject[], context: TransferContext<T>, nowMs: number) => TransferPlan {
  return (subjects, context, nowMs) => ({
    target: { kind: context.target.kind, id: context.target.id },
    write: writeFor(context),
    changes: subjects.map(({ activity }) => ({
      activityId: activity.id,
      from: sourceOf(activity),
      unpinned: activity.status === 'assigned' && activity.pinned,
      previousLastModifiedMs: activity.lastModifiedMs,
    })),
    draftsFollow: subjects.filter((s) => s.activity.type === 'email').map((s) => s.activity.id),
    reassign: context.reassign,
    lastModifiedMs: nextLastModifiedMs(subjects, nowMs),
  });
}

/**
 * T9–T12, the end of every transfer's rule list: activities the caller does not hold are taken from
 * someone, so pick's permissions apply to them (T9) and their assignee's lock holds (T10); then the
 * pin (T11) and the version the client saw (T12).
 */
export const TAKING_OVER: readonly Step<TransferContext<TransferTarget>>[] = [
  ['T9 Pick Activities', onOthersWork(callerHasAction(ACTION_PICK))],
  ['T9 licence', onOthersWork(callerLicensed)],
  ['T9 pull queue', onOthersWork(pullFromQueue)],
  ['T9 pull assignee', onOthersWork(pullFromAssignee)],
  ['T10', onOthersWork(notLockedByAssignee)],
  ['T11 unpin=yes', pinnedOnlyWithUnpin],
  ['T11 Unpin', unpinAllowed],
  ['T12', lastModifiedMatches],
];
