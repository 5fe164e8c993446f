// The store of the lifecycle scenarios (search and creation): a million activities is far too many
// for `casemgr import` (one validated JSON document), so the bench imports a small organisation
// (departments, queues, users, rights, the bench agents) and then writes customers, contact points,
// cases, activities and aliases straight into the tables:
//   - rows are generated here, deterministically (one seeded PRNG), so both stores hold the same data;
//   - SQLite: one transaction of prepared INSERTs (better-sqlite3 runs ~10^5 rows/s);
//   - PostgreSQL: INSERT … SELECT FROM unnest($1::text[], …) in batches of 20,000 rows (one round trip
//     per batch instead of one per row);
//   - the secondary indexes of `activities` are dropped first and built again at the end (building an
//     index once is several times cheaper than maintaining it row by row), from their own definitions
//     read back from the database, so whatever indexes the migrations made are the ones measured;
//   - then ANALYZE (SQLite) or VACUUM ANALYZE (PostgreSQL: the visibility map for index-only scans).
// The data is shaped like a contact centre's year: ~100k customers (85 % of a department, 15 % shared),
// each with an email and often a mobile number; cases of 1–3 activities (2 on average) for a few
// customers with many cases and many with one or two; 72 % of activities completed, 14 % waiting in
// a queue, 11 % assigned (some pinned or locked), the rest in workflow or pre-completion; types and
// subtypes in the generator's proportions; every activity in its case's department and customer.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { mulberry32 } from '../src/org/organisation-generator.js';
import type { Dialect } from '../src/store/dialect.js';
import { BENCH_NOW } from './organisation.js';

export const FIRST_SEEDED_ACTIVITY = 10_000_001;
export const FIRST_SEEDED_CASE = 20_000_001;
export const FIRST_SEEDED_CUSTOMER = 30_000_001;
/** Activities per customer: 1M activities → 100k customers. */
const ACTIVITIES_PER_CUSTOMER = 10;
/** Case k holds CASE_SIZES[k % 3] activities: 1, 2, 3 → 2 on average. */
const CASE_SIZES = [1, 2, 3] as const;
const DAY = 86_400_000;

/** The organisation the bulk rows refer to, read from the database after the small import. */
export interface SeedBase {
  /** Generated departments (not the hot desk): the seeded activities spread over them. */
  readonly departments: readonly { readonly id: string; readonly name: string }[];
  readonly queuesOf: ReadonlyMap<string, readonly string[]>;
  /** Users whose home department it is: the assignees of its activities. */
  readonly usersOf: ReadonlyMap<string, readonly string[]>;
}

export interface SeedSummary {
  readonly activities: number;
  readonly cases: number;
  readonly customers: number;
  readonly contacts: number;
  readonly seconds: number;
  /** The alias of each department (`dept<id>@bench.example.com` → its first queue). */
  readonly aliasOf: ReadonlyMap<string, string>;
}

const FIRST_NAMES = ['Ada', 'Ben', 'Cleo', 'Dev', 'Ema', 'Finn', 'Gia', 'Hugo', 'Ines', 'Jon', 'Kai', 'Lena'];
const LAST_NAMES = [
  'Adams',
  'Berg',
  'Costa',
  'Dumas',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hale',
  'Ito',
  'Jansen',
];
const SUBJECTS = {
  email: ['Invoice {n} is wrong', 'Where is order {n}?', 'Refund for {n}', 'Cannot log in ({n})'],
  social: ['Complaint about delivery {n}', 'Question on plan {n}'],
  task: ['Call back customer #{n}', 'Check refund #{n}', 'Follow up on case #{n}'],
  chat: ['Chat {n}'],
  call_track: ['Call {n}'],
} as const;

type Row = (string | number | null)[];

const ACTIVITY_COLUMNS = [
  'id',
  'department_id',
  'type',
  'subtype',
  'mode',
  'subject',
  'priority',
  'status',
  'substatus',
  'queue_id',
  'assigned_user_id',
  'pinned',
  'locked',
  'is_draft_response',
  'created_ms',
  'last_modified_ms',
  'last_modified_by',
  'customer_id',
  'case_id',
  'due_date_ms',
] as const;
/** PostgreSQL array types of the columns, for unnest(). */
const ACTIVITY_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int4',
  'int4',
  'int4',
  'int8',
  'int8',
  'text',
  'text',
  'text',
  'int8',
];

interface Table {
  readonly name: string;
  readonly columns: readonly string[];
  readonly types: readonly string[];
}

