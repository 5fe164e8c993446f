// The transactional outbox (migration 0007): the writes add their events here inside their own
// transaction, so an event exists if and only if its change committed, even when the process dies
// between the commit and any delivery. History, webhooks and the live stream read this table.
//
// Ordering on PostgreSQL: a bigserial id is taken at INSERT, not at commit, so a transaction that
// inserted id 10 may commit after one that inserted id 11. A reader that remembers "the last id I
// saw" could skip 10 for ever. The `tx` column (the writer's xid8) lets a reader ask only for rows
// written by transactions older than every transaction still running
// (`tx < pg_snapshot_xmin(pg_current_snapshot())`): that set can no longer grow. The live stream reads
// in id order with gap tracking instead (store/event-order.ts), which needs the xid assigned before
// the id is taken: on PostgreSQL appendEvents takes it in the same statement, as an input of the rows
// whose ids it takes (appendEventsPostgres).
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { QueryTemplates } from './query-templates.js';
import type { Database } from './schema.js';
import { deliveriesInsert, enqueueDeliveries } from './webhook-fan-out.js';

/** eGain's callback vocabulary (§9 of the reference). */
export type EventType = 'activity_created' | 'activity_transition' | 'activity_completed' | 'case_closed';

export interface OutboxEvent {
  readonly type: EventType;
  readonly activityId: string | null;
  readonly caseId: string | null;
  /** The department the activity is in after the change: who may see the event. */
  readonly departmentId: string;
  /** The department it left (department transfers), whose users may see it too. */
  readonly previousDepartmentId?: string | null;
  /** The owner after the change, and the owner before it (the agent an activity was taken from). */
  readonly userId?: string | null;
  readonly previousUserId?: string | null;
  /** A user id, `client:NAME`, or `system`. */
  readonly actor: string;
  /** Ties together the events (and history rows) one request wrote. */
  readonly requestId: string;
  readonly atMs: number;
  /** The eGain message payload (`messages[].payload`). */
  readonly payload: Record<string, unknown>;
}

/** The PostgreSQL channel told after each commit that added events (the live stream's LISTEN). */
export const EVENTS_CHANNEL = 'casemgr_events';

const COLUMNS_PER_EVENT = 11;
/**
 * The INSERT compiled once per dialect and number of events (store/query-templates.ts): it is on
 * the pick path. Keyed by the dialect adapter's class, since one process may open both dialects.
 */
const templatesByDialect = new WeakMap<object, QueryTemplates>();

function templatesFor(trx: Kysely<Database>): QueryTemplates {
  const dialect = trx.getExecutor().adapter.constructor;
  let templates = templatesByDialect.get(dialect);
  if (!templates) {
    templates = new QueryTemplates();
    templatesByDialect.set(dialect, templates);
  }
  return templates;
}

/** The events' column values, in COLUMNS_PER_EVENT order, one array per event. */
function columnValues(event: OutboxEvent): unknown[] {
  return [
    event.type,
    event.activityId,
    event.caseId,
    event.departmentId,
    event.previousDepartmentId ?? null,
    event.userId ?? null,
    event.previousUserId ?? null,
    event.actor,
    event.requestId,
    event.atMs,
    JSON.stringify(event.payload),
  ];
}

/**
 * Inside the caller's transaction: the events, then the webhook deliveries of those events
 * (src/store/webhook-fan-out.ts); nothing is written for an empty list. One statement on
 * PostgreSQL, two on SQLite.
 */
export async function appendEvents(trx: Kysely<Database>, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (trx.getExecutor().adapter instanceof PostgresAdapter) return appendEventsPostgres(trx, events);
  const inserted = await trx.executeQuery<{ id: number | string }>(
    templatesFor(trx).query(
      `events:${events.length}`,
      (slot) =>
        trx
          .insertInto('events')
          .values(
            events.map((_, row) => {
              const at = (column: number) => slot(row * COLUMNS_PER_EVENT + column);
              return {
                type: at(0),
                activity_id: at(1),
                case_id: at(2),
                department_id: at(3),
                previous_department_id: at(4),
                user_id: at(5),
                previous_user_id: at(6),
                actor: at(7),
                request_id: at(8),
                at_ms: at(9),
                payload_json: at(10),
              };
            }),
          )
          .returning('id'),
      events.flatMap(columnValues),
    ),
  );
  await enqueueDeliveries(
    trx,
    inserted.rows.map((row) => row.id),
    Date.now(),
  );
}

/** The PostgreSQL type of each column's array, in COLUMNS_PER_EVENT order. */
const PG_ARRAY_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'text',
];

/**
 * One statement, one SQL text for any number of events (the columns as arrays): take the
 * transaction's xid, insert the events in list order, and their webhook
 * deliveries — one round trip where there were three.
 *
 * event-order.ts needs the writer's xid assigned before any event id is taken. Here the xid is an
 * input of every inserted row (`writer.tx` fills the tx column): the `writer` CTE is evaluated when
 * the INSERT's source first reads it, the source's rows are produced (and sorted) before the INSERT
 * evaluates the id default (nextval) on each of them, so no id can be taken before
 * pg_current_xact_id() has run. It is the value the column's default would give (the same function,
 * same transaction). The listeners are woken after the commit, by a NOTIFY outside this
 * transaction (src/events/commit-notifier.ts says why); they read the table, so no payload is
 * needed. The deliveries read the rows the INSERT
 * returned: the events table itself does not show them to the same statement.
 */
async function appendEventsPostgres(trx: Kysely<Database>, events: readonly OutboxEvent[]): Promise<void> {
  const rows = events.map(columnValues);
  const arrays = PG_ARRAY_TYPES.map(
    (type, column) => sql`cast(${rows.map((row) => row[column])} as ${sql.raw(type)}[])`,
  );
  await sql`
    with writer as materialized (
      select pg_current_xact_id() as tx
    ), inserted as (
      insert into events (tx, type, activity_id, case_id, department_id, previous_department_id,
        user_id, previous_user_id, actor, request_id, at_ms, payload_json)
      select writer.tx, e.type, e.activity_id, e.case_id, e.department_id, e.previous_department_id,
        e.user_id, e.previous_user_id, e.actor, e.request_id, e.at_ms, e.payload_json
      from writer
      cross join unnest(${sql.join(arrays)}) with ordinality as e(type, activity_id, case_id,
        department_id, previous_department_id, user_id, previous_user_id, actor, request_id, at_ms,
        payload_json, n)
      order by e.n
      returning id, type, activity_id, case_id
    ), delivered as (
      ${deliveriesInsert(sql`inserted`, Date.now())}
    )
    select count(*) from inserted`.execute(trx);
}
