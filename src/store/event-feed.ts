// Reading the outbox for the live stream: the rows a stream sends, the replay of a reconnecting
// client (Last-Event-ID), and, on PostgreSQL, the one-statement read that tells which ids are final
// (store/event-order.ts). Both dialects share the Kysely queries; only the snapshot read is PostgreSQL's.
import type { Kysely } from 'kysely';
import type { Snapshot } from './event-order.js';
import type { Database } from './schema.js';

/** One committed outbox event as a stream sends it. */
export interface StoredEvent {
  readonly id: number;
  readonly type: string;
  readonly activityId: string | null;
  readonly departmentId: string;
  readonly previousDepartmentId: string | null;
  readonly userId: string | null;
  readonly previousUserId: string | null;
  readonly atMs: number;
  readonly payloadJson: string;
}

/** Whose events a stream carries: a user, and the departments whose activities they may see. */
export interface Audience {
  readonly userId: string;
  readonly departmentIds: readonly string[];
}

/** The stream's visibility rule, in memory (the live path); `replay` applies the same one in SQL. */
export function concerns(audience: Audience, event: StoredEvent): boolean {
  return (
    audience.departmentIds.includes(event.departmentId) ||
    (event.previousDepartmentId !== null && audience.departmentIds.includes(event.previousDepartmentId)) ||
    event.userId === audience.userId ||
    event.previousUserId === audience.userId
  );
}

const COLUMNS = [
  'id',
  'type',
  'activity_id',
  'department_id',
  'previous_department_id',
  'user_id',
  'previous_user_id',
  'at_ms',
  'payload_json',
] as const;

type EventColumns = Pick<Database['events'], (typeof COLUMNS)[number]>;

function toStoredEvent(row: { [K in keyof EventColumns]: unknown }): StoredEvent {
  return {
    id: Number(row.id),
    type: row.type as string,
    activityId: (row.activity_id as string | null) ?? null,
    departmentId: row.department_id as string,
    previousDepartmentId: (row.previous_department_id as string | null) ?? null,
    userId: (row.user_id as string | null) ?? null,
    previousUserId: (row.previous_user_id as string | null) ?? null,
    atMs: Number(row.at_ms),
    payloadJson: row.payload_json as string,
  };
}

export class EventFeedStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The highest id committed so far (0 for none). */
  async maxId(): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  /** When the event a client last received was written; undefined when the table no longer holds it. */
  async writtenAt(id: number): Promise<number | undefined> {
    const row = await this.db.selectFrom('events').select('at_ms').where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : Number(row.at_ms);
  }

  /** When the oldest event the table holds was written; undefined when it holds none. */
  async firstWrittenAt(): Promise<number | undefined> {
    const row = await this.db.selectFrom('events').select('at_ms').orderBy('id').limit(1).executeTakeFirst();
    return row === undefined ? undefined : Number(row.at_ms);
  }

  /** Every event after `after` (SQLite's live read: one writer at a time, so ids commit in order). */
  async readAfter(after: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .select(COLUMNS)
      .where('id', '>', after)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toStoredEvent);
  }

  /** A reconnecting client's missed events: those it may see with after < id ≤ upto, in id order. */
  async replay(audience: Audience, after: number, upto: number, limit: number): Promise<StoredEvent[]> {
    const departments = audience.departmentIds.length > 0 ? audience.departmentIds : [''];
    const rows = await this.db
      .selectFrom('events')
      .select(COLUMNS)
      .where('id', '>', after)
      .where('id', '<=', upto)
      .where((eb) =>
        eb.or([
          eb('department_id', 'in', departments),
          eb('previous_department_id', 'in', departments),
          eb('user_id', '=', audience.userId),
          eb('previous_user_id', '=', audience.userId),
        ]),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toStoredEvent);
  }
}

/** What the PostgreSQL read needs of a connection: a dedicated `pg` client fits. */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

// One statement, hence one snapshot: the rows and the xmin they were read under agree, which
// event-order.ts needs to tell a gap that can still fill from one that never will.
const SNAPSHOT_READ = `
  with s as (select pg_current_snapshot() as snap)
  select pg_snapshot_xmin(s.snap)::text as xmin,
    (select coalesce(json_agg(e order by e.id), '[]'::json) from (
       select ${COLUMNS.join(', ')} from events
       where id > $1 or id = any($2::bigint[])
       order by id limit $3) e) as rows
  from s`;

/** The committed rows with id > after or among `pending`, and the snapshot they were read under. */
export async function readWithSnapshot(
  client: SqlClient,
  after: number,
  pending: readonly number[],
  limit: number,
): Promise<{ rows: StoredEvent[]; snapshot: Snapshot }> {
  const result = await client.query(SNAPSHOT_READ, [after, pending, limit]);
  const row = result.rows[0];
  const raw = (typeof row.rows === 'string' ? JSON.parse(row.rows) : row.rows) as EventColumns[];
  return {
    rows: raw.map(toStoredEvent),
    snapshot: { xmin: BigInt(row.xmin as string) },
  };
}

/**
 * An xid of the reader's own, assigned now (its one-statement transaction commits at once; the
 * listening session commits asynchronously, as it writes nothing): a bound above every xid assigned
 * before this call (store/event-order.ts).
 */
export async function takeXid(client: SqlClient): Promise<bigint> {
  const result = await client.query('select pg_current_xact_id()::text as xid');
  return BigInt(result.rows[0].xid as string);
}