const TABLES = {
  customers: {
    name: 'customers',
    columns: ['id', 'first_name', 'last_name', 'department_id', 'created_ms'],
    types: ['text', 'text', 'text', 'text', 'int8'],
  },
  contacts: {
    name: 'customer_contacts',
    columns: ['customer_id', 'kind', 'value', 'department_key'],
    types: ['text', 'text', 'text', 'text'],
  },
  cases: {
    name: 'cases',
    columns: ['id', 'customer_id', 'status', 'created_ms', 'closed_ms'],
    types: ['text', 'text', 'text', 'int8', 'int8'],
  },
  activities: { name: 'activities', columns: ACTIVITY_COLUMNS, types: ACTIVITY_TYPES },
} satisfies Record<string, Table>;

/** Writes rows of one table; `flush` at the end. */
interface Sink {
  add(table: Table, row: Row): Promise<void>;
  flush(): Promise<void>;
}

/** A skewed pick in [0, n): small indexes are chosen more often (a few big accounts, a busy first queue). */
const skewed = (r: number, n: number, power: number) => Math.min(n - 1, Math.floor(n * r ** power));

/** Generates every row, in an order that respects the foreign keys (customers, cases, activities). */
async function generate(base: SeedBase, activities: number, sink: Sink, random: () => number) {
  const nowMs = BENCH_NOW.getTime();
  const departments = base.departments.map((d) => d.id);
  const customers = Math.max(1, Math.round(activities / ACTIVITIES_PER_CUSTOMER));
  const customerDepartment: (string | null)[] = [];
  let contacts = 0;
  for (let k = 0; k < customers; k++) {
    const id = String(FIRST_SEEDED_CUSTOMER + k);
    const department = random() < 0.15 ? null : departments[k % departments.length];
    customerDepartment.push(department);
    const first = FIRST_NAMES[k % FIRST_NAMES.length];
    const last = LAST_NAMES[Math.floor(k / FIRST_NAMES.length) % LAST_NAMES.length];
    await sink.add(TABLES.customers, [id, first, last, department, nowMs - 400 * DAY + k]);
    const key = department ?? '';
    await sink.add(TABLES.contacts, [id, 'email', `${first}.${last}.${k}@example.net`.toLowerCase(), key]);
    contacts++;
    if (random() < 0.4) {
      await sink.add(TABLES.contacts, [id, 'mobile', `+1555${String(k).padStart(7, '0')}`, key]);
      contacts++;
    }
  }

  // Cases first (activities refer to them), each with its customer and department; the activities
  // of case k follow in id order, so a case's activities are close in time.
  interface CaseInfo {
    id: string;
    customer: string;
    department: string;
    size: number;
  }
  const cases: CaseInfo[] = [];
  for (let k = 0, left = activities; left > 0; k++) {
    const size = Math.min(left, CASE_SIZES[k % CASE_SIZES.length]);
    left -= size;
    const c = skewed(random(), customers, 1.5);
    const department = customerDepartment[c] ?? departments[Math.floor(random() * departments.length)];
    cases.push({
      id: String(FIRST_SEEDED_CASE + k),
      customer: String(FIRST_SEEDED_CUSTOMER + c),
      department,
      size,
    });
  }
  // Activity statuses are drawn before the cases are written: a case is open while one is not completed.
  const spanMs = 365 * DAY;
  let a = 0;
  const activityRows: Row[] = [];
  let caseRows = 0;
  for (const kase of cases) {
    let open = false;
    let lastMs = 0;
    let caseCreated = 0;
    for (let j = 0; j < kase.size; j++, a++) {
      const createdMs =
        nowMs - spanMs + Math.floor((a / activities) * spanMs) + Math.floor(random() * 60_000);
      if (j === 0) caseCreated = createdMs;
      const row = activityRow(a, kase, createdMs, nowMs, base, random);
      if (row[7] !== 'completed') open = true;
      lastMs = Math.max(lastMs, Number(row[15]));
      activityRows.push(row);
    }
    await sink.add(TABLES.cases, [
      kase.id,
      kase.customer,
      open ? 'open' : 'closed',
      caseCreated,
      open ? null : lastMs,
    ]);
    caseRows++;
    // Keep memory flat: write the case's activities once enough have gathered (cases come first).
    if (activityRows.length >= 20_000) {
      await sink.flush();
      for (const row of activityRows.splice(0)) await sink.add(TABLES.activities, row);
    }
  }
  await sink.flush();
  for (const row of activityRows.splice(0)) await sink.add(TABLES.activities, row);
  await sink.flush();
  return { customers, contacts, cases: caseRows };
}

