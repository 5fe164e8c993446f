// The database ceiling of the lifecycle scenarios: the SQL a request makes the service issue,
// recorded from the service itself and replayed straight through the driver.
//
// Recording: the service's own app (buildApp, the code `casemgr serve` runs) is built in this process
// on a Kysely whose `log` hook keeps every statement with its parameters, and each request of a
// scenario's work list is sent to it with `inject` (no socket). Every statement the request caused —
// the caller's facts (on a cache miss) or the organisation version, the search's window (ids, count
// and version in one statement), findViews, or a create's id allocations and its transaction — is
// recorded in order, with the real values. Nothing is copied from the store code,
// so the ceiling cannot drift from what the routes do.
//
// Replaying: better-sqlite3 with each statement prepared once (one loop: the driver is synchronous),
// or pg on a pool like the service's, statements outside a transaction each on the pool, a
// transaction's on one client. A create cannot be replayed verbatim (its ids are taken): the
// `UPDATE id_sequences … RETURNING` statements run first and their fresh ids replace the ones the
// recorded INSERTs carry.
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { openSqliteReplayDatabase } from './ceiling-database.js';
import { buildApp } from '../src/app.js';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from '../src/auth/auth-config.js';
import type { OpenDatabase } from '../src/store/database.js';
import type { Dialect } from '../src/store/dialect.js';
import type { Database } from '../src/store/schema.js';
import { registerSqliteTransactionProbe } from '../src/store/sqlite-transaction-probe.js';

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface RecordedStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** An id block a create took: `count` ids of sequence `name`, recorded as `first`, `first + 1`, … */
interface Allocation {
  readonly statement: number;
  readonly count: number;
  readonly first: bigint;
}

export interface RecordedRequest {
  readonly call: HttpCall;
  readonly status: number;
  /** The start of the answer's body (for a warning when the status is not the expected one). */
  readonly body: string;
  readonly statements: readonly RecordedStatement[];
  readonly allocations: readonly Allocation[];
}

const ALLOCATE = /^\s*UPDATE id_sequences\s+SET next_value = next_value \+/i;

/**
 * Builds the service's app on a recording Kysely and records, per call, the statements it issued.
 * Calls run one at a time, so each statement belongs to the call that caused it.
 */
export async function recordRequests(
  dialect: Dialect,
  target: string,
  calls: readonly HttpCall[],
): Promise<RecordedRequest[]> {
  const log: CompiledQuery[] = [];
  const onLog = (event: { level: string; query: CompiledQuery }) => {
    if (event.level === 'query') log.push(event.query);
  };
  let db: Kysely<Database>;
  let closeDriver: () => Promise<void>;
  if (dialect === 'sqlite') {
    const database = new SqliteDatabase(target);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }), log: onLog });
    registerSqliteTransactionProbe(db, () => database.inTransaction);
    closeDriver = async () => {
      database.close();
    };
  } else {
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
    const pool = new pg.Pool({ connectionString: target, max: 2 });
    pool.on('error', () => undefined);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: onLog });
    closeDriver = async () => undefined;
  }
  const database: OpenDatabase = {
    db,
    dialect,
    migrationsApplied: [],
    ping: async () => undefined,
    close: async () => {
      await db.destroy();
      await closeDriver();
    },
  };
  const app = await buildApp({
    database,
    auth: {
      jwksUrl: undefined,
      issuer: EMBEDDED_ISSUER,
      audience: EMBEDDED_AUDIENCE,
      algorithms: ['EdDSA'],
      clockToleranceSeconds: 0,
      scopePrefix: '',
      userClaim: 'sub',
    },
  });
  const recorded: RecordedRequest[] = [];
  try {
    for (const call of calls) {
      const before = await sequenceValues(db);
      log.length = 0;
      const response = await app.server.inject({
        method: call.method,
        url: call.path,
        headers: call.headers,
        ...(call.body === undefined ? {} : { payload: call.body }),
      });
      const statements = log.splice(0).map((q) => ({ sql: q.sql, params: [...q.parameters] }));
      const allocations: Allocation[] = [];
      statements.forEach((statement, index) => {
        if (!ALLOCATE.test(statement.sql)) return;
        const [count, name] = statement.params as [number, string];
        const first = before.get(name)!;
        before.set(name, first + BigInt(count));
        allocations.push({ statement: index, count: Number(count), first });
      });
      recorded.push({
        call,
        status: response.statusCode,
        body: response.body.slice(0, 300),
        statements,
        allocations,
      });
    }
  } finally {
    await app.server.close();
    await database.close();
  }
  return recorded;
}

async function sequenceValues(db: Kysely<Database>): Promise<Map<string, bigint>> {
  const rows = await db.selectFrom('id_sequences').select(['name', 'next_value']).execute();
  return new Map(rows.map((r) => [r.name, BigInt(r.next_value)]));
}

/** Replays recorded requests through the driver: one call = one request's statements, in order. */
export interface Replayer {
  replay(request: RecordedRequest): Promise<void>;
  close(): Promise<void>;
}

/** Replaces, in a statement's parameters, the ids the recording took by the ones this replay took. */
function substitute(params: readonly unknown[], fresh: ReadonlyMap<string, string>): unknown[] {
  if (fresh.size === 0) return [...params];
  return params.map((p) => (typeof p === 'string' && fresh.has(p) ? fresh.get(p) : p));
}

/** The recorded ids of an allocation and the ones `next_value` (after this replay's UPDATE) gives. */
function freshIds(allocation: Allocation, nextValue: number | string | bigint, into: Map<string, string>) {
  const end = BigInt(nextValue);
  for (let i = 0; i < allocation.count; i++) {
    into.set(String(allocation.first + BigInt(i)), String(end - BigInt(allocation.count - i)));
  }
}

const isBegin = (sql: string) => /^\s*(begin|start transaction)/i.test(sql);
const isEnd = (sql: string) => /^\s*(commit|rollback)/i.test(sql);

export function sqliteReplayer(path: string): Replayer {
  const { db, statementOf } = openSqliteReplayDatabase(path);
  return {
    async replay(request) {
      const fresh = new Map<string, string>();
      const allocationAt = new Map(request.allocations.map((a) => [a.statement, a]));
      try {
        request.statements.forEach((statement, index) => {
          const prepared = statementOf(statement.sql);
          const params = substitute(statement.params, fresh);
          if (!prepared.reader) return void prepared.run(params);
          const rows = prepared.all(params) as Record<string, unknown>[];
          const allocation = allocationAt.get(index);
          if (allocation) freshIds(allocation, rows[0].next_value as number, fresh);
        });
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

export function postgresReplayer(url: string, poolMax: number): Replayer {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    statement_timeout: 5000,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => undefined);
  return {
    async replay(request) {
      const fresh = new Map<string, string>();
      const allocationAt = new Map(request.allocations.map((a) => [a.statement, a]));
      let client: pg.PoolClient | undefined;
      try {
        for (const [index, statement] of request.statements.entries()) {
          // As the service: a transaction on one connection, every other statement on whichever is free.
          if (isBegin(statement.sql)) client = await pool.connect();
          const on = client ?? pool;
          const result = await on.query(statement.sql, substitute(statement.params, fresh));
          const allocation = allocationAt.get(index);
          if (allocation) freshIds(allocation, result.rows[0].next_value as string, fresh);
          if (isEnd(statement.sql) && client) {
            client.release();
            client = undefined;
          }
        }
      } catch (error) {
        if (client) {
          await client.query('rollback').catch(() => undefined);
          client.release();
        }
        throw error;
      }
    },
    async close() {
      await pool.end();
    },
  };
}
