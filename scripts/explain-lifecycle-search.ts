// Per-statement plans and timings of the lifecycle bench's PostgreSQL searches (S1 queue + status,
// S2 assignee, S5 queue page 400) on a store kept by scripts/seed-lifecycle-postgres.ts:
// `node --import tsx scripts/explain-lifecycle-search.ts postgres://…/NAME [runs] [--plans | --compare]`.
// For each search it builds the statements the service sends (the window — ids, count and the
// organisation version in one statement —, the rows, and the caller's facts on a cache miss) from
// the store code itself, and the window's parts alone, prints EXPLAIN (ANALYZE, BUFFERS) of each
// when asked, then times each one `runs` times through pg, unnamed (planned on every call, as the
// service's window) with `jit` on and off, and named (prepared once, as the service's rows).
import { performance } from 'node:perf_hooks';
import type { CompiledQuery } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { windowBounds, type SearchCriteria } from '../src/domain/search-criteria.js';
import { ActivitySearch } from '../src/store/activity-search.js';
import { ActivityStore } from '../src/store/activity-store.js';
import type { Database } from '../src/store/schema.js';
import { UserStore } from '../src/store/user-store.js';

const url = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/pgsearch_1m';
const runs = Number(process.argv[3] ?? 200);
const plans = process.argv.includes('--plans');
const pool = new pg.Pool({ connectionString: url, max: 1 });
const captured: CompiledQuery[] = [];
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
const one = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
  (await pool.query<T>(text, values)).rows;

async function statements(userId: string, criteria: SearchCriteria): Promise<[string, CompiledQuery][]> {
  const users = new UserStore(db);
  const facts = await users.loadFacts(userId);
  if (!facts) throw new Error(`no user ${userId}`);
  const visible = [facts.homeDepartmentId, ...facts.foreignDepartmentIds];
  const search = new ActivitySearch(db);
  const resolved = await search.resolve({ ...criteria, visibleDepartmentIds: visible });
  if (!resolved) throw new Error('unresolved');
  const bounds = windowBounds(resolved.window);
  const ids = (await search.idsQuery(resolved, bounds).execute()).map((r) => r.id);
  const factsQuery = (users as unknown as { factsQuery(u: string): { compile(): CompiledQuery } }).factsQuery(
    userId,
  );
  const viewsCompiled = captureViews(ids);
  // What a search sends since migration 0010: `window` (ids, count and organisation version in one
  // statement) and `rows`; `facts` only when the caller's facts are not cached yet. `ids` and
  // `count` are the window's parts as separate statements, as sent before, for comparison.
  return [
    ['facts', factsQuery.compile()],
    ['window', search.windowStatement(resolved, { withCount: true, readVersion: true })],
    ['rows', await viewsCompiled],
    ['ids', search.idsQuery(resolved, bounds).compile()],
    ['count', search.countQuery(resolved).compile()],
  ];
}

/** findViews' statement, caught on its way to the driver. */
async function captureViews(ids: string[]): Promise<CompiledQuery> {
  const catcher = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  // findViews reads only: no transactions are needed.
  const before = captured.length;
  await new ActivityStore(catcher, 'postgres', undefined as never).findViews(ids);
  const last = captured[before];
  if (!last) throw new Error('not captured');
  return last;
}

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

let statementNames = 0;

async function time(q: CompiledQuery, named = false) {
  const name = named ? { name: `explain_${statementNames++}` } : {};
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await pool.query({ text: q.sql, values: [...q.parameters], ...name });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return `p50 ${pct(times, 50).toFixed(2)} p99 ${pct(times, 99).toFixed(2)} ms`;
}

const page = (pagenum: number) => ({ kind: 'page' as const, pagenum, pagesize: 25 });
const s1 = (
  await one<{ queue_id: string; department_id: string }>(
    `select queue_id, department_id from activities where status = 'awaiting_assignment' and queue_id is not null
   group by queue_id, department_id having count(*) >= 25 order by count(*) desc limit 1`,
  )
)[0];
const s2 = (
  await one<{ assigned_user_id: string; department_id: string }>(
    `select assigned_user_id, department_id from activities where assigned_user_id is not null
   group by assigned_user_id, department_id having count(*) >= 25 order by count(*) desc limit 1`,
  )
)[0];
const s5 = (
  await one<{ queue_id: string; department_id: string }>(
    `select queue_id, department_id from activities where queue_id is not null
   group by queue_id, department_id having count(*) >= 10000 order by count(*) desc limit 1`,
  )
)[0];
const agentOf = async (department: string) =>
  (
    await one<{ id: string }>(`select id from users where home_department_id = $1 order by id limit 1`, [
      department,
    ])
  )[0].id;

