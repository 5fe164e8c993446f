// Reading cases (GET /case/{ids}): who may see which case. A case has no department of its own; it
// is seen through its activities, or — while it has none — through its customer (docs/decisions.md).
import { canSeeDepartment, type UserFacts } from './caller.js';
import { fail, succeed, type Outcome } from './failures.js';

export type CaseStatus = 'open' | 'closed';

export interface CaseView {
  readonly id: string;
  readonly status: CaseStatus;
  /** Null for a case without a customer (cases made for existing activities by the upgrade). */
  readonly customer: {
    readonly id: string;
    readonly firstName: string;
    readonly lastName: string;
    /** Null: a customer shared by every department. */
    readonly departmentId: string | null;
  } | null;
  readonly activityCount: number;
  /** The departments of the case's activities, each once. */
  readonly activityDepartmentIds: readonly string[];
}

/**
 * A user sees a case when one of its activities is in their home or a foreign department. A case with
 * no activity is judged by its customer: a shared customer (or no customer) is seen by every user, a
 * departmental one by the users who see that department.
 */
export function canSeeCase(user: UserFacts, view: CaseView): boolean {
  if (view.activityDepartmentIds.length > 0) {
    return view.activityDepartmentIds.some((id) => canSeeDepartment(user, id));
  }
  const department = view.customer?.departmentId ?? null;
  return department === null || canSeeDepartment(user, department);
}

/**
 * The cases in the order asked. Cases a user may not see are answered as unknown (404-100), so that
 * a client cannot learn they exist. `user` is undefined for a client application, which sees all.
 */
export function selectVisibleCases(
  user: UserFacts | undefined,
  ids: readonly string[],
  found: readonly CaseView[],
): Outcome<CaseView[]> {
  const visible = new Map(
    found.filter((c) => user === undefined || canSeeCase(user, c)).map((c) => [c.id, c] as const),
  );
  const unknown = ids.filter((id) => !visible.has(id));
  if (unknown.length > 0) return fail({ kind: 'UnknownInPath', ids: unknown });
  return succeed(ids.map((id) => visible.get(id)!));
}
