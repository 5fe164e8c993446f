// The minimal-transaction ceiling (issue 10): the least SQL that does a pick's job, on the best schema
// for it — one transaction that locks the given rows, updates them and writes one history row each,
// on an integer-keyed table pair. It ignores every rule, the text keys, the outbox and the webhooks,
// so it bounds what any implementation of the pick could reach on this machine; the ratio to it shows
// how much our own SQL and schema cost, which the database ceiling (our SQL replayed) hides.
//
// PostgreSQL: pgbench, 8 clients, prepared protocol, random runs of `batch` consecutive ids.
// SQLite: the same transaction through better-sqlite3 in-process (one loop: one writer at a time);
// the service pays it and the HTTP layer in the same process, so its bound is the two in series.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openSqliteReplayDatabase, runCeiling } from './ceiling-database.js';
import type { RunStats } from './stats.js';

export const MINIMAL_PG_CLIENTS = 8;

/** Rows in activities_min: enough that 8 clients' random batches rarely overlap. */
const DEFAULT_ROWS = 200_000;

export interface MinimalRun {
  readonly batch: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly rows?: number;
  /** Scratch directory for pgbench's script and per-transaction logs. */
  readonly workDir: string;
}

const TABLES_PG = [
  'drop table if exists history_min',
  'drop table if exists activities_min',
  `create table activities_min (id bigint primary key, owner bigint, status smallint not null,
     last_modified bigint not null)`,
  `create table history_min (id bigint generated always as identity primary key,
     activity_id bigint not null, owner bigint not null, at_ms bigint not null)`,
];

const TABLES_SQLITE = [
  'drop table if exists history_min',
  'drop table if exists activities_min',
  `create table activities_min (id integer primary key, owner integer, status integer not null,
     last_modified integer not null)`,
  `create table history_min (id integer primary key, activity_id integer not null,
     owner integer not null, at_ms integer not null)`,
];

// The transaction, in both dialects (pgbench and better-sqlite3 both take `:name` parameters): lock
// and read the rows (the rules judge them), update them, and one history row each.
const LOCK =
  'select id, owner, status, last_modified from activities_min where id between :first and :last order by id';
const UPDATE =
  'update activities_min set owner = :owner, status = 1, last_modified = :at where id between :first and :last';
const HISTORY =
  'insert into history_min (activity_id, owner, at_ms) select id, :owner, :at from activities_min where id between :first and :last';

function pgbenchScript(batch: number, rows: number): string {
  return [
    `\\set first random(1, ${rows - batch + 1})`,
    `\\set last :first + ${batch - 1}`,
    '\\set owner random(1, 1000)',
    '\\set at :first',
    'begin;',
    `${LOCK} for update;`,
    `${UPDATE};`,
    `${HISTORY};`,
    'commit;',
    '',
  ].join('\n');
}

/** Creates and fills the scratch pair in the bench database (PostgreSQL). */
async function preparePostgres(url: string, rows: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of TABLES_PG) await client.query(statement);
    await client.query(
      'insert into activities_min select g, null, 0, 0 from generate_series(1, $1::bigint) g',
      [rows],
    );
    await client.query('vacuum analyze activities_min');
  } finally {
    await client.end();
  }
}

function runPgbench(args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('pgbench', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pgbench exited ${code}: ${err.trim()}`)),
    );
  });
}

/** Percentiles from pgbench's per-transaction logs (`-l`: the 3rd field is the latency in µs). */
function latencyStats(dir: string, prefix: string, completed: number, seconds: number): RunStats {
  const latencies: number[] = [];
  let failed = 0;
  for (const name of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      const fields = line.split(' ');
      if (fields.length < 3) continue;
      const us = Number(fields[2]);
      if (Number.isFinite(us)) latencies.push(us / 1000);
      else failed++;
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    completed,
    seconds,
    perSecond: completed / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies[latencies.length - 1] ?? 0,
    outcomes: { ok: completed },
    errors: failed,
    exhausted: false,
  };
}

/** pgbench against the scratch pair: a warm-up run, then the measured one. */
export async function measureMinimalPostgres(url: string, run: MinimalRun): Promise<RunStats> {
  const rows = run.rows ?? DEFAULT_ROWS;
  await preparePostgres(url, rows);
  const dir = mkdtempSync(join(run.workDir, 'pgbench-'));
  try {
    writeFileSync(join(dir, 'pick.sql'), pgbenchScript(run.batch, rows));
    const common = ['-n', '-M', 'prepared', '-c', String(MINIMAL_PG_CLIENTS), '-j', '2', '-f', 'pick.sql'];
    if (run.warmupSeconds > 0) {
      await runPgbench([...common, '-T', String(Math.max(1, Math.round(run.warmupSeconds))), url], dir);
    }
    const seconds = Math.max(1, Math.round(run.seconds));
    const out = await runPgbench([...common, '-T', String(seconds), '-l', '--log-prefix=tx', url], dir);
    const processed = /number of transactions actually processed:\s*(\d+)/.exec(out);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
    if (!processed || !tps) throw new Error(`unexpected pgbench output:\n${out}`);
    const completed = Number(processed[1]);
    // pgbench's own tps excludes connecting; its window is completed ÷ tps.
    return latencyStats(dir, 'tx', completed, completed / Number(tps[1]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same transaction through better-sqlite3 in this process, one loop (SQLite has one writer), on
 * a scratch file of its own with the service's pragmas (so the service's file and statements are
 * left alone); the file is removed afterwards.
 */
export async function measureMinimalSqlite(scratchPath: string, run: MinimalRun): Promise<RunStats> {
  const rows = run.rows ?? DEFAULT_ROWS;
  const { db, statementOf } = openSqliteReplayDatabase(scratchPath);
  try {
    for (const statement of TABLES_SQLITE) db.exec(statement);
    db.exec(
      `insert into activities_min with recursive g(n) as (select 1 union all select n + 1 from g where n < ${rows})
       select n, null, 0, 0 from g`,
    );
    const lock = statementOf(LOCK);
    const update = statementOf(UPDATE);
    const history = statementOf(HISTORY);
    let seed = 1;
    const stats = await runCeiling({
      concurrency: 1,
      warmupSeconds: run.warmupSeconds,
      seconds: run.seconds,
      next: () => async () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        const first = 1 + (seed % (rows - run.batch + 1));
        const last = first + run.batch - 1;
        const owner = 1 + (seed % 1000);
        const at = Date.now();
        db.exec('begin immediate');
        try {
          lock.all({ first, last });
          update.run({ first, last, owner, at });
          history.run({ first, last, owner, at });
          db.exec('commit');
        } catch (error) {
          db.exec('rollback');
          throw error;
        }
        return 'ok';
      },
    });
    return stats;
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${scratchPath}${suffix}`, { force: true });
  }
}
