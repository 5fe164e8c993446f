// What the operations' effects have in common: where an activity comes from and its next version.
import type { Activity, ActivityStatus } from '../activity.js';
import type { Subject } from '../rules/engine.js';

/** Where an activity comes from: the queue it waits in, or the user who holds it. */
export type ActivitySource =
  { readonly kind: 'queue'; readonly id: string } | { readonly kind: 'user'; readonly id: string };

export function sourceOf(activity: Activity): ActivitySource {
  return activity.status === 'assigned'
    ? { kind: 'user', id: activity.assignedUserId! }
    : { kind: 'queue', id: activity.queueId! };
}

/** The new lastModified of every written activity: now, but strictly later than every previous value. */
export function nextLastModifiedMs(subjects: readonly Subject[], nowMs: number): number {
  return Math.max(nowMs, ...subjects.map((s) => s.activity.lastModifiedMs + 1));
}

/**
 * The columns a move writes on every activity of the request. `queueId` / `departmentId` absent:
 * unchanged. A changed department keeps the old one as the activity's `lastDepartment`.
 * Pin and lock are always cleared.
 */
export interface MoveWrite {
  readonly status: ActivityStatus;
  readonly substatus: string;
  readonly assignedUserId: string | null;
  readonly queueId?: string;
  readonly departmentId?: string;
}
