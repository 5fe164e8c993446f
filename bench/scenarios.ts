// The five scenarios of issue 4, each as work that can be driven two ways: HTTP requests for
// autocannon (the service, and the bare-Fastify ceiling), and direct units of work for the database
// ceiling. Both draw from the same list, built fresh from the database before every run, so that
// every pick names an activity that nobody has picked since, with its current lastModified.
import type { Context, RequestData, RequestSpec } from 'autocannon';
import { mulberry32 } from '../src/org/organisation-generator.js';
import type { Dialect } from '../src/store/dialect.js';
import { loadPickable, type BenchDatabase, type PickableActivity } from './bench-database.js';
import type { DirectDatabase, DirectOp, PickItem } from './ceiling-database.js';
import type { BenchWorld } from './organisation.js';
import type { HttpCall } from './request-sql.js';

export const PICK_PATH = '/core/casemgr/v3/activity/pick';
export const READ_PATH = '/core/casemgr/v3/activity/';

export interface BenchCaller {
  readonly id: string;
  readonly login: string;
  readonly homeDepartment: string;
  readonly authorization: string;
}

export interface ScenarioEnv {
  readonly world: BenchWorld;
  readonly agents: readonly BenchCaller[];
  readonly viewers: readonly BenchCaller[];
  readonly agentsOf: ReadonlyMap<string, readonly BenchCaller[]>;
  readonly idsOf: ReadonlyMap<string, readonly string[]>;
  readonly database: BenchDatabase;
}

/** Work for one run (warm-up included): HTTP requests or direct units of work, from one shared list. */
export interface Work {
  /** Work items left; undefined when the scenario does not use its items up (reads, refusals). */
  remaining(): number | undefined;
  /**
   * One autocannon request cycle. `reuse`: the target keeps no state (the HTTP ceiling), so the list
   * may start over instead of running out.
   */
  requests(reuse?: boolean): RequestSpec[];
  /** Which responses are measured (default: all, by status). */
  readonly measure?: (status: number) => string | undefined;
  /** The next unit of work against the database, or undefined when the list is used up. */
  direct(db: DirectDatabase): DirectOp | undefined;
  /**
   * The work items left, as plain requests for the fixed-rate driver (bench/fixed-rate.ts), each to
   * be sent once; the list is used up by the call. Scenarios that write (picks) only.
   */
  calls?(): HttpCall[];
}

export type ScenarioKey = 'pick1' | 'pick75' | 'contended' | 'read1' | 'read75' | 'reject403' | 'reject409';

export interface Scenario {
  readonly key: ScenarioKey;
  readonly title: string;
  /** What a successful response is, for the table. */
  readonly expect: string;
  /** Loops of the database ceiling: SQLite is synchronous (1), pg gets the HTTP connections. */
  dbConcurrency(dialect: Dialect, connections: number): number;
  /** Activities per pick, for the minimal-transaction ceiling (bench/ceiling-minimal.ts); writes only. */
  readonly minimalBatch?: number;
  prepare(env: ScenarioEnv): Promise<Work>;
}

interface PickWork {
  readonly caller: BenchCaller;
  readonly items: readonly PickItem[];
  readonly headers: Record<string, string>;
  readonly body: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function pickWork(caller: BenchCaller, items: readonly PickItem[]): PickWork {
  return {
    caller,
    items,
    headers: { authorization: caller.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ activity: items.map((i) => ({ id: i.id, lastModified: iso(i.lastModifiedMs) })) }),
  };
}

/**
 * Deals the pickable activities of each department to its bench agents (never to the agent who holds
 * one already: that would be 400-303), in batches of `batch`, interleaved so that consecutive requests
 * come from different agents. Incomplete batches are dropped (the captured SQL has a fixed id count).
 */
function dealPicks(pool: readonly PickableActivity[], env: ScenarioEnv, batch: number): PickWork[] {
  const buckets = new Map<BenchCaller, PickItem[]>();
  const turn = new Map<string, number>();
  for (const activity of pool) {
    const agents = env.agentsOf.get(activity.departmentId);
    if (!agents || agents.length === 0) continue;
    let k = turn.get(activity.departmentId) ?? 0;
    let agent = agents[k % agents.length];
    if (agent.id === activity.assignedUserId) {
      if (agents.length === 1) continue;
      agent = agents[++k % agents.length];
    }
    turn.set(activity.departmentId, k + 1);
    const bucket = buckets.get(agent);
    const item = { id: activity.id, lastModifiedMs: activity.lastModifiedMs };
    if (bucket) bucket.push(item);
    else buckets.set(agent, [item]);
  }
  const perAgent = [...buckets].map(([agent, items]) => {
    const batches: PickWork[] = [];
    for (let i = 0; i + batch <= items.length; i += batch)
      batches.push(pickWork(agent, items.slice(i, i + batch)));
    return batches;
  });
  const dealt: PickWork[] = [];
  for (let round = 0; dealt.length < perAgent.reduce((n, b) => n + b.length, 0); round++) {
    for (const batches of perAgent) if (round < batches.length) dealt.push(batches[round]);
  }
  return dealt;
}

