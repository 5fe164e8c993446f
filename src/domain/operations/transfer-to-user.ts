// Transfer to a user (T1–T12): activities go to a colleague's inbox.
import { isPickableType } from '../activity.js';
import { inboundOrComposed, notDraftResponse, typeIn } from '../rules/activity-nature.js';
import { waitingOrAssigned } from '../rules/activity-state.js';
import { inCallerDepartments } from '../rules/caller-scope.js';
import type { Operation } from '../rules/engine.js';
import {
  inTargetUserDepartments,
  mayTransferToTarget,
  notAssignedToTarget,
  targetUserLicensed,
  type UserTarget,
} from '../rules/transfer-target.js';
import { TAKING_OVER, transferPlan, type TransferContext, type TransferPlan } from './transfer.js';

export const TRANSFER_TO_USER: Operation<TransferContext<UserTarget>, TransferPlan> = {
  name: 'transfer to user',
  rules: [
    ['T1', inCallerDepartments],
    ['T2', notDraftResponse],
    ['T3', typeIn(isPickableType)],
    ['T4', inboundOrComposed],
    ['T5', waitingOrAssigned],
    ['T6 not the target', notAssignedToTarget],
    ['T6 target departments', inTargetUserDepartments],
    ['T7', mayTransferToTarget],
    ['T8', targetUserLicensed],
    // T9–T12: taking the activities over, the same for every kind of target.
    ...TAKING_OVER,
  ],
  effect: transferPlan(({ target }) => ({ status: 'assigned', substatus: 'new', assignedUserId: target.id })),
};
