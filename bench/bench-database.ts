// The fresh database of one store for one bench run: created empty (a new file, or a new PostgreSQL
// database next to `test`), inspected by the bench between runs (which activities can be picked now,
// and with which lastModified), and dropped at the end.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Dialect } from '../src/store/dialect.js';
import { HOT_DEPARTMENT } from './organisation.js';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  readonly dialect: Dialect;
  /** DATABASE_URL for the service and the CLI. */
  readonly url: string;
  /** The file path (SQLite) or the connection string (PostgreSQL) for direct drivers. */
  readonly target: string;
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

const created = new Set<BenchDatabase>();

/** Drops every bench database still around (the bench's exit path, errors included). */
export async function dropAllDatabases(): Promise<void> {
  for (const database of [...created]) await database.drop().catch(() => undefined);
}

export async function createBenchDatabase(
  dialect: Dialect,
  workDir: string,
  runId: string,
): Promise<BenchDatabase> {
  if (dialect === 'sqlite') {
    const path = `${workDir}/${runId}.db`;
    mkdirSync(dirname(path), { recursive: true });
    let reader: SqliteDatabase.Database | undefined;
    const database: BenchDatabase = {
      dialect,
      url: `sqlite:${path}`,
      target: path,
      async rows<T>(sql: string, params: readonly unknown[] = []) {
        reader ??= new SqliteDatabase(path, { readonly: true });
        return reader.prepare(sql).all(...params) as T[];
      },
      async drop() {
        created.delete(database);
        reader?.close();
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
      },
    };
    created.add(database);
    return database;
  }
  const name = `casemgr_bench_${runId.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let pool: pg.Pool | undefined;
  const database: BenchDatabase = {
    dialect,
    url: url.toString(),
    target: url.toString(),
    async rows<T>(sql: string, params: readonly unknown[] = []) {
      if (!pool) {
        pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
        // `drop database … with (force)` ends idle connections: not a reason to crash the bench.
        pool.on('error', () => undefined);
      }
      // Portable SQL is written with `?`; pg numbers its parameters.
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      return (await pool.query(text, [...params])).rows as T[];
    },
    async drop() {
      created.delete(database);
      await pool?.end().catch(() => undefined);
      const dropper = new pg.Client({ connectionString: PG_ADMIN_URL });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
  created.add(database);
  return database;
}

/** An activity a bench agent of its department may pick right now, with its stored lastModified. */
export interface PickableActivity {
  readonly id: string;
  readonly departmentId: string;
  readonly assignedUserId: string | null;
  readonly lastModifiedMs: number;
}

/**
 * Pickable by the rules for a bench agent of the department: not a draft, a pickable type, awaiting in a
 * queue or assigned (not locked, not pinned) to someone the agents may pull from. Hot-desk activities
 * belong to scenario 3 only.
 */
export async function loadPickable(
  database: BenchDatabase,
  pullableUsersOf: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<PickableActivity[]> {
  const rows = await database.rows<{
    id: string;
    department_id: string;
    status: string;
    queue_id: string | null;
    assigned_user_id: string | null;
    last_modified_ms: number | string;
  }>(
    `select id, department_id, status, queue_id, assigned_user_id, last_modified_ms from activities
     where is_draft_response = 0 and locked = 0 and pinned = 0
       and type not in ('call_track', 'chat', 'web')
       and status in ('awaiting_assignment', 'assigned')
       and department_id <> ?
     order by length(id), id`,
    [HOT_DEPARTMENT],
  );
  const pickable: PickableActivity[] = [];
  for (const row of rows) {
    const ok =
      row.status === 'awaiting_assignment'
        ? row.queue_id !== null
        : row.assigned_user_id !== null &&
          pullableUsersOf.get(row.department_id)?.has(row.assigned_user_id) === true;
    if (!ok) continue;
    pickable.push({
      id: row.id,
      departmentId: row.department_id,
      assignedUserId: row.status === 'assigned' ? row.assigned_user_id : null,
      lastModifiedMs: Number(row.last_modified_ms),
    });
  }
  return pickable;
}

/** Every activity id by department (what a reader may ask for). */
export async function loadIdsByDepartment(database: BenchDatabase): Promise<Map<string, string[]>> {
  const rows = await database.rows<{ id: string; department_id: string }>(
    'select id, department_id from activities order by length(id), id',
  );
  const byDepartment = new Map<string, string[]>();
  for (const row of rows) {
    const list = byDepartment.get(row.department_id);
    if (list) list.push(row.id);
    else byDepartment.set(row.department_id, [row.id]);
  }
  return byDepartment;
}

export async function databaseVersion(database: BenchDatabase): Promise<string> {
  if (database.dialect === 'sqlite') {
    const [row] = await database.rows<{ v: string }>('select sqlite_version() as v');
    return `SQLite ${row.v}`;
  }
  const [row] = await database.rows<{ v: string }>("select current_setting('server_version') as v");
  return `PostgreSQL ${row.v}`;
}
