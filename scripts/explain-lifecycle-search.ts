// Per-statement plans and timings of the lifecycle bench's PostgreSQL searches (S1 queue + status,
// S2 assignee, S5 queue page 400) on a store kept by scripts/seed-lifecycle-postgres.ts:
// `node --import tsx scripts/explain-lifecycle-search.ts postgres://…/NAME [runs] [--plans]`.
// For each search it builds the four statements the service sends (the caller's facts, the window's
// ids, the rows, the count) from the store code itself, prints EXPLAIN (ANALYZE, BUFFERS) of each
// when asked, then times each one `runs` times through pg (unnamed statements: planned on every
// call, as the service's), with `jit` on and off.
import { performance } from 'node:perf_hooks';
import type { CompiledQuery } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { SearchCriteria } from '../src/domain/search-criteria.js';
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
  const ids = (await search.idsQuery(resolved).execute()).map((r) => r.id);
  const factsQuery = (users as unknown as { factsQuery(u: string): { compile(): CompiledQuery } }).factsQuery(
    userId,
  );
  const viewsCompiled = captureViews(ids);
  return [
    ['facts', factsQuery.compile()],
    ['ids', search.idsQuery(resolved).compile()],
    ['rows', await viewsCompiled],
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

async function time(q: CompiledQuery) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await pool.query(q.sql, [...q.parameters]);
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

for (const [title, user, criteria] of searches) {
  console.log(`\n## ${title} (user ${user}, ${JSON.stringify(criteria.filters)})`);
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
    console.log(`${name.padEnd(6)} jit on: ${on}; jit off: ${off}`);
  }
}
await pool.query('reset jit');
await db.destroy().catch(() => undefined);
