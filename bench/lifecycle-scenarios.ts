// The lifecycle scenarios of issue 11 ("Speed"): five searches on the seeded store and two creations.
// Each is a list of HTTP calls (different parameters and callers per call, drawn from the data), the
// same list the database ceiling replays (request-sql.ts records what each call made the service
// issue). Searches use eGain's parameters: queueID, status, assignedTo, caseID, customerID,
// $pagenum, $pagesize.
import { mulberry32 } from '../src/org/organisation-generator.js';
import type { BenchDatabase } from './bench-database.js';
import { FIRST_SEEDED_ACTIVITY } from './lifecycle-seed.js';
import type { HttpCall } from './request-sql.js';
import type { BenchCaller } from './scenarios.js';

export const SEARCH_PATH = '/core/casemgr/v3/activity';
export const TASK_PATH = '/core/casemgr/v3/activity/task';
export const EMAIL_PATH = '/core/casemgr/v3/activity/email/general';
export const PAGE_SIZE = 25;
export const DEEP_PAGE = 400;

export type LifecycleKey =
  | 'search-queue'
  | 'search-assignee'
  | 'search-case'
  | 'search-customer'
  | 'search-deep'
  | 'create-task'
  | 'create-email'
  | 'read-case';

export interface LifecycleEnv {
  readonly database: BenchDatabase;
  /** Bench agents by home department (every department has some). */
  readonly agentsOf: ReadonlyMap<string, readonly BenchCaller[]>;
  /** `Bearer …` of a client application with the manage scope (a CRM, a mail gateway). */
  readonly clientAuthorization: string;
  readonly departmentName: ReadonlyMap<string, string>;
  /** The active alias of each department. */
  readonly aliasOf: ReadonlyMap<string, string>;
  /** How many different calls each scenario cycles through. */
  readonly variants: number;
  /** The seeded activities' ids: FIRST_SEEDED_ACTIVITY onwards, this many. */
  readonly seededActivities: number;
}

export interface LifecycleScenario {
  readonly key: LifecycleKey;
  readonly title: string;
  /** The status every call must get (checked when the calls are recorded). */
  readonly expect: number;
  /** Whether the issue's "p99 < 10 ms from one client" applies (the searches). */
  readonly search: boolean;
  calls(env: LifecycleEnv): Promise<HttpCall[]>;
}

const get = (path: string, caller: BenchCaller): HttpCall => ({
  method: 'GET',
  path,
  headers: { authorization: caller.authorization },
});

/** Deals the rows round-robin to the agents of each row's department, `variants` calls in all. */
function dealt<T extends { department_id: string }>(
  rows: readonly T[],
  env: LifecycleEnv,
  toPath: (row: T) => string,
): HttpCall[] {
  const calls: HttpCall[] = [];
  const turn = new Map<string, number>();
  for (let i = 0; calls.length < env.variants && i < rows.length * 4; i++) {
    const row = rows[i % rows.length];
    const agents = env.agentsOf.get(row.department_id) ?? [];
    if (agents.length === 0) continue;
    const k = turn.get(row.department_id) ?? 0;
    turn.set(row.department_id, k + 1);
    calls.push(get(toPath(row), agents[k % agents.length]));
  }
  return calls;
}

/** `count` distinct values of a column, sampled evenly over the seeded activities. */
async function sample<T>(env: LifecycleEnv, sql: string, count: number): Promise<T[]> {
  const rows = await env.database.rows<T>(sql);
  const random = mulberry32(11);
  const picked: T[] = [];
  const seen = new Set<number>();
  while (picked.length < Math.min(count, rows.length)) {
    const i = Math.floor(random() * rows.length);
    if (seen.has(i)) continue;
    seen.add(i);
    picked.push(rows[i]);
  }
  return picked;
}

const page = `$pagesize=${PAGE_SIZE}&$pagenum=1`;

const searchQueue: LifecycleScenario = {
  key: 'search-queue',
  title: 'S1. search: queue + status, page 1 of 25',
  expect: 200,
  search: true,
  async calls(env) {
    const rows = await env.database.rows<{ queue_id: string; department_id: string; n: number }>(
      `select queue_id, department_id, count(*) as n from activities
       where status = 'awaiting_assignment' and queue_id is not null
       group by queue_id, department_id having count(*) >= ${PAGE_SIZE} order by queue_id`,
    );
    return dealt(rows, env, (r) => `${SEARCH_PATH}?queueID=${r.queue_id}&status=awaiting_assignment&${page}`);
  },
};

const searchAssignee: LifecycleScenario = {
  key: 'search-assignee',
  title: 'S2. search: assignee, page 1 of 25',
  expect: 200,
  search: true,
  async calls(env) {
    const rows = await env.database.rows<{ assigned_user_id: string; department_id: string }>(
      `select assigned_user_id, department_id from activities where assigned_user_id is not null
       group by assigned_user_id, department_id having count(*) >= ${PAGE_SIZE} order by assigned_user_id`,
    );
    return dealt(rows, env, (r) => `${SEARCH_PATH}?assignedTo=${r.assigned_user_id}&${page}`);
  },
};

