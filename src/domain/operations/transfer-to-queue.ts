// Transfer to a queue (T1–T12): activities go back to wait in a queue of their department.
import { isPickableType } from '../activity.js';
import { inboundOrComposed, notDraftResponse, typeIn } from '../rules/activity-nature.js';
import { waitingOrAssigned } from '../rules/activity-state.js';
import { inCallerDepartments } from '../rules/caller-scope.js';
import type { Operation } from '../rules/engine.js';
import {
  inQueueDepartment,
  mayTransferToTarget,
  notAlreadyInQueue,
  type QueueTarget,
} from '../rules/transfer-target.js';
import { TAKING_OVER, transferPlan, type TransferContext, type TransferPlan } from './transfer.js';

export const TRANSFER_TO_QUEUE: Operation<TransferContext<QueueTarget>, TransferPlan> = {
  name: 'transfer to queue',
  rules: [
    ['T1', inCallerDepartments],
    ['T2', notDraftResponse],
    ['T3', typeIn(isPickableType)],
    ['T4', inboundOrComposed],
    ['T5', waitingOrAssigned],
    ['T6 queue department', inQueueDepartment],
    ['T6 not in the queue', notAlreadyInQueue],
    ['T7', mayTransferToTarget],
    // T9–T12: taking the activities over, the same for every kind of target.
    ...TAKING_OVER,
  ],
  effect: transferPlan(({ target }) => ({
    status: 'awaiting_assignment',
    substatus: 'ready_for_assignment',
    assignedUserId: null,
    queueId: target.id,
  })),
};
