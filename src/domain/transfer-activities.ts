// The Transfer use case (to a user, a queue or a department): rule 5 on the caller, then — against
// the rows and the target the store has read and locked — existence (400-194), the target (404-100)
// and T1–T12; the store writes the plan in that same transaction, all or nothing.
import type { Caller, ClientApplication } from './caller.js';
import { fail, type Outcome } from './failures.js';
import type { Activity } from './activity.js';
import type { Clock } from './pick-activities.js';
import type { PickRequest } from './pick-request.js';
import { checkTransferCaller, type TransferPlan } from './operations/transfer.js';
import { TRANSFER_TO_DEPARTMENT } from './operations/transfer-to-department.js';
import { TRANSFER_TO_QUEUE } from './operations/transfer-to-queue.js';
import { TRANSFER_TO_USER } from './operations/transfer-to-user.js';
import { decide, missingIds } from './rules/engine.js';
import type { TransferTarget } from './rules/transfer-target.js';

/** The path's target: `/transfer/{kind}/{id}`. */
export interface TargetRef {
  readonly kind: TransferTarget['kind'];
  readonly id: string;
}

export interface TransferRequest extends PickRequest {
  /** `?reassign=yes`: accepted and recorded in the plan. */
  readonly reassign: boolean;
}

export interface TransferStore {
  /**
   * In one transaction: read the target's facts as the caller sees them (undefined when no such
   * user, queue or department), read the activities with these ids locked for update in ascending
   * id order, call `decide`, and write the plan when it succeeds (drafts of the listed emails too).
   * Nothing is written otherwise.
   */
  transferAtomically(
    target: TargetRef,
    ids: readonly string[],
    decide: (target: TransferTarget | undefined, found: readonly Activity[]) => Outcome<TransferPlan>,
  ): Promise<Outcome<TransferPlan>>;
}

/** A user token's caller, or null for a client application's (rules asking the user pass for it). */
const userOf = (caller: Caller | ClientApplication): Caller | null => ('userId' in caller ? caller : null);

export function planTransfer(
  caller: Caller | null,
  request: TransferRequest,
  targetRef: TargetRef,
  target: TransferTarget | undefined,
  found: readonly Activity[],
  nowMs: number,
): Outcome<TransferPlan> {
  const missing = missingIds(request.items, found);
  if (missing.length > 0) return fail({ kind: 'NotFound', ids: missing });
  if (target === undefined || target.kind !== targetRef.kind) {
    return fail({ kind: 'UnknownInPath', ids: [targetRef.id] });
  }
  const base = { caller, unpin: request.unpin, reassign: request.reassign };
  switch (target.kind) {
    case 'user':
      return decide(TRANSFER_TO_USER, request.items, found, { ...base, target }, nowMs);
    case 'queue':
      return decide(TRANSFER_TO_QUEUE, request.items, found, { ...base, target }, nowMs);
    case 'department':
      return decide(TRANSFER_TO_DEPARTMENT, request.items, found, { ...base, target }, nowMs);
  }
}

export async function transferActivities(
  deps: { store: TransferStore; clock: Clock },
  caller: Caller | ClientApplication,
  request: TransferRequest,
  target: TargetRef,
): Promise<Outcome<TransferPlan>> {
  const callerFailure = checkTransferCaller(caller);
  if (callerFailure) return fail(callerFailure);
  const ids = request.items.map((item) => item.id);
  const user = userOf(caller);
  return deps.store.transferAtomically(target, ids, (stored, found) =>
    planTransfer(user, request, target, stored, found, deps.clock.nowMs()),
  );
}
