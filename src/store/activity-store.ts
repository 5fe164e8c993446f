// Activities: reading them for GET, and the one pick transaction (lock in ascending id order, judge,
// write set-based, record history). Rows become domain types at this edge.
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import { ACTIVITY_STATUSES, type Activity, type ActivityStatus } from '../domain/activity.js';
import { fail, type Outcome } from '../domain/failures.js';
import { pickEvents, toSubject, type ActivityEvent, type EventsCommitted } from '../domain/events.js';
import type { PickStore } from '../domain/pick-activities.js';
import type { PickPlan } from '../domain/pick-rules.js';
import type { Dialect } from './dialect.js';
import { appendEvents } from './outbox.js';
import { prepared } from './prepared-statements.js';
import type { Database } from './schema.js';
import { QueryTemplates } from './query-templates.js';
import { RowsChangedError } from './store-errors.js';
import { checkFactsVersion, versionQuery } from './user-store.js';
import type { Transactional } from './transaction.js';

/** An activity with the names a reader sees beside the ids. */
export interface ActivityView extends Activity {
  readonly departmentName: string;
  readonly queueName: string | null;
  readonly assignedUserName: string | null;
  /** Display name of a user-defined type; null for built-in types (those are localized). */
  readonly customTypeDisplayName: string | null;
  readonly caseId: string | null;
  readonly customer: { readonly id: string; readonly firstName: string; readonly lastName: string } | null;
  readonly dueDateMs: number | null;
  /** The user who created it (null when a client application or an import did). */
  readonly createdBy: NamedRef | null;
  /** The last user the activity was assigned to (its history's latest assignment). */
  readonly userLastWorked: NamedRef | null;
  /** eGain's `payload` element, parsed; null when the activity has none. */
  readonly payload: unknown;
  /** The department a transfer moved it out of; null until one did. */
  readonly lastDepartment: { readonly id: string; readonly name: string } | null;
}

export interface NamedRef {
  readonly id: string;
  readonly name: string | null;
}

const fullName = (first: string | null, last: string | null) =>
  first === null ? null : `${first} ${last ?? ''}`.trim();

function parsePayload(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A payload is written by the service as JSON; a damaged one is left out rather than failing a read.
    return null;
  }
}

