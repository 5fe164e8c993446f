// Rules about the target of a transfer (T6–T8): the user, queue or department the activities go to.
// The store reads the target's facts in the transaction; an unknown target was already a 404-100.
import { licensesFor } from '../activity.js';
import type { RuleFailure } from '../failures.js';
import type { CallerContext } from './context.js';
import { perActivity, wholeRequest, type Rule } from './engine.js';

export interface UserTarget {
  readonly kind: 'user';
  readonly id: string;
  readonly homeDepartmentId: string;
  readonly foreignDepartmentIds: ReadonlySet<string>;
  readonly licenses: ReadonlySet<string>;
  /** The caller holds Transfer activities on this user (directly or through a group). */
  readonly callerMayTransfer: boolean;
}

export interface QueueTarget {
  readonly kind: 'queue';
  readonly id: string;
  readonly departmentId: string;
  /** The caller holds Transfer activities on this queue (directly or through a group). */
  readonly callerMayTransfer: boolean;
}

export interface DepartmentTarget {
  readonly kind: 'department';
  readonly id: string;
  /** Departments whose activities may be transferred here (sharing, either direction of `sharedWith`). */
  readonly sharedWithDepartmentIds: ReadonlySet<string>;
  /** Where transferred activities wait; null when the department has none. */
  readonly transferQueueId: string | null;
}

export type TransferTarget = UserTarget | QueueTarget | DepartmentTarget;

export interface TargetContext<T extends TransferTarget> {
  readonly target: T;
}

// --- to a user -----------------------------------------------------------------------------------

/** T6: the target does not hold it already (400-307). */
export const notAssignedToTarget: Rule<TargetContext<UserTarget>> = perActivity(
  'not already assigned to the target user',
  'AlreadyAssignedToTarget',
  (a, { target }) => a.status === 'assigned' && a.assignedUserId === target.id,
);

/** T6: in the target user's home or foreign departments (403-184). */
export const inTargetUserDepartments: Rule<TargetContext<UserTarget>> = perActivity(
  'in the target user departments',
  'OutsideTargetUserDepartments',
  (a, { target }) =>
    a.departmentId !== target.homeDepartmentId && !target.foreignDepartmentIds.has(a.departmentId),
);

/** T8: the target user holds a licence for each type (403-186). */
export const targetUserLicensed: Rule<TargetContext<UserTarget>> = perActivity(
  'target user licensed for the type',
  'TargetLicenseMissing',
  (a, { target }) => !licensesFor(a.type).some((license) => target.licenses.has(license)),
);

// --- to a queue ----------------------------------------------------------------------------------

/** T6: a queue serves its own department only (400-308). */
export const inQueueDepartment: Rule<TargetContext<QueueTarget>> = perActivity(
  'in the queue department',
  'OutsideQueueDepartment',
  (a, { target }) => a.departmentId !== target.departmentId,
);

/** T6: a queued activity is not already waiting in that queue (400-309). */
export const notAlreadyInQueue: Rule<TargetContext<QueueTarget>> = perActivity(
  'not already in the queue',
  'AlreadyInTargetQueue',
  (a, { target }) => a.status === 'awaiting_assignment' && a.queueId === target.id,
);

// --- to a department -----------------------------------------------------------------------------

/** T6: not already in the target department (400-310). */
export const notAlreadyInDepartment: Rule<TargetContext<DepartmentTarget>> = perActivity(
  'not already in the department',
  'AlreadyInTargetDepartment',
  (a, { target }) => a.departmentId === target.id,
);

/** T6: the activity's department and the target share work (403-185). */
export const departmentsShared: Rule<TargetContext<DepartmentTarget>> = perActivity(
  'departments shared',
  'DepartmentsNotShared',
  (a, { target }) => !target.sharedWithDepartmentIds.has(a.departmentId),
);

/** T6: the target has a transfer queue for the activities to wait in; names every activity (400-311). */
export const hasTransferQueue: Rule<TargetContext<DepartmentTarget>> = perActivity(
  'department has a transfer queue',
  'NoTransferQueue',
  (_a, { target }) => target.transferQueueId === null,
);

// --- the caller on the target --------------------------------------------------------------------

/** T7: a user caller needs Transfer activities on the target user or queue (403-183). */
export const mayTransferToTarget: Rule<CallerContext & TargetContext<UserTarget | QueueTarget>> =
  wholeRequest('Transfer activities on the target', ({ caller, target }): RuleFailure | undefined =>
    caller !== null && !target.callerMayTransfer
      ? { kind: 'NoTransferPermission', target: { kind: target.kind, id: target.id } }
      : undefined,
  );