function activityRow(
  index: number,
  kase: { id: string; customer: string; department: string },
  createdMs: number,
  nowMs: number,
  base: SeedBase,
  random: () => number,
): Row {
  const id = String(FIRST_SEEDED_ACTIVITY + index);
  const queues = base.queuesOf.get(kase.department) ?? [];
  const users = base.usersOf.get(kase.department) ?? [];
  const t = random();
  const [type, subtype, mode] =
    t < 0.6
      ? ([
          'email',
          (['general', 'complaint', 'inquiry'] as const)[Math.floor(random() * 3)],
          random() < 0.9 ? 'inbound' : 'outbound',
        ] as const)
      : t < 0.8
        ? (['task', random() < 0.5 ? 'follow_up' : null, null] as const)
        : t < 0.88
          ? (['social', random() < 0.5 ? 'twitter' : 'facebook', 'inbound'] as const)
          : t < 0.95
            ? (['chat', null, 'inbound'] as const)
            : (['call_track', null, 'inbound'] as const);
  // Older work is mostly done; the last weeks hold what is still open.
  const ageDays = (nowMs - createdMs) / DAY;
  const s = random();
  const openShare = ageDays < 30 ? 0.9 : 0.2;
  const status =
    s >= openShare
      ? 'completed'
      : s < openShare * 0.5
        ? 'awaiting_assignment'
        : s < openShare * 0.9
          ? 'assigned'
          : s < openShare * 0.96
            ? 'in_workflow'
            : 'in_precompletion';
  const substatus = {
    completed: 'done',
    awaiting_assignment: 'ready_for_assignment',
    assigned: random() < 0.3 ? 'new' : 'in_progress',
    in_workflow: 'in_workflow',
    in_precompletion: 'in_precompletion',
  }[status];
  const queue =
    status === 'in_workflow' || queues.length === 0 ? null : queues[skewed(random(), queues.length, 2)];
  const assignee =
    (status === 'assigned' || status === 'completed' || status === 'in_precompletion') && users.length > 0
      ? users[skewed(random(), users.length, 1.3)]
      : null;
  const pinned = status === 'assigned' && random() < 0.1 ? 1 : 0;
  const locked = status === 'assigned' && random() < 0.02 ? 1 : 0;
  const subjects = SUBJECTS[type];
  const subject = subjects[index % subjects.length].replace('{n}', String(10_000 + (index % 90_000)));
  const lastModifiedMs = Math.min(nowMs, createdMs + Math.floor(random() * 3 * DAY));
  const priority = random() < 0.7 ? String(1 + Math.floor(random() * 7)) : null;
  const due = type === 'task' ? createdMs + 7 * DAY : null;
  return [
    id,
    kase.department,
    type,
    subtype,
    mode,
    subject,
    priority,
    status,
    substatus,
    queue,
    assignee,
    pinned,
    locked,
    0,
    createdMs,
    lastModifiedMs,
    assignee,
    kase.customer,
    kase.id,
    due,
  ];
}

/** The secondary indexes of `activities`, as CREATE INDEX statements the database itself reports. */
async function activityIndexes(
  query: (sql: string) => Promise<{ name: string; sql: string }[]>,
  dialect: Dialect,
) {
  return dialect === 'sqlite'
    ? query(
        "select name, sql from sqlite_master where type = 'index' and tbl_name = 'activities' and sql is not null",
      )
    : query(
        "select indexname as name, indexdef as sql from pg_indexes where tablename = 'activities' and indexname not like '%_pkey'",
      );
}

export async function readSeedBase(
  rows: <T>(sql: string) => Promise<T[]>,
  hotDepartment: string,
): Promise<SeedBase> {
  const departments = (
    await rows<{ id: string; name: string }>('select id, name from departments order by id')
  ).filter((d) => d.id !== hotDepartment);
  const queuesOf = new Map<string, string[]>();
  for (const q of await rows<{ id: string; department_id: string }>(
    'select id, department_id from queues order by length(id), id',
  )) {
    queuesOf.set(q.department_id, [...(queuesOf.get(q.department_id) ?? []), q.id]);
  }
  const usersOf = new Map<string, string[]>();
  for (const u of await rows<{ id: string; home_department_id: string }>(
    'select id, home_department_id from users order by length(id), id',
  )) {
    usersOf.set(u.home_department_id, [...(usersOf.get(u.home_department_id) ?? []), u.id]);
  }
  return { departments, queuesOf, usersOf };
}

/** The rows that make a department's mail reach its first queue. */
function aliasRows(base: SeedBase): [string, string, string, number][] {
  return base.departments
    .filter((d) => (base.queuesOf.get(d.id) ?? []).length > 0)
    .map((d) => [`dept${d.id}@bench.example.com`, d.id, base.queuesOf.get(d.id)![0], 1]);
}

