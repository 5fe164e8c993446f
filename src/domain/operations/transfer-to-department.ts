// Transfer to a department (T1–T12): activities go to a sharing department's transfer queue.
import { isBuiltInType } from '../activity.js';
import { ACTION_PICK } from '../caller.js';
import { inboundOrComposed, notDraftResponse, typeIn } from '../rules/activity-nature.js';
import {
  lastModifiedMatches,
  notLockedByAssignee,
  onOthersWork,
  pinnedOnlyWithUnpin,
  unpinAllowed,
  waitingOrAssigned,
} from '../rules/activity-state.js';
import {
  callerHasAction,
  callerLicensed,
  inCallerDepartments,
  pullFromAssignee,
  pullFromQueue,
} from '../rules/caller-scope.js';
import type { Operation } from '../rules/engine.js';
import {
  departmentsShared,
  hasTransferQueue,
  notAlreadyInDepartment,
  type DepartmentTarget,
} from '../rules/transfer-target.js';
import { transferPlan, type TransferContext, type TransferPlan } from './transfer.js';

/** T3 to a department: email, task or a user-defined type (no social: eGain's list). */
const isDepartmentTransferable = (type: string): boolean =>
  !isBuiltInType(type) || type === 'email' || type === 'task';

export const TRANSFER_TO_DEPARTMENT: Operation<TransferContext<DepartmentTarget>, TransferPlan> = {
  name: 'transfer to department',
  rules: [
    ['T1', inCallerDepartments],
    ['T2', notDraftResponse],
    ['T3', typeIn(isDepartmentTransferable)],
    ['T4', inboundOrComposed],
    ['T5', waitingOrAssigned],
    ['T6 not in it', notAlreadyInDepartment],
    ['T6 shared', departmentsShared],
    ['T6 transfer queue', hasTransferQueue],
    // T7, T8: a department has no Transfer activities permission and no licences.
    ['T9 Pick Activities', onOthersWork(callerHasAction(ACTION_PICK))],
    ['T9 licence', onOthersWork(callerLicensed)],
    ['T9 pull queue', onOthersWork(pullFromQueue)],
    ['T9 pull assignee', onOthersWork(pullFromAssignee)],
    ['T10', onOthersWork(notLockedByAssignee)],
    ['T11 unpin=yes', pinnedOnlyWithUnpin],
    ['T11 Unpin', unpinAllowed],
    ['T12', lastModifiedMatches],
  ],
  effect: transferPlan(({ target }) => ({
    status: 'awaiting_assignment',
    substatus: 'ready_for_assignment',
    assignedUserId: null,
    // hasTransferQueue passed, so the queue is known.
    queueId: target.transferQueueId!,
    departmentId: target.id,
  })),
};
