// The database ceiling: the service's own statements (captured-sql.ts), issued straight through the
// same driver — better-sqlite3 or pg — with no HTTP, no token, no validation, no Kysely. What a request
// costs the database is: findUser + loadFacts (the service reads the caller's facts per request), then
// for a pick the transaction begin / SELECT … (FOR UPDATE) / UPDATE / INSERT history / commit.
// The only logic kept is what decides whether the transaction writes (lastModified equal, not already
// the caller's), so that the contended and the stale scenarios end the same way the service's do.
import { randomUUID } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { bind, type Binding, type CapturedSql, type Statement } from './captured-sql.js';
import { Recorder, type RunStats } from './stats.js';

export interface PickItem {
  readonly id: string;
  readonly lastModifiedMs: number;
}

/** How a pick transaction ended: written, or refused inside the transaction like 409 / 400-303. */
export type PickEnd = 'picked' | 'stale' | 'mine';

export interface ViewRow {
  readonly id: string;
  readonly status: string;
  readonly assignedUserId: string | null;
  readonly lastModifiedMs: number;
}

export interface DirectDatabase {
  /** findUser, then the loadFacts statement(s). */
  facts(userId: string): Promise<void>;
  views(ids: readonly string[]): Promise<ViewRow[]>;
  /** The pick transaction; ends without writing when a lastModified differs or a row is the caller's. */
  pick(userId: string, items: readonly PickItem[]): Promise<PickEnd>;
  close(): Promise<void>;
}

interface ActivityRow {
  id: string;
  status: string;
  queue_id: string | null;
  assigned_user_id: string | null;
  last_modified_ms: number | string;
}

/** The pick's verdict on the locked rows, and the history values the service's plan would carry. */
function judge(userId: string, items: readonly PickItem[], rows: readonly ActivityRow[]) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  let end: PickEnd = 'picked';
  let previous = 0;
  const fromKinds: string[] = [];
  const fromIds: string[] = [];
  const previousLastModifiedMs: number[] = [];
  for (const item of items) {
    const row = byId.get(item.id);
    if (!row) return { end: 'stale' as const };
    const assigned = row.status === 'assigned';
    if (assigned && row.assigned_user_id === userId) end = 'mine';
    else if (end === 'picked' && Number(row.last_modified_ms) !== item.lastModifiedMs) end = 'stale';
    previous = Math.max(previous, Number(row.last_modified_ms));
    previousLastModifiedMs.push(Number(row.last_modified_ms));
    fromKinds.push(assigned ? 'user' : 'queue');
    fromIds.push((assigned ? row.assigned_user_id : row.queue_id) ?? '');
  }
  return {
    end,
    fromKinds,
    fromIds,
    previousLastModifiedMs,
    lastModifiedMs: Math.max(Date.now(), previous + 1),
    uuid: randomUUID(),
  };
}

function toView(row: ActivityRow): ViewRow {
  return {
    id: row.id,
    status: row.status,
    assignedUserId: row.assigned_user_id,
    lastModifiedMs: Number(row.last_modified_ms),
  };
}

function statementFor<T>(map: ReadonlyMap<number, T>, n: number, what: string): T {
  const found = map.get(n);
  if (!found) throw new Error(`no captured ${what} statement for ${n} ids`);
  return found;
}

/**
 * A better-sqlite3 connection with the service's pragmas, and each SQL text prepared once and reused
 * (what a direct caller of the driver does): shared by every SQLite ceiling and replayer.
 */
export function openSqliteReplayDatabase(path: string): {
  readonly db: SqliteDatabase.Database;
  readonly statementOf: (sql: string) => SqliteDatabase.Statement;
} {
  const db = new SqliteDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const prepared = new Map<string, SqliteDatabase.Statement>();
  const statementOf = (sql: string) => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  };
  return { db, statementOf };
}

/**
 * better-sqlite3, synchronous, statements prepared once and reused (what a direct caller of the driver
 * does; Kysely prepares each statement again per execution — part of what the ratio shows).
 */
