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
  | 'UnknownInPath'; // GET: unknown or invisible ids in the URI path, 404-100

export type RuleFailure =
  | { readonly kind: 'MissingScope' }
  | { readonly kind: 'ActionNotAllowed'; readonly action: GuardedAction; readonly ids: readonly string[] }
  | { readonly kind: IdsFailureKind; readonly ids: readonly string[] };

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: RuleFailure };

export const succeed = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T>(failure: RuleFailure): Outcome<T> => ({ ok: false, failure });
