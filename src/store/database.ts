// Opens the configured store: SQLite (embedded default, WAL) or a PostgreSQL pool, behind Kysely.
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { DatabaseTarget, Dialect } from './dialect.js';
import { migrateToLatest } from './migrator.js';
import { registerSqliteTransactionProbe } from './sqlite-transaction-probe.js';
import { DEFAULT_POOL, type PoolSettings } from './pool-settings.js';
import { sendPreparedByName } from './prepared-statements.js';
import { MissingDatabaseFolder } from './store-errors.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import type { Database } from './schema.js';
import type { ListeningConnection } from '../events/postgres-event-reader.js';

export { DEFAULT_POOL, type PoolSettings };

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The migrations this open applied (empty when the schema was already current). */
  readonly migrationsApplied: readonly string[];
  /**
   * PostgreSQL only: a new connection of its own, outside the pool, for the live stream's LISTEN
   * (events/postgres-event-reader.ts). The caller ends it.
   */
  readonly connectListener?: () => Promise<ListeningConnection>;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(
  target: DatabaseTarget,
  pool: PoolSettings = DEFAULT_POOL,
): Promise<OpenDatabase> {
  // Each driver is loaded only when its dialect is used: a short command (casemgr token) on SQLite
  // does not pay for loading pg, nor one on PostgreSQL for better-sqlite3.
  const db =
    target.dialect === 'sqlite'
      ? await openSqlite(target.path, target.createFolder === true)
      : await openPostgres(target.url, pool);
  let migrationsApplied: string[];
  try {
    migrationsApplied = await migrateToLatest(db as Kysely<unknown>, target.dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    dialect: target.dialect,
    migrationsApplied,
    ...(target.dialect === 'postgres' ? { connectListener: () => connectListener(target.url, pool) } : {}),
    ping: async () => void (await sql`select 1`.execute(db)),
    close: () => db.destroy(),
  };
}

/** The folder of the default DATABASE_URL (sqlite:./data/casemgr.db), created unasked. */
const DEFAULT_FOLDER = 'data';

async function openSqlite(path: string, createFolder: boolean): Promise<Kysely<Database>> {
  if (path !== ':memory:') {
    // The file is created; its folder only when asked, or when it is the default ./data: a
    // mistyped path must not leave a trail of new folders (possibly up to the root).
    const folder = dirname(resolve(path));
    if (!existsSync(folder)) {
      if (!createFolder && folder !== resolve(DEFAULT_FOLDER)) throw new MissingDatabaseFolder(folder);
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    }
    createPrivately(path);
  }
  const { default: SqliteDatabase } = await import('better-sqlite3');
  const database = new SqliteDatabase(path);
  database.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  registerSqliteTransactionProbe(db, () => database.inTransaction);
  return db;
}

/**
 * The database holds the embedded issuer's private key: a new database file is created readable by
 * its owner only (0600, whatever the umask), before SQLite writes anything into it. SQLite gives its
 * -wal and -shm files the mode of the database file. An existing file keeps the mode it has (an
 * operator may have chosen it).
 */
function createPrivately(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/** A connection named in pg_stat_activity, so an operator can tell the stream's listener apart. */
async function connectListener(url: string, settings: PoolSettings): Promise<ListeningConnection> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: url,
    statement_timeout: settings.statementTimeoutMs,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    application_name: 'casemgr-event-listener',
  });
  // Handled by the reader once connected; until then a failure rejects connect() instead.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function openPostgres(url: string, settings: PoolSettings): Promise<Kysely<Database>> {
  const { default: pg } = await import('pg');
  // int8 (bigint) columns hold epoch milliseconds, far inside the safe-integer range.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.poolMax,
    statement_timeout: settings.statementTimeoutMs,
    connectionTimeoutMillis: settings.connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // A server that goes away emits 'error' on its clients, idle or checked out between two queries.
  // Unhandled, that event would crash the process; handled, the next query on the client fails
  // (→ 503-100) and the pool replaces it.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    sendPreparedByName(client);
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