const pickCall = (work: PickWork): HttpCall => ({
  method: 'PATCH',
  path: PICK_PATH,
  headers: work.headers,
  body: work.body,
});

const pickRequest = (next: () => PickWork): RequestSpec => ({
  setupRequest: (request: RequestData) => ({ ...request, ...pickCall(next()) }),
});

const picked = (end: string) => (end === 'picked' ? 'ok' : end);

/** Scenarios 1 and 2: every work item once, then the list is used up. */
function pickingScenario(key: ScenarioKey, title: string, batch: number): Scenario {
  return {
    key,
    title,
    expect: '204',
    dbConcurrency: (dialect, connections) => (dialect === 'sqlite' ? 1 : connections),
    minimalBatch: batch,
    async prepare(env) {
      const list = dealPicks(await loadPickable(env.database, env.world.pullableUsersOf), env, batch);
      let next = 0;
      // Past the end (only if autocannon built more requests than it was allowed to send) the last
      // item repeats: it would show up as a 409, never pass silently.
      const take = () => list[Math.min(next++, list.length - 1)];
      const again = () => list[next++ % list.length];
      return {
        remaining: () => Math.max(0, list.length - next),
        requests: (reuse) => [pickRequest(reuse ? again : take)],
        calls: () => list.splice(next).map(pickCall),
        direct: (db) => {
          if (next >= list.length) return undefined;
          const work = list[next++];
          return async () => {
            await db.facts(work.caller.id);
            return picked(await db.pick(work.caller.id, work.items));
          };
        },
      };
    },
  };
}

/** Scenario 3: 50 connections read the hot activities, pick one not theirs, and race for it. */
const contended: Scenario = {
  key: 'contended',
  title: '3. contended pick (read hot set → pick 1)',
  expect: '204',
  // The race needs interleaving: on SQLite the loops are still one at a time (synchronous driver),
  // but each yields between its read and its pick, as an HTTP client would.
  dbConcurrency: (_dialect, connections) => connections,
  async prepare(env) {
    const hot = env.world.hotActivityIds;
    const random = mulberry32(3);
    let turn = 0;
    const nextAgent = () => env.agents[turn++ % env.agents.length];
    const choose = <T extends { id: string }>(
      candidates: readonly T[],
      mine: (c: T) => boolean,
    ): T | undefined => {
      const free = candidates.filter((c) => !mine(c));
      return free[Math.floor(random() * free.length)];
    };
    const readPath = `${READ_PATH}${hot.join(',')}`;
    interface HotActivity {
      id: string;
      lastModified: string;
      status: { assigned?: { user: { id: string } } };
    }
    return {
      remaining: () => undefined,
      requests: () => [
        {
          setupRequest: (request: RequestData, context: Context) => {
            const caller = nextAgent();
            context.caller = caller;
            return {
              ...request,
              method: 'GET',
              path: readPath,
              headers: { authorization: caller.authorization },
            };
          },
          onResponse: (status: number, body: string, context: Context) => {
            const caller = context.caller as BenchCaller;
            if (status !== 200) return;
            const list = (JSON.parse(body) as { activity: HotActivity[] }).activity;
            const choice = choose(list, (a) => a.status.assigned?.user.id === caller.id);
            if (choice) context.choice = { id: choice.id, lastModified: choice.lastModified };
          },
        },
        {
          setupRequest: (request: RequestData, context: Context) => {
            const caller = context.caller as BenchCaller;
            // A failed read still sends a pick (with a lastModified that cannot match): it counts.
            const choice = context.choice ?? { id: hot[0], lastModified: '2000-01-01T00:00:00.000Z' };
            return {
              ...request,
              method: 'PATCH',
              path: PICK_PATH,
              headers: { authorization: caller.authorization, 'content-type': 'application/json' },
              body: JSON.stringify({ activity: [choice] }),
            };
          },
        },
      ],
      // Reads (200) are counted, not measured: the scenario's rate and latency are its picks'.
      measure: (status) => (status === 200 ? undefined : String(status)),
      direct: (db) => async () => {
        const caller = nextAgent();
        await db.facts(caller.id);
        const rows = await db.views(hot);
        const choice =
          choose(rows, (r) => r.status === 'assigned' && r.assignedUserId === caller.id) ?? rows[0];
        // The HTTP round trip between the read and the pick: let the other loops run.
        await new Promise((resolve) => setImmediate(resolve));
        const since = performance.now();
        await db.facts(caller.id);
        const end = await db.pick(caller.id, [{ id: choice.id, lastModifiedMs: choice.lastModifiedMs }]);
        return { outcome: picked(end), since };
      },
    };
  },
};

