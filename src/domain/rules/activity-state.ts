// Rules about where an activity stands: its status, holder, lock, pin and version.
import type { Activity } from '../activity.js';
import { ACTION_UNPIN, type Caller } from '../caller.js';
import type { CallerContext, UnpinContext } from './context.js';
import { onlyWhere, perActivity, type Rule } from './engine.js';

export const isAssigned = (a: Activity): boolean => a.status === 'assigned';

/** Assigned to the calling user (never true for a client application). */
export const heldByCaller = (a: Activity, { caller }: CallerContext): boolean =>
  caller !== null && isAssigned(a) && a.assignedUserId === caller.userId;

/** Pick 11: the caller's own activities cannot be picked again (400-303). */
export const notHeldByCaller: Rule<CallerContext> = perActivity(
  'not assigned to the caller',
  'AlreadyAssignedToCaller',
  heldByCaller,
);

/** Complete C2: only the caller's own assigned activities can be completed (400-312). */
export const heldByCallingUser: Rule<{ readonly caller: Caller }> = perActivity(
  'assigned to the caller',
  'NotAssignedToCaller',
  (a, context) => !heldByCaller(a, context),
);

/** Pick 12, T5: waiting in a queue or assigned to a user (400-304). */
export const waitingOrAssigned: Rule<unknown> = perActivity(
  'waiting or assigned',
  'StatusNotPickable',
  (a) => a.status !== 'awaiting_assignment' && a.status !== 'assigned',
);

/** Pick 16, T10: the assignee's lock keeps the activity where it is (403-177). */
export const notLockedByAssignee: Rule<unknown> = perActivity(
  'not locked by its assignee',
  'LockedByAssignee',
  (a) => isAssigned(a) && a.locked,
);

/** Pick 17, T11: a pinned activity moves only with `unpin=yes` (400-305). */
export const pinnedOnlyWithUnpin: Rule<UnpinContext> = perActivity(
  'pinned needs unpin=yes',
  'PinnedWithoutUnpin',
  (a, { unpin }) => isAssigned(a) && a.pinned && !unpin,
);

/** Pick 18, T11: unpinning needs the Unpin action; the failure lists the pinned ids (403-178). */
export const unpinAllowed: Rule<CallerContext> = perActivity(
  'Unpin action for pinned',
  (ids) => ({ kind: 'ActionNotAllowed', action: ACTION_UNPIN, ids }),
  (a, { caller }) => caller !== null && isAssigned(a) && a.pinned && !caller.actions.has(ACTION_UNPIN),
);

/** Pick 19, T12, complete: the client saw the stored version, to the millisecond (409-100). */
export const lastModifiedMatches: Rule<unknown> = perActivity(
  'lastModified matches',
  'StaleLastModified',
  (a, _context, subject) => a.lastModifiedMs !== subject.clientLastModifiedMs,
);

/** T9, T10: the rule judged only on activities the caller does not hold (queued or a colleague's). */
export function onOthersWork<C extends CallerContext>(rule: Rule<C>): Rule<C> {
  return onlyWhere<C>((a, context) => !heldByCaller(a, context), rule);
}

/** Pull: only activities waiting in a queue are taken (400-304 if it were ever reported). */
export const waitingInQueue: Rule<unknown> = perActivity(
  'waiting in a queue',
  'StatusNotPickable',
  (a) => a.status !== 'awaiting_assignment',
);