const searches: [string, string, SearchCriteria][] = [
  [
    'S1 queue+status p1',
    await agentOf(s1.department_id),
    {
      filters: { queueId: s1.queue_id, status: { kind: 'exact', status: 'awaiting_assignment' } },
      sort: 'id',
      order: 'asc',
      window: page(1),
    },
  ],
  [
    'S2 assignee p1',
    await agentOf(s2.department_id),
    {
      filters: { assignedUserId: s2.assigned_user_id },
      sort: 'id',
      order: 'asc',
      window: page(1),
    },
  ],
  [
    'S5 queue p400',
    await agentOf(s5.department_id),
    {
      filters: { queueId: s5.queue_id },
      sort: 'id',
      order: 'asc',
      window: page(400),
    },
  ],
];

/** Server time of one statement (planning + execution, EXPLAIN ANALYZE without per-node timing). */
async function serverMs(client: pg.PoolClient, q: CompiledQuery): Promise<number> {
  const { rows } = await client.query<{
    'QUERY PLAN': [{ 'Planning Time': number; 'Execution Time': number }];
  }>(`explain (analyze, timing off, format json) ${q.sql}`, [...q.parameters]);
  const [plan] = rows[0]['QUERY PLAN'];
  return plan['Planning Time'] + plan['Execution Time'];
}

async function wallMs(client: pg.PoolClient, queries: CompiledQuery[]): Promise<number> {
  const t = performance.now();
  for (const q of queries) await client.query(q.sql, [...q.parameters]);
  return performance.now() - t;
}

/**
 * --compare: before and after migration 0010, interleaved `runs` times on one connection. Before:
 * the facts, the ids and the count as three statements, without migration 0010's indexes (dropped in a
 * transaction rolled back each time). After: the window statement alone (facts cached).
 */
async function compare(named: [string, CompiledQuery][]): Promise<void> {
  const of = (n: string) => named.find(([name]) => name === n)![1];
  const before = [of('facts'), of('ids'), of('count')];
  const after = [of('window')];
  const client = await pool.connect();
  const samples = {
    beforeServer: [] as number[],
    afterServer: [] as number[],
    beforeWall: [] as number[],
    afterWall: [] as number[],
  };
  try {
    for (let i = 0; i < runs; i++) {
      await client.query('begin');
      // Migration 0010's indexes, gone until the rollback.
      await client.query('drop index if exists activities_count_queue, activities_search_assignee_order');
      let server = 0;
      for (const q of before) server += await serverMs(client, q);
      samples.beforeServer.push(server);
      samples.beforeWall.push(await wallMs(client, before));
      await client.query('rollback');
      samples.afterServer.push(await serverMs(client, after[0]));
      samples.afterWall.push(await wallMs(client, after));
    }
  } finally {
    client.release();
  }
  for (const [name, values] of Object.entries(samples)) {
    values.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(13)} p50 ${pct(values, 50).toFixed(2)} p90 ${pct(values, 90).toFixed(2)} min ${values[0].toFixed(2)} ms`,
    );
  }
}

for (const [title, user, criteria] of searches) {
  console.log(`\n## ${title} (user ${user}, ${JSON.stringify(criteria.filters)})`);
  if (process.argv.includes('--compare')) {
    await compare(await statements(user, criteria));
    continue;
  }
  for (const [name, q] of await statements(user, criteria)) {
    if (plans) {
      await pool.query('set jit = on');
      const plan = await pool.query(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]);
      console.log(`### ${name}\n${q.sql}\n${JSON.stringify(q.parameters)}`);
      for (const r of plan.rows) console.log('    ' + (r as Record<string, string>)['QUERY PLAN']);
    }
    await pool.query('set jit = on');
    const on = await time(q);
    await pool.query('set jit = off');
    const off = await time(q);
    const named = await time(q, true);
    console.log(`${name.padEnd(6)} jit on: ${on}; jit off: ${off}; named, jit off: ${named}`);
  }
}
await pool.query('reset jit');
await db.destroy().catch(() => undefined);
