// The Pick activities rules 5–19 of the contract, in the contract's order. Pure: no I/O, no clock.
// The first rule that fails decides; it names every offending id, in the order the client sent them.
import { isMailLikeType, isPickableType, type Activity } from './activity.js';
import {
  ACTION_PICK,
  ACTION_UNPIN,
  MAIL_LICENSES,
  SCOPE_MANAGE,
  USER_LICENSES,
  canSeeDepartment,
  hasAnyLicense,
  type Caller,
} from './caller.js';
import { fail, succeed, type IdsFailureKind, type Outcome, type RuleFailure } from './failures.js';
import type { PickRequest } from './pick-request.js';

/** Rules 5–6: decided from the caller alone, before any activity is read. */
export function checkCaller(caller: Caller): RuleFailure | undefined {
  // Rule 5 — 403-197: the token must carry the manage scope.
  if (!caller.scopes.has(SCOPE_MANAGE)) return { kind: 'MissingScope' };
  // Rule 6 — 403-178: the Pick Activities action on the Activity resource.
  if (!caller.actions.has(ACTION_PICK)) return { kind: 'ActionNotAllowed', action: ACTION_PICK, ids: [] };
  return undefined;
}

interface Candidate {
  readonly activity: Activity;
  readonly clientLastModifiedMs: number;
}

type ActivityRule = {
  readonly rule: number;
  readonly kind: IdsFailureKind;
  readonly breaks: (candidate: Candidate, caller: Caller, request: PickRequest) => boolean;
};

const isAssigned = (a: Activity): boolean => a.status === 'assigned';

/** Rules 8–17 and 19, each judged on every activity once all earlier rules passed for all of them. */
const ACTIVITY_RULES: readonly ActivityRule[] = [
  {
    rule: 8,
    kind: 'OutsideDepartments',
    breaks: ({ activity }, caller) => !canSeeDepartment(caller, activity.departmentId),
  },
  { rule: 9, kind: 'DraftResponse', breaks: ({ activity }) => activity.isDraftResponse },
  { rule: 10, kind: 'TypeNotPickable', breaks: ({ activity }) => !isPickableType(activity.type) },
  {
    rule: 11,
    kind: 'AlreadyAssignedToCaller',
    breaks: ({ activity }, caller) => isAssigned(activity) && activity.assignedUserId === caller.userId,
  },
  {
    rule: 12,
    kind: 'StatusNotPickable',
    breaks: ({ activity }) => activity.status !== 'awaiting_assignment' && activity.status !== 'assigned',
  },
  {
    rule: 13,
    kind: 'LicenseMissing',
    breaks: ({ activity }, caller) =>
      !hasAnyLicense(caller, isMailLikeType(activity.type) ? MAIL_LICENSES : USER_LICENSES),
  },
  {
    rule: 14,
    kind: 'NoQueuePullPermission',
    breaks: ({ activity }, caller) =>
      activity.status === 'awaiting_assignment' &&
      (activity.queueId === null || !caller.pullableQueueIds.has(activity.queueId)),
  },
  {
    rule: 15,
    kind: 'NoUserPullPermission',
    breaks: ({ activity }, caller) =>
      isAssigned(activity) &&
      (activity.assignedUserId === null || !caller.pullableUserIds.has(activity.assignedUserId)),
  },
  { rule: 16, kind: 'LockedByAssignee', breaks: ({ activity }) => isAssigned(activity) && activity.locked },
  {
    rule: 17,
    kind: 'PinnedWithoutUnpin',
    breaks: ({ activity }, _caller, request) => isAssigned(activity) && activity.pinned && !request.unpin,
  },
];

const STALE_RULE: ActivityRule = {
  rule: 19,
  kind: 'StaleLastModified',
  breaks: ({ activity, clientLastModifiedMs }) => activity.lastModifiedMs !== clientLastModifiedMs,
};

/** Where an activity comes from: the queue it waits in, or the user who holds it. */
export type PickSource =
  { readonly kind: 'queue'; readonly id: string } | { readonly kind: 'user'; readonly id: string };

export interface PickChange {
  readonly activityId: string;
  readonly from: PickSource;
  readonly unpinned: boolean;
  readonly previousLastModifiedMs: number;
}

export interface PickPlan {
  readonly userId: string;
  readonly changes: readonly PickChange[];
  /** The new lastModified of every picked activity: now, but strictly later than every previous value. */
  readonly lastModifiedMs: number;
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
  const byId = new Map(found.map((activity) => [activity.id, activity]));

  // Rule 7 — 400-194: every activity exists.
  const missing = request.items.filter((item) => !byId.has(item.id)).map((item) => item.id);
  if (missing.length > 0) return fail({ kind: 'NotFound', ids: missing });

  const candidates: Candidate[] = request.items.map((item) => ({
    activity: byId.get(item.id)!,
    clientLastModifiedMs: item.lastModifiedMs,
  }));
  const offending = (rule: ActivityRule): string[] =>
    candidates.filter((c) => rule.breaks(c, caller, request)).map((c) => c.activity.id);

  for (const rule of ACTIVITY_RULES) {
    const ids = offending(rule);
    if (ids.length > 0) return fail({ kind: rule.kind, ids });
  }

  // Rule 18 — 403-178 naming Unpin: unpinning a colleague's pinned activity needs the Unpin action.
  const pinned = candidates
    .filter((c) => isAssigned(c.activity) && c.activity.pinned)
    .map((c) => c.activity.id);
  if (pinned.length > 0 && !caller.actions.has(ACTION_UNPIN)) {
    return fail({ kind: 'ActionNotAllowed', action: ACTION_UNPIN, ids: pinned });
  }

  const stale = offending(STALE_RULE);
  if (stale.length > 0) return fail({ kind: 'StaleLastModified', ids: stale });

  return succeed(buildPlan(caller.userId, candidates, nowMs));
}

function buildPlan(userId: string, candidates: readonly Candidate[], nowMs: number): PickPlan {
  const latestPrevious = Math.max(...candidates.map((c) => c.activity.lastModifiedMs));
  const changes = candidates.map(({ activity }): PickChange => ({
    activityId: activity.id,
    from: isAssigned(activity)
      ? { kind: 'user', id: activity.assignedUserId! }
      : { kind: 'queue', id: activity.queueId! },
    unpinned: isAssigned(activity) && activity.pinned,
    previousLastModifiedMs: activity.lastModifiedMs,
  }));
  return { userId, changes, lastModifiedMs: Math.max(nowMs, latestPrevious + 1) };
}

/** The numbers of the rules in the order they are judged, for tests and documentation. */
export const ACTIVITY_RULE_ORDER: readonly number[] = [
  7,
  ...ACTIVITY_RULES.map((r) => r.rule),
  18,
  STALE_RULE.rule,
];
