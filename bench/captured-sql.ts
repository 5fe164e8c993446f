// The database ceiling must issue exactly the SQL the service issues. Rather than copy the queries
// (and drift when the store changes), we run the store's own code once — UserStore.findUser and
// loadFacts, ActivityStore.findViews and pickAtomically through createTransactional — on a Kysely
// whose `log` hook records every statement, with marker values in place of the ids, the user and the
// clock. Each recorded parameter then becomes a slot that the ceiling fills with real values.
// The SQL text depends only on the number of ids, so this runs on the fresh, still empty database.
import { randomUUID } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { fail, succeed } from '../src/domain/failures.js';
import type { PickPlan } from '../src/domain/pick-rules.js';
import { ActivityStore } from '../src/store/activity-store.js';
import type { Dialect } from '../src/store/dialect.js';
import { migrateToLatest } from '../src/store/migrator.js';
import type { Database } from '../src/store/schema.js';
import { createTransactional } from '../src/store/transaction.js';
import { UserStore } from '../src/store/user-store.js';

export type Slot =
  | { readonly kind: 'const'; readonly value: unknown }
  | { readonly kind: 'user' }
  | { readonly kind: 'id'; readonly index: number }
  | { readonly kind: 'fromKind'; readonly index: number }
  | { readonly kind: 'fromId'; readonly index: number }
  | { readonly kind: 'lastModified' }
  /** The lastModified the pick judged for the activity at this index (the UPDATE matches on it). */
  | { readonly kind: 'previousLastModified'; readonly index: number }
  /** A value the store makes up per execution (the pick's UUID): the ceiling makes a fresh one too. */
  | { readonly kind: 'uuid' }
  /** An array parameter (PostgreSQL's unnest forms), each element a slot of its own. */
  | { readonly kind: 'array'; readonly items: readonly Slot[] };

export interface Statement {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

export interface Binding {
  readonly userId: string;
  readonly ids: readonly string[];
  readonly fromKinds?: readonly string[];
  readonly fromIds?: readonly string[];
  readonly lastModifiedMs?: number;
  readonly previousLastModifiedMs?: readonly number[];
  readonly uuid?: string;
}

export function bind(statement: Statement, b: Binding): unknown[] {
  return bindSlots(statement.slots, b, b.uuid ?? randomUUID());
}

/** One UUID per execution, shared by every slot that names it (the pick id and the events' request id). */
function bindSlots(slots: readonly Slot[], b: Binding, uuid: string): unknown[] {
  return slots.map((slot) => {
    switch (slot.kind) {
      case 'const':
        return slot.value;
      case 'user':
        return b.userId;
      case 'id':
        return b.ids[slot.index];
      case 'fromKind':
        return b.fromKinds![slot.index];
      case 'fromId':
        return b.fromIds![slot.index];
      case 'lastModified':
        return b.lastModifiedMs!;
      case 'previousLastModified':
        return b.previousLastModifiedMs![slot.index];
      case 'uuid':
        return uuid;
      case 'array':
        return bindSlots(slot.items, b, uuid);
    }
  });
}

/** A transaction as the service runs it: begin…, the locking SELECT, then (on success) the writes, end. */
export interface PickStatements {
  readonly begin: Statement;
  readonly select: Statement;
  /**
   * In order: the UPDATE, the history INSERT (on PostgreSQL part of the UPDATE's statement), then
   * what appendEvents issues (store/outbox.ts): the events and their webhook deliveries (one
   * statement on PostgreSQL).
   */
  readonly writes: readonly Statement[];
  readonly commit: Statement;
}

export interface CapturedSql {
  readonly dialect: Dialect;
  readonly findUser: Statement;
  /** What loadFacts issues (one statement today; earlier versions issued five, together). */
  readonly loadFacts: readonly Statement[];
  /** findViews by number of ids. */
  readonly views: ReadonlyMap<number, Statement>;
  /** pickAtomically by number of ids. */
  readonly pick: ReadonlyMap<number, PickStatements>;
}

const USER = 'bench-marker-user';
const LAST_MODIFIED = 4_102_444_800_123;
/** previousLastModifiedMs of the activity at index i is PREVIOUS + i. */
const PREVIOUS = 4_000_000_000_000;
const MAX_IDS = 1000;
const MARKER_DEPARTMENT = 'bench-marker-dept';
const idMarker = (i: number) => `bench-marker-id-${i}`;
const kindMarker = (i: number) => `bench-marker-kind-${i}`;
const fromMarker = (i: number) => `bench-marker-from-${i}`;

function toSlot(value: unknown): Slot {
  if (Array.isArray(value)) return { kind: 'array', items: value.map(toSlot) };
  if (value === USER) return { kind: 'user' };
  if (value === LAST_MODIFIED) return { kind: 'lastModified' };
  if (typeof value === 'number' && value >= PREVIOUS && value < PREVIOUS + MAX_IDS)
    return { kind: 'previousLastModified', index: value - PREVIOUS };
  if (typeof value === 'string') {
    const m = /^bench-marker-(id|kind|from)-(\d+)$/.exec(value);
    if (m) {
      const index = Number(m[2]);
      return m[1] === 'id'
        ? { kind: 'id', index }
        : m[1] === 'kind'
          ? { kind: 'fromKind', index }
          : { kind: 'fromId', index };
    }
    // The events name the department; the ceiling writes the marker as is (the outbox has no key).
    if (value === MARKER_DEPARTMENT) return { kind: 'const', value };
    if (value.startsWith('bench-marker')) throw new Error(`unmapped marker ${value}`);
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
      return { kind: 'uuid' };
  }
  return { kind: 'const', value };
}

function toStatement(query: CompiledQuery): Statement {
  return { sql: query.sql, slots: query.parameters.map(toSlot) };
}

/** Opens a Kysely on the bench database that records every statement it runs. */
function recordingKysely(dialect: Dialect, target: string, log: CompiledQuery[]) {
  const onLog = (event: { level: string; query: CompiledQuery }) => {
    if (event.level === 'query') log.push(event.query);
  };
  if (dialect === 'sqlite') {
    // The service's pragmas (store/database.ts), so that the capture runs as the service would.
    const database = new SqliteDatabase(target);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    return new Kysely<Database>({ dialect: new SqliteDialect({ database }), log: onLog });
  }
  const pool = new pg.Pool({ connectionString: target, max: 2 });
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: onLog });
}

