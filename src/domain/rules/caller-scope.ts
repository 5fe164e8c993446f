// Rules about what the calling user may reach: departments, actions, licences, pull permissions.
// A client application (caller null) passes all of them.
import { licensesFor } from '../activity.js';
import { canSeeDepartment, hasAnyLicense, type GuardedAction } from '../caller.js';
import type { CallerContext } from './context.js';
import { perActivity, type Rule } from './engine.js';

/** Pick 8, T1, complete: the caller's home or foreign departments only (403-179). */
export const inCallerDepartments: Rule<CallerContext> = perActivity(
  'in the caller departments',
  'OutsideDepartments',
  (a, { caller }) => caller !== null && !canSeeDepartment(caller, a.departmentId),
);

/** T9: the action is needed for each activity (403-178 naming the action and the ids). */
export function callerHasAction(action: GuardedAction): Rule<CallerContext> {
  return perActivity(
    `${action} action`,
    (ids) => ({ kind: 'ActionNotAllowed', action, ids }),
    (_a, { caller }) => caller !== null && !caller.actions.has(action),
  );
}

/** Pick 13, T9, complete: a licence for the activity's type (403-180). */
export const callerLicensed: Rule<CallerContext> = perActivity(
  'caller licensed for the type',
  'LicenseMissing',
  (a, { caller }) => caller !== null && !hasAnyLicense(caller, licensesFor(a.type)),
);

/** Pick 14, T9: a queued activity needs Pull activities on its queue (403-181). */
export const pullFromQueue: Rule<CallerContext> = perActivity(
  'Pull activities on the queue',
  'NoQueuePullPermission',
  (a, { caller }) =>
    caller !== null &&
    a.status === 'awaiting_assignment' &&
    (a.queueId === null || !caller.pullableQueueIds.has(a.queueId)),
);

/** Pick 15, T9: an assigned activity needs Pull activities on its assignee (403-182). */
export const pullFromAssignee: Rule<CallerContext> = perActivity(
  'Pull activities on the assignee',
  'NoUserPullPermission',
  (a, { caller }) =>
    caller !== null &&
    a.status === 'assigned' &&
    (a.assignedUserId === null || !caller.pullableUserIds.has(a.assignedUserId)),
);
