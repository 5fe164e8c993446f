// Typed rule failures. They carry the offending ids and nothing about HTTP: http/error-catalog.ts
// maps each kind to its eGain code.
import type { GuardedAction } from './caller.js';

export type IdsFailureKind =
  | 'NotFound' // rule 7
  | 'OutsideDepartments' // rule 8
  | 'DraftResponse' // rule 9
  | 'TypeNotPickable' // rule 10
  | 'AlreadyAssignedToCaller' // rule 11
  | 'StatusNotPickable' // rule 12
  | 'LicenseMissing' // rule 13
  | 'NoQueuePullPermission' // rule 14
  | 'NoUserPullPermission' // rule 15
  | 'LockedByAssignee' // rule 16
  | 'PinnedWithoutUnpin' // rule 17
  | 'StaleLastModified' // rule 19
  | 'DuplicateIds' // body shape, 400-105
  | 'UnknownInPath' // GET: unknown or invisible ids in the URI path, 404-100
  // Transfer (T1–T12) and complete (C1–C6), docs/rule-engine.md
  | 'ModeNotTransferable' // T4, 400-306: email/social neither inbound nor composed
  | 'AlreadyAssignedToTarget' // T6 user, 400-307
  | 'OutsideTargetUserDepartments' // T6 user, 403-184
  | 'OutsideQueueDepartment' // T6 queue, 400-308
  | 'AlreadyInTargetQueue' // T6 queue, 400-309
  | 'AlreadyInTargetDepartment' // T6 department, 400-310
  | 'DepartmentsNotShared' // T6 department, 403-185
  | 'NoTransferQueue' // T6 department, 400-311
  | 'TargetLicenseMissing' // T8, 403-186
  | 'NotAssignedToCaller'; // complete C2, 400-312

/** The user or queue a transfer sends activities to (the department needs no permission). */
export interface TransferTargetRef {
  readonly kind: 'user' | 'queue';
  readonly id: string;
}

export type RuleFailure =
  | { readonly kind: 'MissingScope' }
  | { readonly kind: 'ActionNotAllowed'; readonly action: GuardedAction; readonly ids: readonly string[] }
  | { readonly kind: IdsFailureKind; readonly ids: readonly string[] }
  // T7, 403-183: the caller lacks Transfer activities on the target user or queue.
  | { readonly kind: 'NoTransferPermission'; readonly target: TransferTargetRef };

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: RuleFailure };

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T>(failure: RuleFailure): Outcome<T> => ({ ok: false, failure });