const SEQUENCES = [
  ['activity', 'activities'],
  ['case', 'cases'],
  ['customer', 'customers'],
] as const;

export async function seedSqlite(
  path: string,
  base: SeedBase,
  activities: number,
  seed: number,
): Promise<SeedSummary> {
  const started = performance.now();
  const db = new SqliteDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -262144');
    const indexes = await activityIndexes(
      async (sql) => db.prepare(sql).all() as { name: string; sql: string }[],
      'sqlite',
    );
    const statements = new Map<string, SqliteDatabase.Statement>();
    const insert = (table: Table) => {
      let statement = statements.get(table.name);
      if (!statement) {
        statement = db.prepare(
          `insert into ${table.name} (${table.columns.join(', ')}) values (${table.columns.map(() => '?').join(', ')})`,
        );
        statements.set(table.name, statement);
      }
      return statement;
    };
    let counts = { customers: 0, contacts: 0, cases: 0 };
    db.exec('begin');
    try {
      for (const index of indexes) db.exec(`drop index ${index.name}`);
      const sink: Sink = {
        add: async (table, row) => {
          insert(table).run(row);
        },
        flush: async () => undefined,
      };
      counts = await generate(base, activities, sink, mulberry32(seed));
      const alias = db.prepare(
        'insert into aliases (address, department_id, queue_id, active) values (?, ?, ?, ?)',
      );
      for (const row of aliasRows(base)) alias.run(row);
      for (const [name, table] of SEQUENCES) {
        db.prepare(
          `update id_sequences set next_value = (select coalesce(max(cast(id as integer)), 0) + 1 from ${table}) where name = ?`,
        ).run(name);
      }
      for (const index of indexes) db.exec(index.sql);
      db.exec('commit');
    } catch (error) {
      if (db.inTransaction) db.exec('rollback');
      throw error;
    }
    db.exec('analyze');
    return summary(counts, activities, base, started);
  } finally {
    db.close();
  }
}

export async function seedPostgres(
  url: string,
  base: SeedBase,
  activities: number,
  seed: number,
): Promise<SeedSummary> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const indexes = await activityIndexes(
      async (sql) => (await client.query<{ name: string; sql: string }>(sql)).rows,
      'postgres',
    );
    const pending = new Map<Table, Row[]>();
    const write = async (table: Table, rows: Row[]) => {
      if (rows.length === 0) return;
      const columns = table.columns.map((_, i) => rows.map((row) => row[i]));
      const unnest = table.types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
      await client.query(
        `insert into ${table.name} (${table.columns.join(', ')}) select * from unnest(${unnest})`,
        columns,
      );
    };
    const sink: Sink = {
      async add(table, row) {
        const list = pending.get(table) ?? [];
        list.push(row);
        pending.set(table, list);
        // Everything pending goes, parents first, so that no child row precedes its parent.
        if (list.length >= 20_000) await sink.flush();
      },
      async flush() {
        // Parents before children: customers, contacts, cases, activities.
        for (const table of [TABLES.customers, TABLES.contacts, TABLES.cases, TABLES.activities]) {
          await write(table, pending.get(table)?.splice(0) ?? []);
        }
      },
    };
    await client.query('begin');
    let counts: { customers: number; contacts: number; cases: number };
    try {
      // Foreign keys are checked at the end of each statement; the rows are written parents first.
      for (const index of indexes) await client.query(`drop index ${index.name}`);
      counts = await generate(base, activities, sink, mulberry32(seed));
      for (const row of aliasRows(base)) {
        await client.query(
          'insert into aliases (address, department_id, queue_id, active) values ($1, $2, $3, $4)',
          row,
        );
      }
      for (const [name, table] of SEQUENCES) {
        await client.query(
          `update id_sequences set next_value = (select coalesce(max(cast(id as bigint)), 0) + 1 from ${table}) where name = $1`,
          [name],
        );
      }
      await client.query("set local maintenance_work_mem = '256MB'");
      for (const index of indexes) await client.query(index.sql);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
    // VACUUM sets the visibility map that index-only scans rely on (the search's ids and counts are
    // index-only): without it every index entry of a fresh bulk load sends PostgreSQL to the table.
    // autovacuum would get there on a live database; the bench must not measure the meantime.
    await client.query('vacuum analyze');
    return summary(counts, activities, base, started);
  } finally {
    await client.end();
  }
}

function summary(
  counts: { customers: number; contacts: number; cases: number },
  activities: number,
  base: SeedBase,
  started: number,
): SeedSummary {
  return {
    activities,
    ...counts,
    seconds: (performance.now() - started) / 1000,
    aliasOf: new Map(aliasRows(base).map(([address, department]) => [department, address])),
  };
}
