// The query plans and timings of activity search on a generated store of N activities (default
// 1,000,000): `node --import tsx scripts/explain-search.ts sqlite|postgres [N]`. It creates a
// throw-away database (as the tests do), fills it with one INSERT … SELECT, runs ANALYZE, then prints
// for each search shape the plan of the window statement (the ids, with the count and the
// organisation version as scalar subqueries: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL)
// and the median time of a whole window over 25 runs.
// The output is what docs/search-query-plans.md records.
import { performance } from 'node:perf_hooks';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { SearchCriteria } from '../src/domain/search-criteria.js';
import { ActivitySearch } from '../src/store/activity-search.js';
import { openDatabase } from '../src/store/database.js';
import { DEFAULT_POOL } from '../src/store/pool-settings.js';
import type { Database } from '../src/store/schema.js';
import { createTestDatabase, type TestDialect } from '../test/support/test-databases.js';

const dialect = (process.argv[2] ?? 'sqlite') as TestDialect;
const total = Number(process.argv[3] ?? 1_000_000);
const BASE_MS = 1_700_000_000_000;
const QUEUES = 30;
const USERS = 300;

/**
 * One row per i: 30 queues in 3 departments; in each queue 60 % waiting, 30 % assigned (to 300
 * users), 10 % done; a case per 3 activities, a customer per 7.
 */
const ROW = `CAST(i AS TEXT),
  CASE WHEN i % 30 < 10 THEN '999' WHEN i % 30 < 20 THEN '1000' ELSE '1001' END,
  CASE i % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'task' WHEN 2 THEN 'chat' ELSE 'social' END,
  'inbound', 'subject', '3',
  CASE WHEN i / 30 % 10 < 6 THEN 'awaiting_assignment' WHEN i / 30 % 10 < 9 THEN 'assigned' ELSE 'completed' END,
  CASE WHEN i / 30 % 10 < 6 THEN 'ready_for_assignment' WHEN i / 30 % 10 < 9 THEN 'new' ELSE 'done' END,
  CAST(10 + i % 30 AS TEXT),
  CASE WHEN i / 30 % 10 >= 6 THEN CAST(2000 + i / 300 % 300 AS TEXT) END,
  0, 0, 0,
  ${BASE_MS} + i * 1000, ${BASE_MS} + i * 1000 + (i % 97) * 1000,
  CAST(1000000 + i / 3 AS TEXT), CAST(500000 + i / 7 AS TEXT)`;
const COLUMNS = `(id, department_id, type, mode, subject, priority, status, substatus, queue_id,
  assigned_user_id, pinned, locked, is_draft_response, created_ms, last_modified_ms, case_id, customer_id)`;