export function openSqliteDirect(path: string, sql: CapturedSql): DirectDatabase {
  const { db, statementOf } = openSqliteReplayDatabase(path);
  const run = (statement: Statement, binding: Binding): ActivityRow[] => {
    const stmt = statementOf(statement.sql);
    const params = bind(statement, binding);
    if (stmt.reader) return stmt.all(params) as ActivityRow[];
    stmt.run(params);
    return [];
  };
  return {
    async facts(userId) {
      run(sql.findUser, { userId, ids: [] });
      for (const statement of sql.loadFacts) run(statement, { userId, ids: [] });
    },
    async views(ids) {
      return run(statementFor(sql.views, ids.length, 'findViews'), { userId: '', ids }).map(toView);
    },
    async pick(userId, items) {
      const statements = statementFor(sql.pick, items.length, 'pick');
      const ids = items.map((i) => i.id);
      run(statements.begin, { userId, ids });
      try {
        const verdict = judge(userId, items, run(statements.select, { userId, ids }));
        if (verdict.end === 'picked') {
          const binding = { userId, ids, ...verdict };
          for (const statement of statements.writes) run(statement, binding);
        }
        run(statements.commit, { userId, ids });
        return verdict.end;
      } catch (error) {
        if (db.inTransaction) db.exec('rollback');
        throw error;
      }
    },
    async close() {
      db.close();
    },
  };
}

/** pg with a pool the size of the service's and the service's pool settings (store/database.ts). */
export function openPostgresDirect(url: string, poolMax: number, sql: CapturedSql): DirectDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    statement_timeout: 5000,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => undefined);
  type Queryable = Pick<pg.PoolClient, 'query'>;
  const run = async (on: Queryable, statement: Statement, binding: Binding): Promise<ActivityRow[]> =>
    (await on.query<ActivityRow>(statement.sql, bind(statement, binding))).rows;
  return {
    async facts(userId) {
      // As the service: findUser first, then the fact statement(s) — issued together if several.
      await run(pool, sql.findUser, { userId, ids: [] });
      await Promise.all(sql.loadFacts.map((statement) => run(pool, statement, { userId, ids: [] })));
    },
    async views(ids) {
      return (await run(pool, statementFor(sql.views, ids.length, 'findViews'), { userId: '', ids })).map(
        toView,
      );
    },
    async pick(userId, items) {
      const statements = statementFor(sql.pick, items.length, 'pick');
      const ids = items.map((i) => i.id);
      const client = await pool.connect();
      try {
        await run(client, statements.begin, { userId, ids });
        const verdict = judge(userId, items, await run(client, statements.select, { userId, ids }));
        if (verdict.end === 'picked') {
          const binding = { userId, ids, ...verdict };
          for (const statement of statements.writes) await run(client, statement, binding);
        }
        await run(client, statements.commit, { userId, ids });
        return verdict.end;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * One unit of work of a scenario against the direct database; resolves to its outcome, and to the
 * moment its measured part began when that is not the start (scenario 3 measures the pick, not the read).
 */
export type DirectOp = () => Promise<string | { readonly outcome: string; readonly since: number }>;

export interface CeilingRun {
  /** Concurrent loops: 1 for SQLite (synchronous driver), the service's connections for pg. */
  readonly concurrency: number;
  readonly warmupSeconds: number;
  /** At most this many warm-up ops (a list of work items must keep most of itself for the measurement). */
  readonly warmupOps?: number;
  readonly seconds: number;
  /** The next unit of work, or undefined when the scenario's work is used up. */
  readonly next: () => DirectOp | undefined;
}

/** Runs `next()` ops in `concurrency` loops: a warm-up (not recorded), then the measured window. */
export async function runCeiling(run: CeilingRun): Promise<RunStats & { lastError?: unknown }> {
  let lastError: unknown;
  let warmupLeft = run.warmupOps ?? Infinity;
  const loop = async (until: number, recorder: Recorder | undefined) => {
    while (performance.now() < until) {
      if (!recorder && warmupLeft-- <= 0) return;
      const op = run.next();
      if (!op) {
        if (recorder) recorder.exhausted = true;
        return;
      }
      const started = performance.now();
      let result: Awaited<ReturnType<DirectOp>>;
      try {
        result = await op();
      } catch (error) {
        if (recorder) recorder.errors++;
        lastError = error;
        continue;
      }
      const now = performance.now();
      if (typeof result === 'string') recorder?.record(result, now - started, now);
      else recorder?.record(result.outcome, now - result.since, now);
    }
  };
  const loops = (until: number, recorder: Recorder | undefined) =>
    Promise.all(Array.from({ length: run.concurrency }, () => loop(until, recorder)));
  await loops(performance.now() + run.warmupSeconds * 1000, undefined);
  const recorder = new Recorder();
  recorder.start();
  await loops(performance.now() + run.seconds * 1000, recorder);
  return { ...recorder.finish(), ...(lastError === undefined ? {} : { lastError }) };
}
