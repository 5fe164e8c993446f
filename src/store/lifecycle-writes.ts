// What transfer, complete and pull write alike: the requested rows read and locked in ascending
// numeric id order, one guarded UPDATE for the batch, and one history row per activity written.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Activity } from '../domain/activity.js';
import type { Actor } from '../domain/caller.js';
import { actorKey } from '../domain/events.js';
import { lockActivitiesQuery, toActivity } from './activity-store.js';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';
import { RowsChangedError } from './store-errors.js';
import { checkFactsVersion, versionQuery } from './user-store.js';

/** Who a history row names in `by_user_id`: a user id, or `client:NAME` for a client application. */
export const actorId = (actor: Actor): string => actorKey(actor);

/**
 * The activities with these ids, with their case, locked as the pick locks them (lockActivitiesQuery).
 * `factsVersion`: the organisation version the caller's facts were read at, when they were not
 * confirmed before; read by the same statement, and FactsMovedError when it moved (nothing judged).
 */
export async function lockActivities(
  trx: Kysely<Database>,
  dialect: Dialect,
  ids: readonly string[],
  factsVersion?: number,
): Promise<Activity[]> {
  if (ids.length === 0) {
    await checkFactsVersion(trx, factsVersion, undefined);
    return [];
  }
  const rows = await lockActivitiesQuery(trx, dialect, ids)
    .select('a.case_id')
    .$if(factsVersion !== undefined, (q) =>
      q.select(() => versionQuery(trx).$asScalar().as('organisation_version')),
    )
    .execute();
  await checkFactsVersion(trx, factsVersion, rows[0]?.organisation_version);
  return rows.map((row) => ({ ...toActivity(row), caseId: row.case_id }));
}

/** The columns a lifecycle write sets on every row of the batch (snake_case, as stored). */
export interface RowWrite {
  readonly status: string;
  readonly substatus: string;
  readonly assigned_user_id?: string | null;
  readonly queue_id?: string;
  readonly department_id?: string;
  readonly clearPinAndLock: boolean;
  readonly last_modified_ms: number;
  readonly last_modified_by: string;
  readonly last_action: string;
}

/**
 * One UPDATE for the batch, matching each row on the lastModified the rules judged as well as its id
 * (the pick's guard): should the row lock ever fail to hold, a row changed in between is not
 * overwritten and the whole request is refused as stale.
 */
export async function guardedUpdate(
  trx: Kysely<Database>,
  rows: readonly { readonly id: string; readonly previousLastModifiedMs: number }[],
  write: RowWrite,
): Promise<void> {
  if (rows.length === 0) return;
  const ids = rows.map((row) => row.id);
  const { clearPinAndLock, ...columns } = write;
  const versionOf: RawBuilder<boolean> = sql<boolean>`${sql.ref('last_modified_ms')} = case ${sql.ref('id')} ${sql.join(
    rows.map((row) => sql`when ${row.id} then cast(${row.previousLastModifiedMs} as bigint)`),
    sql` `,
  )} end`;
  const updated = await trx
    .updateTable('activities')
    .set({
      ...columns,
      ...(clearPinAndLock ? { pinned: 0, locked: 0 } : {}),
      // eGain's `lastDepartment`: SET reads the row as it was before the UPDATE (both stores), so each
      // row keeps the department it leaves. T6 refused any row already in the target department.
      ...(columns.department_id !== undefined ? { last_department_id: sql.ref('department_id') } : {}),
    })
    .where('id', 'in', ids)
    .where(versionOf)
    .returning('id')
    .execute();
  if (updated.length !== rows.length) {
    const written = new Set(updated.map((row) => row.id));
    throw new RowsChangedError(ids.filter((id) => !written.has(id)));
  }
}

export interface HistoryRow {
  readonly activityId: string;
  readonly fromKind: 'queue' | 'user';
  readonly fromId: string;
  /** A user id; or `queue:ID` / `department:ID` when the activity went to no user (docs/decisions.md). */
  readonly to: string;
  readonly unpinned: boolean;
}

/** One multi-row INSERT; `requestId` ties together the rows one request wrote (the pick's `pick_id`). */
export async function insertHistory(
  trx: Kysely<Database>,
  rows: readonly HistoryRow[],
  shared: { readonly requestId: string; readonly by: string; readonly atMs: number; readonly action: string },
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('activity_history')
    .values(
      rows.map((row) => ({
        activity_id: row.activityId,
        pick_id: shared.requestId,
        from_kind: row.fromKind,
        from_id: row.fromId,
        to_user_id: row.to,
        by_user_id: shared.by,
        at_ms: shared.atMs,
        unpinned: row.unpinned ? 1 : 0,
        action: shared.action,
      })),
    )
    .execute();
}