/** The case and customer of `variants` seeded activities drawn at random. */
async function randomActivities(env: LifecycleEnv) {
  const random = mulberry32(17);
  const ids = Array.from({ length: env.variants }, () =>
    String(FIRST_SEEDED_ACTIVITY + Math.floor(random() * env.seededActivities)),
  );
  return env.database.rows<{ case_id: string; customer_id: string; department_id: string }>(
    `select case_id, customer_id, department_id from activities where id in (${ids.map((id) => `'${id}'`).join(', ')})`,
  );
}

const searchCase: LifecycleScenario = {
  key: 'search-case',
  title: 'S3. search: case, page 1 of 25',
  expect: 200,
  search: true,
  async calls(env) {
    return dealt(await randomActivities(env), env, (r) => `${SEARCH_PATH}?caseID=${r.case_id}&${page}`);
  },
};

const searchCustomer: LifecycleScenario = {
  key: 'search-customer',
  title: 'S4. search: customer, page 1 of 25',
  expect: 200,
  search: true,
  async calls(env) {
    return dealt(
      await randomActivities(env),
      env,
      (r) => `${SEARCH_PATH}?customerID=${r.customer_id}&${page}`,
    );
  },
};

const searchDeep: LifecycleScenario = {
  key: 'search-deep',
  title: `S5. search: queue, page ${DEEP_PAGE} of 25`,
  expect: 200,
  search: true,
  async calls(env) {
    // The caller sees only their departments: count what they would see of the queue.
    const rows = await env.database.rows<{ queue_id: string; department_id: string }>(
      `select queue_id, department_id from activities where queue_id is not null
       group by queue_id, department_id having count(*) >= ${DEEP_PAGE * PAGE_SIZE} order by queue_id`,
    );
    return dealt(
      rows,
      env,
      (r) => `${SEARCH_PATH}?queueID=${r.queue_id}&$pagesize=${PAGE_SIZE}&$pagenum=${DEEP_PAGE}`,
    );
  },
};

interface KnownCustomer {
  readonly department_id: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly value: string;
}

/** Customers of a department with their email: creations join them (a new case, no new customer). */
function knownCustomers(env: LifecycleEnv): Promise<KnownCustomer[]> {
  return sample<KnownCustomer>(
    env,
    `select c.department_id, c.first_name, c.last_name, cc.value from customers c
     join customer_contacts cc on cc.customer_id = c.id and cc.kind = 'email'
     where c.department_id is not null`,
    env.variants,
  );
}

const assigneeOf = (env: LifecycleEnv, department: string, i: number) => {
  const agents = env.agentsOf.get(department) ?? [];
  return agents[i % Math.max(1, agents.length)]?.id;
};

const post = (path: string, env: LifecycleEnv, body: unknown): HttpCall => ({
  method: 'POST',
  path,
  headers: { authorization: env.clientAuthorization, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const createTask: LifecycleScenario = {
  key: 'create-task',
  title: 'C1. create a task (client application, known customer)',
  expect: 201,
  search: false,
  async calls(env) {
    const customers = (await knownCustomers(env)).filter((c) => env.agentsOf.has(c.department_id));
    return customers.map((c, i) =>
      post(`${TASK_PATH}?searchContactOnAttribute=email.emailAddress`, env, {
        department: { name: env.departmentName.get(c.department_id) },
        type: { value: 'task', subtype: { value: 'General' } },
        subject: `Call back about order ${10_000 + i}`,
        // A client application names the assignee (eGain): a bench agent of the department.
        status: { assigned: { user: { id: assigneeOf(env, c.department_id, i) } } },
        customer: {
          type: { value: 'individual' },
          contacts: {
            contact: [{ firstName: c.first_name, lastName: c.last_name, email: [{ emailAddress: c.value }] }],
          },
        },
      }),
    );
  },
};

const createEmail: LifecycleScenario = {
  key: 'create-email',
  title: 'C2. incoming email (client application, known sender, alias)',
  expect: 201,
  search: false,
  async calls(env) {
    return (await knownCustomers(env))
      .filter((c) => env.aliasOf.has(c.department_id))
      .map((c, i) =>
        post(EMAIL_PATH, env, {
          department: { name: env.departmentName.get(c.department_id) },
          type: { value: 'email', subtype: { value: 'general' } },
          subject: `Invoice ${20_000 + i} is wrong`,
          payload: {
            email: {
              emailAddresses: { from: c.value, receiver: env.aliasOf.get(c.department_id) },
              content: { text: 'Please look at the attached invoice again; the total is wrong.' },
            },
          },
        }),
      );
  },
};

/** GET /case/{id} of a case of the caller's department: its status, customer and activity count. */
const readCase: LifecycleScenario = {
  key: 'read-case',
  title: 'R1. GET one case',
  expect: 200,
  search: false,
  async calls(env) {
    return dealt(await randomActivities(env), env, (r) => `/core/casemgr/v3/case/${r.case_id}`);
  },
};

export const LIFECYCLE_SCENARIOS: readonly LifecycleScenario[] = [
  searchQueue,
  searchAssignee,
  searchCase,
  searchCustomer,
  searchDeep,
  createTask,
  createEmail,
  readCase,
];