/** Scenario 4: GET of `count` random ids of the reader's home department. */
function readingScenario(key: ScenarioKey, title: string, count: number): Scenario {
  return {
    key,
    title,
    expect: '200',
    dbConcurrency: (dialect, connections) => (dialect === 'sqlite' ? 1 : connections),
    async prepare(env) {
      const random = mulberry32(count);
      let turn = 0;
      const next = () => {
        const caller = env.agents[turn++ % env.agents.length];
        const pool = env.idsOf.get(caller.homeDepartment) ?? [];
        const ids = new Set<string>();
        while (ids.size < Math.min(count, pool.length)) ids.add(pool[Math.floor(random() * pool.length)]);
        return { caller, ids: [...ids] };
      };
      return {
        remaining: () => undefined,
        requests: () => [
          {
            setupRequest: (request: RequestData) => {
              const { caller, ids } = next();
              return {
                ...request,
                method: 'GET',
                path: `${READ_PATH}${ids.join(',')}`,
                headers: { authorization: caller.authorization },
              };
            },
          },
        ],
        direct: (db) => {
          const { caller, ids } = next();
          return async () => {
            await db.facts(caller.id);
            const rows = await db.views(ids);
            return rows.length === ids.length ? 'ok' : 'missing';
          };
        },
      };
    },
  };
}

/** Scenario 5: refusals that must stay cheap. Nothing is written, so the list cycles. */
function refusingScenario(key: 'reject403' | 'reject409', title: string): Scenario {
  return {
    key,
    title,
    expect: key === 'reject403' ? '403' : '409',
    dbConcurrency: (dialect, connections) => (dialect === 'sqlite' ? 1 : connections),
    async prepare(env) {
      const pool = await loadPickable(env.database, env.world.pullableUsersOf);
      let list: PickWork[];
      if (key === 'reject409') {
        // A lastModified one millisecond off: every rule passes but the last (409-100), judged on the
        // locked rows, so the whole transaction runs and ends without writing.
        const stale = pool.map((a) => ({ ...a, lastModifiedMs: a.lastModifiedMs + 1 }));
        list = dealPicks(stale, env, 1);
      } else {
        // Viewers lack Pick Activities (403-178): refused after the caller's facts, before any transaction.
        const byDepartment = new Map<string, PickableActivity[]>();
        for (const a of pool) {
          const list = byDepartment.get(a.departmentId);
          if (list) list.push(a);
          else byDepartment.set(a.departmentId, [a]);
        }
        list = [];
        for (let i = 0; list.length < 5000 && i < pool.length; i++) {
          const viewer = env.viewers[i % env.viewers.length];
          const mine = byDepartment.get(viewer.homeDepartment) ?? [];
          const activity = mine[i % Math.max(1, mine.length)];
          if (activity) list.push(pickWork(viewer, [activity]));
        }
      }
      if (list.length === 0) throw new Error(`${key}: no activities to build requests from`);
      let next = 0;
      const take = () => list[next++ % list.length];
      return {
        remaining: () => undefined,
        requests: () => [pickRequest(take)],
        direct: (db) => {
          const work = take();
          return key === 'reject403'
            ? async () => {
                await db.facts(work.caller.id);
                return 'forbidden';
              }
            : async () => {
                await db.facts(work.caller.id);
                return picked(await db.pick(work.caller.id, work.items));
              };
        },
      };
    },
  };
}

export const SCENARIOS: readonly Scenario[] = [
  pickingScenario('pick1', '1. single-activity pick', 1),
  pickingScenario('pick75', '2. 75-activity pick', 75),
  contended,
  readingScenario('read1', '4a. GET 1 id', 1),
  readingScenario('read75', '4b. GET 75 ids', 75),
  refusingScenario('reject403', '5a. rejected pick, 403 (no Pick Activities)'),
  refusingScenario('reject409', '5b. rejected pick, 409 (stale lastModified)'),
];