export const ACTIVITY_COLUMNS = [
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

type Unprefixed<T> = T extends `a.${infer C}` ? C : never;
/** The columns of ACTIVITY_COLUMNS: what the pick and the readers of activities select. */
type ActivityRow = Pick<Selectable<Database['activities']>, Unprefixed<(typeof ACTIVITY_COLUMNS)[number]>>;

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

/**
 * The activities with these ids, locked in ascending numeric id order (length, then text, is numeric
 * order for canonical digit strings), so that two overlapping batches of any operation (pick,
 * transfer, complete) always queue on their first common row and never deadlock. SQLite has no row
 * locks: its BEGIN IMMEDIATE already holds the database's write lock.
 */
export function lockActivitiesQuery(db: Kysely<Database>, dialect: Dialect, ids: readonly string[]) {
  return db
    .selectFrom('activities as a')
    .select(ACTIVITY_COLUMNS)
    .where('a.id', 'in', ids)
    .orderBy(sql`length(${sql.ref('a.id')})`)
    .orderBy('a.id')
    .$if(dialect === 'postgres', (query) => query.forUpdate());
}

/**
 * The latest assignment in an activity's history (activity_history_activity covers the lookup): a
 * user's id, kept even should the user be gone. Transfers to a queue or a department record
 * `queue:ID` / `department:ID` (lifecycle-writes.ts), never a user, and are passed over.
 */
const lastWorkedQuery = (eb: ExpressionBuilder<Database & { a: Database['activities'] }, 'a'>) =>
  eb
    .selectFrom('activity_history as h')
    .select('h.to_user_id')
    .whereRef('h.activity_id', '=', 'a.id')
    .where('h.to_user_id', 'not like', '%:%')
    .orderBy('h.id', 'desc')
    .limit(1)
    .$asScalar();

/**
 * The activities with the names a reader sees beside the ids, in one statement: GET by ids and the
 * search (store/activity-search.ts) add which activities (`where a.id in …`). Callers add the where.
 */
export function viewsQuery(db: Kysely<Database>) {
  return (
    db
      .selectFrom('activities as a')
      .leftJoin('users as u', 'u.id', 'a.assigned_user_id')
      .leftJoin('customers as c', 'c.id', 'a.customer_id')
      .leftJoin('users as cb', 'cb.id', 'a.created_by')
      // The name of the user the activity was last assigned to comes with the row (joined on the
      // same lookup as last_worked_id below) rather than from a statement of its own.
      .leftJoin('users as lw', (join) => join.on((eb) => eb('lw.id', '=', lastWorkedQuery(eb))))
      .select(ACTIVITY_COLUMNS)
      // The department, queue, type and last department names are scalar subqueries, not joins:
      // PostgreSQL plans every call of an unnamed statement, and ordering seven joined tables cost
      // 2–5 ms of planning per search against 0.4 ms for four (1M activities,
      // scripts/explain-lifecycle-search.ts); the rows are the same.
      .select((eb) => [
        eb
          .selectFrom('departments as d')
          .select('d.name')
          .whereRef('d.id', '=', 'a.department_id')
          .$asScalar()
          // Every activity's department exists (foreign key), as the former inner join assumed.
          .$notNull()
          .as('department_name'),
        eb
          .selectFrom('queues as q')
          .select('q.name')
          .whereRef('q.id', '=', 'a.queue_id')
          .$asScalar()
          .as('queue_name'),
        eb
          .selectFrom('activity_types as t')
          .select('t.display_name')
          .whereRef('t.name', '=', 'a.type')
          .$asScalar()
          .as('display_name'),
        eb
          .selectFrom('departments as ld')
          .select('ld.name')
          .whereRef('ld.id', '=', 'a.last_department_id')
          .$asScalar()
          .as('last_department_name'),
      ])
      .select((eb) => lastWorkedQuery(eb).as('last_worked_id'))
      .select([
        'u.first_name',
        'u.last_name',
        'a.case_id',
        'a.customer_id',
        'c.first_name as customer_first_name',
        'c.last_name as customer_last_name',
        'a.due_date_ms',
        'a.created_by',
        'cb.first_name as created_by_first_name',
        'cb.last_name as created_by_last_name',
        'a.payload_json',
        'a.last_department_id',
        'lw.first_name as last_worked_first_name',
        'lw.last_name as last_worked_last_name',
      ])
  );
}

type ViewRow = Awaited<ReturnType<ReturnType<typeof viewsQuery>['execute']>>[number];

export function toActivityView(row: ViewRow): ActivityView {
  return {
    ...toActivity(row),
    departmentName: row.department_name,
    queueName: row.queue_name,
    assignedUserName: fullName(row.first_name, row.last_name),
    customTypeDisplayName: row.display_name,
    caseId: row.case_id,
    customer:
      row.customer_id === null
        ? null
        : {
            id: row.customer_id,
            firstName: row.customer_first_name ?? '',
            lastName: row.customer_last_name ?? '',
          },
    dueDateMs: row.due_date_ms === null ? null : Number(row.due_date_ms),
    createdBy:
      row.created_by === null
        ? null
        : { id: row.created_by, name: fullName(row.created_by_first_name, row.created_by_last_name) },
    userLastWorked:
      row.last_worked_id === null
        ? null
        : { id: row.last_worked_id, name: fullName(row.last_worked_first_name, row.last_worked_last_name) },
    payload: parsePayload(row.payload_json),
    lastDepartment:
      row.last_department_id === null
        ? null
        : { id: row.last_department_id, name: row.last_department_name ?? '' },
  };
}

/** Points where a test steps into the pick transaction; the service sets none. */
export interface ActivityStoreSeams {
  /** Runs inside the transaction after the rows were locked and judged, before the plan is written. */
  readonly beforePickWrite?: (trx: Kysely<Database>, plan: PickPlan) => Promise<void>;
}

export class ActivityStore implements PickStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly transactional: Transactional,
    private readonly seams: ActivityStoreSeams = {},
    private readonly eventsCommitted: EventsCommitted = () => undefined,
  ) {}

  private readonly templates = new QueryTemplates();

  /**
   * GET and search: the activities with these ids that exist, with the names shown beside ids. One
   * SQL text per number of ids, a named prepared statement on PostgreSQL: its plan does not depend
   * on the ids, so the server keeps a generic one instead of planning the joins on every call.
   */
  async findViews(ids: readonly string[]): Promise<ActivityView[]> {
    if (ids.length === 0) return [];
    const query = this.templates.query(
      `views:${ids.length}`,
      (slot) =>
        viewsQuery(this.db).where(
          'a.id',
          'in',
          ids.map((_, i) => slot(i)),
        ),
      ids,
    );
    return (await this.db.executeQuery(prepared(query))).rows.map(toActivityView);
  }

  /**
   * `factsVersion`: the organisation version the caller's facts were read at, when they were not
   * confirmed before. The lock statement reads the version with the rows; when it moved, nothing is
   * judged or written and FactsMovedError is thrown (the caller judges again on fresh facts).
   */
  async pickAtomically(
    ids: readonly string[],
    decide: (found: readonly Activity[]) => Outcome<PickPlan>,
    factsVersion?: number,
  ): Promise<Outcome<PickPlan>> {
    try {
      const { outcome, events } = await this.transactional(async (trx) => {
        const rows = await this.selectForUpdate(trx, ids, factsVersion !== undefined);
        await checkFactsVersion(trx, factsVersion, rows[0]?.organisation_version);
        const found = rows.map((row) => ({ ...toActivity(row), caseId: row.case_id }));
        const outcome = decide(found);
        if (!outcome.ok) return { outcome, events: [] };
        await this.seams.beforePickWrite?.(trx, outcome.value);
        return { outcome, events: await this.writePlan(trx, outcome.value, found) };
      });
      this.eventsCommitted(events);
      return outcome;
    } catch (error) {
      if (error instanceof RowsChangedError) return fail({ kind: 'StaleLastModified', ids: error.ids });
      throw error;
    }
  }

  /** The pick's lock query, with the case its events name (the column costs no extra read). */
  private lockQuery(db: Kysely<Database>, ids: readonly string[]) {
    return lockActivitiesQuery(db, this.dialect, ids).select('a.case_id');
  }

  private async selectForUpdate(
    trx: Kysely<Database>,
    ids: readonly string[],
    withVersion: boolean,
  ): Promise<(ActivityRow & { case_id: string | null; organisation_version?: number | string | null })[]> {
    const query = this.templates.query(
      `lock:${ids.length}:${withVersion}`,
      (slot) =>
        this.lockQuery(
          this.db,
          ids.map((_, i) => slot(i)),
        ).$if(withVersion, (q) =>
          // Read in the locking statement's snapshot: the facts judged are those the rows are locked
          // under, with no round trip of its own.
          q.select(() => versionQuery(this.db).$asScalar().as('organisation_version')),
        ),
      ids,
    );
    return (await trx.executeQuery(query)).rows;
  }

  /** The lock query's SQL on this dialect, for review and for the test that pins it. */
  lockSql(ids: readonly string[]): string {
    return this.lockQuery(this.db, ids).compile().sql;
  }

  /**
   * One UPDATE for the whole batch and the history entries: one multi-row INSERT on SQLite, and on
   * PostgreSQL part of the UPDATE's statement. The UPDATE matches
   * each row on the lastModified the rules judged too: should the row lock ever fail to hold (a
   * misconfigured isolation, a driver or database bug), a row changed in between is not overwritten,
   * and the whole pick is refused as stale — two picks can never both win the same activity.
   * Then the pick's events (outbox), which it answers.
   */
  private async writePlan(
    trx: Kysely<Database>,
    plan: PickPlan,
    found: readonly Activity[],
  ): Promise<ActivityEvent[]> {
    const ids = plan.changes.map((change) => change.activityId);
    const n = ids.length;
    const update = this.templates.query(
      `pick-update:${n}`,
      (slot) =>
        this.db
          .updateTable('activities')
          .set({
            status: 'assigned',
            substatus: 'new',
            assigned_user_id: slot(0),
            pinned: 0,
            locked: 0,
            last_modified_ms: slot(1),
            last_modified_by: slot(0),
            last_action: 'picked',
          })
          // The ids find the rows through the primary key (an OR of (id, lastModified) pairs made
          // PostgreSQL bitmap-OR 75 index scans: 75-activity picks ~30 % slower); the CASE then
          // only filters the rows found. The cast gives PostgreSQL the type of the bare parameters.
          .where(
            'id',
            'in',
            ids.map((_, i) => slot(2 + 2 * i)),
          )
          .where(
            sql<boolean>`${sql.ref('last_modified_ms')} = case ${sql.ref('id')} ${sql.join(
              ids.map((_, i) => sql`when ${slot(2 + 2 * i)} then cast(${slot(3 + 2 * i)} as bigint)`),
              sql` `,
            )} end`,
          )
          .returning('id'),
      [
        plan.userId,
        plan.lastModifiedMs,
        ...plan.changes.flatMap((change) => [change.activityId, change.previousLastModifiedMs]),
      ],
    );
    const pickId = randomUUID();
    // PostgreSQL: the history rows in the UPDATE's statement (one round trip), for the rows it
    // changed; should it change fewer, the error below rolls the whole transaction back anyway.
    const updated = await trx.executeQuery<{ id: string }>(
      this.dialect === 'postgres' ? withPickHistoryPostgres(update, plan, pickId) : update,
    );
    if (updated.rows.length !== n) {
      const written = new Set(updated.rows.map((row) => row.id));
      throw new RowsChangedError(ids.filter((id) => !written.has(id)));
    }
    if (this.dialect !== 'postgres') {
      await trx.executeQuery(
        this.templates.query(
          `pick-history:${n}`,
          (slot) =>
            this.db.insertInto('activity_history').values(
              plan.changes.map((_, r) => ({
                activity_id: slot(4 * r),
                pick_id: slot(4 * n),
                from_kind: slot(4 * r + 1),
                from_id: slot(4 * r + 2),
                to_user_id: slot(4 * n + 1),
                by_user_id: slot(4 * n + 1),
                at_ms: slot(4 * n + 2),
                unpinned: slot(4 * r + 3),
                action: 'picked',
              })),
            ),
          // Per row: activity, from kind, from id, unpinned; then the pick's id, user and time.
          [
            ...plan.changes.flatMap((change) => [
              change.activityId,
              change.from.kind,
              change.from.id,
              change.unpinned ? 1 : 0,
            ]),
            pickId,
            plan.userId,
            plan.lastModifiedMs,
          ],
        ),
      );
    }
    const events = pickEvents(found.map(toSubject), plan, {
      actor: { kind: 'user', userId: plan.userId },
      requestId: pickId,
      atMs: plan.lastModifiedMs,
    });
    await appendEvents(trx, events);
    return events;
  }
}

