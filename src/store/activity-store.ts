// Activities: reading them for GET, and the one pick transaction (lock in ascending id order, judge,
// write set-based, record history). Rows become domain types at this edge.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { ACTIVITY_STATUSES, type Activity, type ActivityStatus } from '../domain/activity.js';
import type { Outcome } from '../domain/failures.js';
import type { PickStore } from '../domain/pick-activities.js';
import type { PickPlan } from '../domain/pick-rules.js';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

type ActivityRow = Selectable<Database['activities']>;

/** An activity with the names a reader sees beside the ids. */
export interface ActivityView extends Activity {
  readonly departmentName: string;
  readonly queueName: string | null;
  readonly assignedUserName: string | null;
  /** Display name of a user-defined type; null for built-in types (those are localized). */
  readonly customTypeDisplayName: string | null;
}

const ACTIVITY_COLUMNS = [
  'a.id',
  'a.department_id',
  'a.type',
  'a.subtype',
  'a.mode',
  'a.subject',
  'a.priority',
  'a.status',
  'a.substatus',
  'a.queue_id',
  'a.assigned_user_id',
  'a.pinned',
  'a.locked',
  'a.is_draft_response',
  'a.parent_activity_id',
  'a.created_ms',
  'a.last_modified_ms',
  'a.last_modified_by',
  'a.last_action',
] as const;

function toStatus(value: string): ActivityStatus {
  if ((ACTIVITY_STATUSES as readonly string[]).includes(value)) return value as ActivityStatus;
  throw new Error(`activity has unknown status ${JSON.stringify(value)}`);
}

export function toActivity(row: ActivityRow): Activity {
  return {
    id: row.id,
    departmentId: row.department_id,
    type: row.type,
    subtype: row.subtype,
    mode: row.mode,
    subject: row.subject,
    priority: row.priority,
    status: toStatus(row.status),
    substatus: row.substatus,
    queueId: row.queue_id,
    assignedUserId: row.assigned_user_id,
    pinned: Boolean(row.pinned),
    locked: Boolean(row.locked),
    isDraftResponse: Boolean(row.is_draft_response),
    createdMs: Number(row.created_ms),
    lastModifiedMs: Number(row.last_modified_ms),
  };
}

export class ActivityStore implements PickStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly transactional: Transactional,
  ) {}

  /** GET: the activities with these ids that exist, with the names shown beside ids. */
  async findViews(ids: readonly string[]): Promise<ActivityView[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('activities as a')
      .innerJoin('departments as d', 'd.id', 'a.department_id')
      .leftJoin('queues as q', 'q.id', 'a.queue_id')
      .leftJoin('users as u', 'u.id', 'a.assigned_user_id')
      .leftJoin('activity_types as t', 't.name', 'a.type')
      .select(ACTIVITY_COLUMNS)
      .select([
        'd.name as department_name',
        'q.name as queue_name',
        'u.first_name',
        'u.last_name',
        't.display_name',
      ])
      .where('a.id', 'in', ids)
      .execute();
    return rows.map((row) => ({
      ...toActivity(row),
      departmentName: row.department_name,
      queueName: row.queue_name,
      assignedUserName: row.first_name === null ? null : `${row.first_name} ${row.last_name ?? ''}`.trim(),
      customTypeDisplayName: row.display_name,
    }));
  }

  async pickAtomically(
    ids: readonly string[],
    decide: (found: readonly Activity[]) => Outcome<PickPlan>,
  ): Promise<Outcome<PickPlan>> {
    return this.transactional(async (trx) => {
      const found = (await this.selectForUpdate(trx, ids)).map(toActivity);
      const outcome = decide(found);
      if (outcome.ok) await writePlan(trx, outcome.value);
      return outcome;
    });
  }

  /**
   * Rows locked in ascending numeric id order (length, then text, is numeric order for canonical digit
   * strings), so two overlapping batches always queue on their first common row and never deadlock.
   * SQLite has no row locks: its BEGIN IMMEDIATE already holds the database's write lock.
   */
  private lockQuery(db: Kysely<Database>, ids: readonly string[]) {
    return db
      .selectFrom('activities as a')
      .select(ACTIVITY_COLUMNS)
      .where('a.id', 'in', ids)
      .orderBy(sql`length(a.id)`)
      .orderBy('a.id')
      .$if(this.dialect === 'postgres', (query) => query.forUpdate());
  }

  private selectForUpdate(trx: Kysely<Database>, ids: readonly string[]) {
    return this.lockQuery(trx, ids).execute();
  }

  /** The lock query's SQL on this dialect, for review and for the test that pins it. */
  lockSql(ids: readonly string[]): string {
    return this.lockQuery(this.db, ids).compile().sql;
  }
}

/** One UPDATE for the whole batch and one multi-row INSERT of history entries. */
async function writePlan(trx: Kysely<Database>, plan: PickPlan): Promise<void> {
  const ids = plan.changes.map((change) => change.activityId);
  const pickId = randomUUID();
  await trx
    .updateTable('activities')
    .set({
      status: 'assigned',
      substatus: 'new',
      assigned_user_id: plan.userId,
      pinned: 0,
      locked: 0,
      last_modified_ms: plan.lastModifiedMs,
      last_modified_by: plan.userId,
      last_action: 'picked',
    })
    .where('id', 'in', ids)
    .execute();
  await trx
    .insertInto('activity_history')
    .values(
      plan.changes.map((change) => ({
        activity_id: change.activityId,
        pick_id: pickId,
        from_kind: change.from.kind,
        from_id: change.from.id,
        to_user_id: plan.userId,
        by_user_id: plan.userId,
        at_ms: plan.lastModifiedMs,
        unpinned: change.unpinned ? 1 : 0,
        action: 'picked',
      })),
    )
    .execute();
}