async function fill(db: Kysely<Database>): Promise<void> {
  await sql`INSERT INTO departments (id, name) VALUES ('999', 'Service'), ('1000', 'Sales'), ('1001', 'Legal')`.execute(
    db,
  );
  for (let q = 0; q < QUEUES; q++) {
    const department = q < 10 ? '999' : q < 20 ? '1000' : '1001';
    await db
      .insertInto('queues')
      .values({ id: String(10 + q), name: `Queue ${q}`, department_id: department })
      .execute();
  }
  await db
    .insertInto('users')
    .values(
      Array.from({ length: USERS }, (_, u) => ({
        id: String(2000 + u),
        login_name: `user${u}`,
        first_name: 'U',
        last_name: String(u),
        home_department_id: '999',
      })),
    )
    .execute();
  if (dialect === 'sqlite') {
    await db.executeQuery(
      CompiledQuery.raw(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${total})
        INSERT INTO activities ${COLUMNS} SELECT ${ROW} FROM n`),
    );
  } else {
    // In slices: one statement for everything would outlast the pool's statement timeout.
    for (let from = 1; from <= total; from += 50_000) {
      const to = Math.min(total, from + 49_999);
      await db.executeQuery(
        CompiledQuery.raw(
          `INSERT INTO activities ${COLUMNS} SELECT ${ROW} FROM generate_series(${from}, ${to}) AS g(i)`,
        ),
      );
    }
  }
  await db.executeQuery(CompiledQuery.raw(dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE activities'));
}

const agent = { visibleDepartmentIds: ['999', '1000'] };
const page = (pagenum: number) => ({ kind: 'page' as const, pagenum, pagesize: 25 });
const at = (n: number) => BASE_MS + n * 1000;
const SHAPES: Record<string, SearchCriteria> = {
  'queue + status, page 1': {
    ...agent,
    filters: { queueId: '10', status: { kind: 'exact', status: 'awaiting_assignment' } },
    sort: 'id',
    order: 'asc',
    window: page(1),
  },
  'queue + status, page 400': {
    ...agent,
    filters: { queueId: '10', status: { kind: 'exact', status: 'awaiting_assignment' } },
    sort: 'id',
    order: 'asc',
    window: page(400),
  },
  'queue alone, page 400': {
    ...agent,
    filters: { queueId: '10' },
    sort: 'id',
    order: 'asc',
    window: page(400),
  },
  'queue + open, page 1': {
    ...agent,
    filters: { queueId: '10', status: { kind: 'open' } },
    sort: 'id',
    order: 'asc',
    window: page(1),
  },
  'assignee + status, page 1': {
    ...agent,
    filters: { assignedUserId: '2006', status: { kind: 'exact', status: 'assigned' } },
    sort: 'id',
    order: 'asc',
    window: page(1),
  },
  'assignee by login, page 1': {
    ...agent,
    filters: { assignedLoginName: 'user6' },
    sort: 'id',
    order: 'asc',
    window: page(1),
  },
  'case, page 1': { ...agent, filters: { caseId: '1000100' }, sort: 'id', order: 'asc', window: page(1) },
  'customer, page 1': {
    ...agent,
    filters: { customerId: '500100' },
    sort: 'id',
    order: 'asc',
    window: page(1),
  },
  'created range, page 1': {
    ...agent,
    filters: { created: { fromMs: at(500_000), toMs: at(600_000) } },
    sort: 'id',
    order: 'asc',
    window: page(1),
  },
  'created range sorted by created, page 400': {
    ...agent,
    filters: { created: { fromMs: at(500_000), toMs: at(600_000) } },
    sort: 'created',
    order: 'desc',
    window: page(400),
  },
  'lastModified range, page 1': {
    ...agent,
    filters: { lastModified: { fromMs: at(500_000) } },
    sort: 'lastModified',
    order: 'asc',
    window: page(1),
  },
  'client: type + status + department, page 1': {
    filters: {
      type: 'email',
      status: { kind: 'exact', status: 'awaiting_assignment' },
      departmentName: 'Sales',
    },
    sort: 'id',
    order: 'asc',
    window: page(1),
  },
};

async function plan(db: Kysely<Database>, compiled: { sql: string; parameters: readonly unknown[] }) {
  const prefix = dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
  const { rows } = await db.executeQuery(CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]));
  return rows.map((row) => {
    const r = row as Record<string, unknown>;
    return dialect === 'sqlite'
      ? `${'  '.repeat(Number(r.parent) === 0 ? 0 : 1)}${String(r.detail)}`
      : String(r['QUERY PLAN']);
  });
}

const target = await createTestDatabase(dialect);
// Filling and VACUUM ANALYZE take longer than the service's 5-second statement timeout.
const database = await openDatabase(target.target, { ...DEFAULT_POOL, statementTimeoutMs: 600_000 });
try {
  const started = performance.now();
  await fill(database.db);
  console.log(
    `# ${dialect}: ${total} activities generated and analysed in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const search = new ActivitySearch(database.db);
  for (const [name, criteria] of Object.entries(SHAPES)) {
    const times: number[] = [];
    let count: number | undefined;
    for (let run = 0; run < 25; run++) {
      const t0 = performance.now();
      count = (await search.page(criteria, true)).count;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `## ${name} — median ${times[12].toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms (count ${count})`,
    );
    const resolved = (await search.resolve(criteria))!;
    // One statement since migration 0010: the ids, with the count and the organisation version.
    console.log('window:');
    for (const line of await plan(
      database.db,
      search.windowStatement(resolved, { withCount: true, readVersion: true }),
    ))
      console.log(`    ${line}`);
    console.log('');
  }
} finally {
  await database.close();
  await target.drop();
}
