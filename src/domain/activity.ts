// The activity as the pick rules see it: what eGain stores about one email, social post, task, …
// Ids are strings of digits end to end, so 18-digit ids never lose precision in a JS number.

import { CALL_TRACK_LICENSES, MAIL_LICENSES, USER_LICENSES } from './caller.js';

export const BUILT_IN_ACTIVITY_TYPES = ['email', 'social', 'task', 'call_track', 'chat', 'web'] as const;
export type BuiltInActivityType = (typeof BUILT_IN_ACTIVITY_TYPES)[number];

export const ACTIVITY_STATUSES = [
  'in_workflow',
  'awaiting_assignment',
  'assigned',
  'in_precompletion',
  'completed',
] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export interface Activity {
  readonly id: string;
  readonly departmentId: string;
  /** A built-in type, or the name of a user-defined ("generic") type declared by the organisation. */
  readonly type: string;
  readonly subtype: string | null;
  readonly mode: string | null;
  readonly subject: string;
  readonly priority: string | null;
  readonly status: ActivityStatus;
  readonly substatus: string | null;
  readonly queueId: string | null;
  readonly assignedUserId: string | null;
  readonly pinned: boolean;
  readonly locked: boolean;
  readonly isDraftResponse: boolean;
  readonly createdMs: number;
  readonly lastModifiedMs: number;
  /** The case the activity belongs to; complete settles it. Absent where a store does not read it. */
  readonly caseId?: string | null;
}

/** Numeric order of ids (canonical digit strings, up to 18 digits): length, then text. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export function isBuiltInType(type: string): type is BuiltInActivityType {
  return (BUILT_IN_ACTIVITY_TYPES as readonly string[]).includes(type);
}

/** email/social need a mail-capable license; task and generic types need any license (rule 13). */
export function isMailLikeType(type: string): boolean {
  return type === 'email' || type === 'social';
}

/**
 * The licences of which a user needs one to work on an activity of this type (pick 13, transfer
 * T8/T9, complete): email/social a mail licence, call_track a call-tracking one, the rest any user
 * licence.
 */
export function licensesFor(type: string): readonly string[] {
  if (isMailLikeType(type)) return MAIL_LICENSES;
  if (type === 'call_track') return CALL_TRACK_LICENSES;
  return USER_LICENSES;
}

/** Rule 10: what an agent may pick — email, social, task, or a user-defined type. */
export function isPickableType(type: string): boolean {
  return !isBuiltInType(type) || type === 'email' || type === 'social' || type === 'task';
}