/**
 * Migrates the (empty) bench database with the service's migrator, records the statements of each
 * store operation, and removes the history rows the recorded pick wrote.
 */
export async function captureSql(
  dialect: Dialect,
  target: string,
  idCounts: readonly number[],
): Promise<CapturedSql> {
  const log: CompiledQuery[] = [];
  const db = recordingKysely(dialect, target, log);
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect);
    const users = new UserStore(db);
    const activities = new ActivityStore(db, dialect, createTransactional(db, dialect));
    const take = () => log.splice(0, log.length).map(toStatement);

    take();
    await users.findUser(USER);
    const [findUser] = take();
    await users.loadFacts(USER);
    const loadFacts = take();
    if (loadFacts.length === 0) throw new Error('loadFacts issued no statement');

    const views = new Map<number, Statement>();
    const pick = new Map<number, PickStatements>();
    for (const n of idCounts) {
      const ids = Array.from({ length: n }, (_, i) => idMarker(i));
      // The UPDATE matches each row on the lastModified judged: marker rows that match, so that the
      // pick writes and the capture sees every statement of a successful pick.
      await seedMarkerActivities(db, ids);
      log.length = 0;
      await activities.findViews(ids);
      const [view] = take();
      views.set(n, view);
      const plan: PickPlan = {
        userId: USER,
        lastModifiedMs: LAST_MODIFIED,
        changes: ids.map((id, i) => ({
          activityId: id,
          // Markers where the real values vary per activity ('queue' or 'user', and its id).
          from: { kind: kindMarker(i) as 'queue', id: fromMarker(i) },
          unpinned: false,
          previousLastModifiedMs: PREVIOUS + i,
        })),
      };
      await activities.pickAtomically(ids, () => succeed(plan));
      const statements = take();
      // SQLite: begin, lock, update, history, events, webhook deliveries, commit. PostgreSQL: begin,
      // lock, update with history, events with their deliveries, commit.
      const expected = dialect === 'postgres' ? 5 : 7;
      if (statements.length !== expected) {
        throw new Error(
          `pickAtomically issued ${statements.length} statements, expected ${expected}:\n` +
            statements.map((s) => s.sql).join('\n'),
        );
      }
      const [begin, select] = statements;
      const writes = statements.slice(2, -1);
      const commit = statements[statements.length - 1];
      // A refused pick ends the same transaction without writing: begin, select, commit.
      await activities.pickAtomically(ids, () => fail({ kind: 'StaleLastModified', ids }));
      const refused = take();
      if (refused.length !== 3 || refused[2].sql !== commit.sql) {
        throw new Error(`a refused pick issued ${refused.map((s) => s.sql).join(' | ')}`);
      }
      pick.set(n, { begin, select, writes, commit });
    }
    // The recorded picks wrote history rows and marker rows: the bench database starts empty.
    await db.deleteFrom('activity_history').execute();
    await db.deleteFrom('events').execute();
    await db.deleteFrom('activities').execute();
    await db.deleteFrom('users').execute();
    await db.deleteFrom('departments').execute();
    return { dialect, findUser, loadFacts, views, pick };
  } finally {
    await db.destroy();
  }
}

/** A department, the marker user, and one activity per marker id whose lastModified is PREVIOUS + i. */
async function seedMarkerActivities(db: Kysely<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length > MAX_IDS) throw new Error(`at most ${MAX_IDS} ids`);
  await db.deleteFrom('activities').execute();
  await db.deleteFrom('users').execute();
  await db.deleteFrom('departments').execute();
  await db.insertInto('departments').values({ id: 'bench-marker-dept', name: 'marker' }).execute();
  await db
    .insertInto('users')
    .values({
      id: USER,
      login_name: USER,
      first_name: 'marker',
      last_name: 'marker',
      home_department_id: 'bench-marker-dept',
    })
    .execute();
  await db
    .insertInto('activities')
    .values(
      ids.map((id, i) => ({
        id,
        department_id: 'bench-marker-dept',
        type: 'email',
        subject: '',
        status: 'awaiting_assignment',
        pinned: 0,
        locked: 0,
        is_draft_response: 0,
        created_ms: 0,
        last_modified_ms: PREVIOUS + i,
      })),
    )
    .execute();
}

/** The statements, for `--show-sql`. */
export function describeSql(captured: CapturedSql): string {
  const lines = [`-- ${captured.dialect}`, captured.findUser.sql, ...captured.loadFacts.map((s) => s.sql)];
  for (const [n, s] of captured.views) lines.push(`-- findViews(${n})`, abbreviate(s.sql));
  for (const [n, p] of captured.pick) {
    lines.push(
      `-- pickAtomically(${n})`,
      ...[p.begin, p.select, ...p.writes, p.commit].map((s) => abbreviate(s.sql)),
    );
  }
  return lines.join('\n');
}

function abbreviate(sql: string): string {
  return sql.length > 400 ? `${sql.slice(0, 400)}… (${sql.length} chars)` : sql;
}
