// Transfer to a department (T1–T12): activities go to a sharing department's transfer queue.
import { isBuiltInType } from '../activity.js';
import { inboundOrComposed, notDraftResponse, typeIn } from '../rules/activity-nature.js';
import { waitingOrAssigned } from '../rules/activity-state.js';
import { inCallerDepartments } from '../rules/caller-scope.js';
import type { Operation } from '../rules/engine.js';
import {
  departmentsShared,
  hasTransferQueue,
  notAlreadyInDepartment,
  type DepartmentTarget,
} from '../rules/transfer-target.js';
import { TAKING_OVER, transferPlan, type TransferContext, type TransferPlan } from './transfer.js';

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
    // T9–T12: taking the activities over, the same for every kind of target.
    ...TAKING_OVER,
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