/**
 * PostgreSQL: the pick's UPDATE (its RETURNING answers the statement) with the history rows of the
 * activities it changed, from four arrays in the plan's order — seven parameters for any batch, where
 * a multi-row VALUES bound 675 for 75 activities, in the same round trip.
 */
function withPickHistoryPostgres(update: CompiledQuery, plan: PickPlan, pickId: string): CompiledQuery {
  const changes = plan.changes;
  const at = update.parameters.length;
  const p = (i: number) => `$${at + i}`;
  return CompiledQuery.raw(
    `with updated as (${update.sql}),
     history as (
       insert into activity_history
         (activity_id, pick_id, from_kind, from_id, to_user_id, by_user_id, at_ms, unpinned, action)
       select h.activity_id, ${p(5)}, h.from_kind, h.from_id, ${p(6)}, ${p(6)}, ${p(7)}, h.unpinned, 'picked'
       from unnest(${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::integer[])
         with ordinality as h(activity_id, from_kind, from_id, unpinned, n)
       join updated on updated.id = h.activity_id
       order by h.n
     )
     select id from updated`,
    [
      ...update.parameters,
      changes.map((change) => change.activityId),
      changes.map((change) => change.from.kind),
      changes.map((change) => change.from.id),
      changes.map((change) => (change.unpinned ? 1 : 0)),
      pickId,
      plan.userId,
      plan.lastModifiedMs,
    ],
  );
}
