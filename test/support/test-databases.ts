// The databases the store and HTTP suites run on: SQLite always, PostgreSQL when reachable.
// TEST_DIALECTS=sqlite|postgres|sqlite,postgres narrows the list. With CI=true an unreachable
// PostgreSQL fails the run instead of being skipped. A run without PostgreSQL says so, with the
// reason, on stderr (which the test runner shows): "PostgreSQL left out of this run: <why>" — a green
// run that quietly tested one dialect would otherwise pass for a full one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseTarget } from '../../src/store/dialect.js';

export type TestDialect = 'sqlite' | 'postgres';

/** An existing database to connect to for creating and dropping one fresh database per suite. */
export const PG_ADMIN_URL =
  process.env.TEST_PG_URL ??
  (process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined) ??
  'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let cached: Promise<{ dialects: TestDialect[]; skipped?: string }> | undefined;

export const LEFT_OUT = 'PostgreSQL left out of this run:';

export function dialectsUnderTest(): Promise<{ dialects: TestDialect[]; skipped?: string }> {
  cached ??= (async () => {
    const selection = process.env.TEST_DIALECTS ?? 'sqlite,postgres';
    const wanted = selection.split(',').map((d) => d.trim());
    const dialects: TestDialect[] = wanted.includes('sqlite') ? ['sqlite'] : [];
    if (!wanted.includes('postgres')) {
      process.stderr.write(`${LEFT_OUT} TEST_DIALECTS=${selection} does not select it\n`);
      return { dialects };
    }
    const problem = await postgresReachable();
    if (problem === undefined) return { dialects: [...dialects, 'postgres'] };
    const message = `PostgreSQL at ${PG_ADMIN_URL} is unreachable (${problem}); set TEST_PG_URL to run the PostgreSQL suites`;
    if (process.env.CI === 'true') throw new Error(`${message} — CI=true requires them`);
    process.stderr.write(`${LEFT_OUT} ${message}\n`);
    return { dialects, skipped: message };
  })();
  return cached;
}

export interface TestDatabase {
  readonly target: DatabaseTarget;
  readonly url: string;
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'casemgr-test-'));
    const path = join(dir, 'casemgr.db');
    return {
      target: { dialect, path },
      url: `sqlite:${path}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `casemgr_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    target: { dialect, url: url.toString() },
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
