// `npm run bench -- --moves`: transfer to a queue (1 and 75 activities), complete (1 and 75) and pull,
// on the seeded store of the lifecycle scenarios (1,000,000 activities by default), each beside its
// database ceiling: the statements the service issued for one such request (recorded from the
// service's own app), replayed through the driver with each work item's values (move-templates.ts),
// at the same concurrency on a pool the size of the service's. Pull runs at 50 and at 8 connections,
// every connection an agent pulling from the same two queues; its figure is goodput (activities
// handed out per second: every bench agent's maxPull is 1, so one per 200), and the 50/8 ratio shows
// whether SKIP LOCKED keeps 50 pullers off each other (no convoy on the queue head).
// Targets (reported, not asserted): every scenario ≥ 0.6× its database ceiling on PostgreSQL; pull's
// goodput at 50 ≥ 0.8× its goodput at 8.
import type { RequestData, RequestSpec } from 'autocannon';
import type { Dialect } from '../src/store/dialect.js';
import { runCeiling, type DirectOp } from './ceiling-database.js';
import { explainTemplate } from './move-explain.js';
import { prepareStore, type PreparedStore } from './lifecycle-run.js';
import { driveHttp, waitForQuiet } from './load.js';
import {
  moveReplayer,
  toTemplate,
  type MoveBinding,
  type MoveReplayer,
  type MoveTemplate,
  type RecordedValues,
} from './move-templates.js';
import {
  closeWriter,
  loadCompletable,
  loadPullable,
  loadTransferable,
  resetComplete,
  resetPull,
  setUpPools,
  tidy,
  type MovePools,
} from './moves-data.js';
import { describeMachine, machineLines } from './report.js';
import { recordRequests, type HttpCall } from './request-sql.js';
import type { BenchCaller } from './scenarios.js';
import { startService, type Child } from './service-process.js';
import type { RunStats } from './stats.js';

export const MOVE_KEYS = ['transfer1', 'transfer75', 'complete1', 'complete75', 'pull'] as const;
export type MoveKey = (typeof MOVE_KEYS)[number];

export interface MovesOptions {
  readonly stores: Dialect[];
  readonly activities: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly connections: number;
  /** The lower pull concurrency the 50-agent goodput is compared with. */
  readonly fewPullers: number;
  readonly poolMax: number;
  readonly only: string[] | undefined;
  readonly nodeArgs: string[];
  readonly keep: boolean;
  readonly workDir: string;
  readonly runId: string;
  readonly command: string;
  /** Print the PostgreSQL plan of each scenario's statements (one real work item, rolled back). */
  readonly explain: boolean;
}

const BASE = '/core/casemgr/v3/activity';
const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const ms = (n: number) => (n < 10 ? fmt(n, 2) : n < 100 ? fmt(n, 1) : fmt(n, 0));
const brief = (s: RunStats) =>
  `${fmt(s.perSecond)}/s, p50 ${ms(s.p50Ms)} ms, p99 ${ms(s.p99Ms)} ms, ${JSON.stringify(s.outcomes)}` +
  `${s.errors ? `, errors ${s.errors}` : ''}${s.exhausted ? ', all work used' : ''}`;

/** One request of a scenario: what the service is sent, and what its ceiling replays. */
interface MoveWork {
  readonly call: HttpCall;
  readonly template: MoveTemplate;
  readonly binding: () => MoveBinding;
}

interface MoveRun {
  readonly label: string;
  readonly connections: number;
  readonly db: RunStats;
  readonly service: RunStats;
  /**
   * Successful requests per second (transfer 204, complete 200, pull 200 — a pull answered 204 found
   * nothing; the ceiling: every activity written), service and ceiling: what the ratio compares.
   * A 503 or a 409 is not work done, however fast it came.
   */
  readonly done: { readonly service: number; readonly db: number };
  /** Activities moved per second (pull: handed out, its goodput). */
  readonly activities: { readonly service: number; readonly db: number };
}

interface MoveResult {
  readonly key: MoveKey;
  readonly title: string;
  readonly store: Dialect;
  readonly statements: number;
  readonly runs: readonly MoveRun[];
}

interface Session {
  readonly prepared: PreparedStore;
  readonly pools: MovePools;
  readonly agents: readonly BenchCaller[];
  readonly agentById: ReadonlyMap<string, BenchCaller>;
  readonly service: Child;
  readonly replayer: MoveReplayer;
  readonly options: MovesOptions;
}

const iso = (ms: number) => new Date(ms).toISOString();
const patch = (
  path: string,
  caller: BenchCaller,
  items?: readonly { id: string; lastModifiedMs: number }[],
) => ({
  method: 'PATCH' as const,
  path,
  headers: {
    authorization: caller.authorization,
    ...(items ? { 'content-type': 'application/json' } : {}),
  },
  ...(items
    ? {
        body: JSON.stringify({
          activity: items.map((i) => ({ id: i.id, lastModified: iso(i.lastModifiedMs) })),
        }),
      }
    : {}),
});

/** Interleaves per-key lists so that consecutive requests come from different agents. */
function interleave<T>(lists: readonly T[][]): T[] {
  const out: T[] = [];
  for (let round = 0; out.length < lists.reduce((n, l) => n + l.length, 0); round++) {
    for (const list of lists) if (round < list.length) out.push(list[round]);
  }
  return out;
}

interface Batch {
  readonly caller: BenchCaller;
  readonly items: readonly { id: string; lastModifiedMs: number }[];
  readonly values: Omit<RecordedValues, 'lastModified'>;
  readonly call: HttpCall;
}

/** Transfer batches of `n`, each from one queue of a pair to the other, dealt to the department's agents. */
async function transferBatches(session: Session, n: number): Promise<Batch[]> {
  const items = await loadTransferable(session.prepared.database, session.pools);
  const byQueue = new Map<string, typeof items>();
  for (const item of items) byQueue.set(item.queueId, [...(byQueue.get(item.queueId) ?? []), item]);
  const perAgent = new Map<BenchCaller, Batch[]>();
  for (const [queueId, list] of byQueue) {
    const department = list[0].departmentId;
    const [a, b] = session.pools.queuePairs.get(department)!;
    const target = queueId === a ? b : a;
    const agents = session.prepared.env.agentsOf.get(department)!;
    for (let i = 0, k = 0; i + n <= list.length; i += n, k++) {
      const chunk = list.slice(i, i + n);
      const caller = agents[k % agents.length];
      const batch: Batch = {
        caller,
        items: chunk,
        values: {
          user: caller.id,
          ids: chunk.map((c) => c.id),
          previous: chunk.map((c) => c.lastModifiedMs),
          sources: chunk.map((c) => c.queueId),
          target,
        },
        call: patch(`${BASE}/transfer/queue/${target}`, caller, chunk),
      };
      perAgent.set(caller, [...(perAgent.get(caller) ?? []), batch]);
    }
  }
  return interleave([...perAgent.values()]);
}

/** Complete batches of `n` of one agent's activities (each of another case). */
async function completeBatches(session: Session, n: number): Promise<Batch[]> {
  const items = await loadCompletable(session.prepared.database, session.pools);
  const byAgent = new Map<string, typeof items>();
  for (const item of items) byAgent.set(item.userId, [...(byAgent.get(item.userId) ?? []), item]);
  const lists: Batch[][] = [];
  for (const [userId, list] of byAgent) {
    const caller = session.agentById.get(userId);
    if (!caller) continue;
    const batches: Batch[] = [];
    for (let i = 0; i + n <= list.length; i += n) {
      const chunk = list.slice(i, i + n);
      batches.push({
        caller,
        items: chunk,
        values: {
          user: caller.id,
          ids: chunk.map((c) => c.id),
          previous: chunk.map((c) => c.lastModifiedMs),
          cases: chunk.map((c) => c.caseId),
        },
        call: patch(`${BASE}/complete`, caller, chunk),
      });
    }
    lists.push(batches);
  }
  return interleave(lists);
}

/** What the service wrote as the lastModified of an activity (read after a recorded request). */
async function storedLastModified(session: Session, id: string): Promise<number> {
  const [row] = await session.prepared.database.rows<{ last_modified_ms: number | string }>(
    'select last_modified_ms from activities where id = ?',
    [id],
  );
  return Number(row.last_modified_ms);
}

/**
 * Records one request of the list (the first whose values are all distinct) from the service's own
 * app and makes it the template of the batches' ceiling; the recorded batch has moved, so the list
 * is built again by the caller. Seeded activities can share a lastModified (a batch of 75 drawn from
 * one creation chunk), so every batch of the list is a candidate, not only the first few.
 */
async function recordBatchTemplate(session: Session, batches: readonly Batch[], expect: number) {
  for (const batch of batches) {
    const distinct = new Set([...batch.values.previous]).size === batch.values.previous.length;
    if (!distinct) continue;
    const [recorded] = await recordRequests(
      session.prepared.database.dialect,
      session.prepared.database.target,
      [batch.call],
    );
    if (recorded.status !== expect)
      throw new Error(`recorded ${batch.call.path} answered ${recorded.status}: ${recorded.body}`);
    const lastModified = await storedLastModified(session, batch.values.ids[0]);
    return {
      template: toTemplate(recorded, { ...batch.values, lastModified }),
      statements: recorded.statements.length,
    };
  }
  throw new Error('no batch with distinct lastModified values to record');
}

const bindingOf = (batch: Batch) => (): MoveBinding => ({
  user: batch.caller.id,
  ids: [...batch.values.ids],
  previous: [...batch.values.previous],
  cases: [...(batch.values.cases ?? [])],
  sources: [...(batch.values.sources ?? [])],
  ...(batch.values.target === undefined ? {} : { target: batch.values.target }),
});

const rateOf = (s: RunStats, key: string) => (s.seconds > 0 ? (s.outcomes[key] ?? 0) / s.seconds : 0);

/** 'ok' when every activity was written, 'none' when there was none (pull), else 'stale'. */
const outcomeOf = (run: { ids: number; updated: number }) =>
  run.ids === 0 ? 'none' : run.updated === run.ids ? 'ok' : 'stale';

/** A bounded list: every item once, for the ceiling or for the service. */
function listWork(list: readonly MoveWork[]) {
  let next = 0;
  const take = () => list[Math.min(next++, list.length - 1)];
  return {
    remaining: () => Math.max(0, list.length - next),
    requests: (): RequestSpec[] => [
      {
        setupRequest: (request: RequestData) => {
          const work = take();
          return {
            ...request,
            method: work.call.method,
            path: work.call.path,
            headers: work.call.headers,
            ...(work.call.body === undefined ? {} : { body: work.call.body }),
          };
        },
      },
    ],
    direct: (replayer: MoveReplayer): DirectOp | undefined => {
      if (next >= list.length) return undefined;
      const work = list[next++];
      return async () => outcomeOf(await replayer.run(work.template, work.binding()));
    },
  };
}

async function measureCeiling(session: Session, work: ReturnType<typeof listWork>, connections: number) {
  const { options } = session;
  const available = work.remaining();
  const db = await runCeiling({
    concurrency: session.prepared.database.dialect === 'sqlite' ? 1 : connections,
    warmupSeconds: options.warmup,
    warmupOps: Math.floor(available / 4),
    seconds: options.seconds,
    next: () => work.direct(session.replayer),
  });
  if (db.lastError !== undefined)
    log(`    database ceiling errors, last: ${String((db.lastError as Error).message ?? db.lastError)}`);
  return db;
}

async function measureService(session: Session, work: ReturnType<typeof listWork>, connections: number) {
  const stats = await driveHttp({
    baseUrl: session.service.baseUrl,
    connections,
    warmupSeconds: session.options.warmup,
    seconds: session.options.seconds,
    requests: work.requests(),
    maxRequests: work.remaining(),
  });
  await waitForQuiet(session.service.baseUrl);
  return stats;
}

/** Transfer or complete of `n`: template recorded once, then the ceiling and the service on fresh lists. */
async function runBatches(session: Session, key: MoveKey, title: string, n: number): Promise<MoveResult> {
  const transfer = key.startsWith('transfer');
  const expect = transfer ? 204 : 200;
  const batches = () => (transfer ? transferBatches(session, n) : completeBatches(session, n));
  const reset = async () => {
    if (transfer) await tidy(session.prepared.database);
    else await resetComplete(session.prepared.database, session.pools);
  };
  await reset();
  const { template, statements } = await recordBatchTemplate(session, await batches(), expect);
  if (session.options.explain) await explain(session, template, bindingOf((await batches())[0])());
  const works = async () => {
    await reset();
    const list = await batches();
    log(`    ${list.length} batches of ${n} ready`);
    return listWork(list.map((b) => ({ call: b.call, template, binding: bindingOf(b) })));
  };
  const db = await measureCeiling(session, await works(), session.options.connections);
  log(`    database ceiling: ${brief(db)}`);
  const service = await measureService(session, await works(), session.options.connections);
  log(`    service, ${session.options.connections} connections: ${brief(service)}`);
  return {
    key,
    title,
    store: session.prepared.database.dialect,
    statements,
    runs: [
      {
        label: `${session.options.connections} conn.`,
        connections: session.options.connections,
        db,
        service,
        done: { service: rateOf(service, String(expect)), db: rateOf(db, 'ok') },
        activities: { service: rateOf(service, String(expect)) * n, db: rateOf(db, 'ok') * n },
      },
    ],
  };
}

async function explain(session: Session, template: MoveTemplate, binding: MoveBinding) {
  const { database } = session.prepared;
  if (database.dialect !== 'postgres') return;
  for (const line of await explainTemplate(database.url, template, binding)) log(`    ${line}`);
}

/** One template per agent (the pull's SQL names the caller's queues and departments). */
async function recordPullTemplates(session: Session) {
  const waiting = await loadPullable(session.prepared.database);
  const calls = session.agents.map((agent) => patch(`${BASE}/pull`, agent));
  const recorded = await recordRequests(
    session.prepared.database.dialect,
    session.prepared.database.target,
    calls,
  );
  const templates = new Map<string, MoveTemplate>();
  for (const [i, request] of recorded.entries()) {
    const agent = session.agents[i];
    if (request.status !== 200) throw new Error(`recorded pull answered ${request.status}: ${request.body}`);
    const id = (JSON.parse(request.body) as { activity: { id: string }[] }).activity[0].id;
    const row = waiting.get(id);
    if (!row) throw new Error(`recorded pull took ${id}, which was not waiting in the pull queues`);
    const values: RecordedValues = {
      user: agent.id,
      ids: [id],
      previous: [row.lastModifiedMs],
      sources: [row.queueId],
      lastModified: await storedLastModified(session, id),
      offered: true,
    };
    templates.set(agent.id, toTemplate(request, values));
  }
  return { templates, statements: recorded[0]?.statements.length ?? 0 };
}

/** Unbounded: agents take turns; each pull takes what is waiting (204 once nothing is). */
function pullWork(session: Session, templates: ReadonlyMap<string, MoveTemplate>) {
  let turn = 0;
  const nextAgent = () => session.agents[turn++ % session.agents.length];
  return {
    requests: (): RequestSpec[] => [
      {
        setupRequest: (request: RequestData) => {
          const call = patch(`${BASE}/pull`, nextAgent());
          return { ...request, method: call.method, path: call.path, headers: call.headers };
        },
      },
    ],
    direct: (): DirectOp => {
      const agent = nextAgent();
      return async () => {
        const binding: MoveBinding = { user: agent.id, ids: [], previous: [], cases: [], sources: [] };
        const outcome = outcomeOf(await session.replayer.run(templates.get(agent.id)!, binding));
        return outcome === 'ok' ? 'pulled' : outcome;
      };
    },
  };
}

async function runPull(session: Session): Promise<MoveResult> {
  const { database } = session.prepared;
  const [maxPull] = await database.rows<{ m: number | string }>(
    `select max(max_pull) as m from users where id in (${session.agents.map(() => '?').join(', ')})`,
    session.agents.map((a) => a.id),
  );
  if (Number(maxPull.m) !== 1) throw new Error('pull goodput assumes maxPull 1 for every bench agent');
  await resetPull(database);
  const { templates, statements } = await recordPullTemplates(session);
  const first = session.agents[0].id;
  if (session.options.explain)
    await explain(session, templates.get(first)!, {
      user: first,
      ids: [],
      previous: [],
      cases: [],
      sources: [],
    });
  const runs: MoveRun[] = [];
  for (const connections of [session.options.connections, session.options.fewPullers]) {
    await resetPull(database);
    const work = pullWork(session, templates);
    const db = await runCeiling({
      concurrency: database.dialect === 'sqlite' ? 1 : connections,
      warmupSeconds: session.options.warmup,
      seconds: session.options.seconds,
      next: () => work.direct(),
    });
    if (db.lastError !== undefined)
      log(`    database ceiling errors, last: ${String((db.lastError as Error).message ?? db.lastError)}`);
    log(`    database ceiling, ${connections} pullers: ${brief(db)}`);
    await resetPull(database);
    const service = await driveHttp({
      baseUrl: session.service.baseUrl,
      connections,
      warmupSeconds: session.options.warmup,
      seconds: session.options.seconds,
      requests: work.requests(),
    });
    await waitForQuiet(session.service.baseUrl);
    log(`    service, ${connections} pullers: ${brief(service)}`);
    runs.push({
      label: `${connections} pullers`,
      connections,
      db,
      service,
      done: { service: rateOf(service, '200'), db: rateOf(db, 'pulled') },
      activities: { service: rateOf(service, '200'), db: rateOf(db, 'pulled') },
    });
  }
  return {
    key: 'pull',
    title: 'M5. pull (maxPull 1), 50 agents on the same two queues',
    store: database.dialect,
    statements,
    runs,
  };
}

const TITLES: Record<Exclude<MoveKey, 'pull'>, [string, number]> = {
  transfer1: ['M1. transfer 1 activity to a queue', 1],
  transfer75: ['M2. transfer 75 activities to a queue', 75],
  complete1: ['M3. complete 1 activity', 1],
  complete75: ['M4. complete 75 activities (75 cases)', 75],
};

function table(results: readonly MoveResult[]): string {
  const header =
    '| Scenario | Store | Run | Service done/s | p50 / p99 ms | DB ceiling done/s | p50 / p99 ms | × DB | Activities/s (service / DB) | Statements | Responses |';
  const rows = results.flatMap((r) =>
    r.runs.map((run) => {
      const ratio = run.done.service / run.done.db;
      return [
        r.title,
        r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL',
        run.label,
        fmt(run.done.service) + (run.service.exhausted ? ' (all work used)' : ''),
        `${ms(run.service.p50Ms)} / ${ms(run.service.p99Ms)}`,
        fmt(run.done.db) +
          (run.db.exhausted ? ' (all work used)' : '') +
          (run.db.errors ? ` errors×${run.db.errors}` : ''),
        `${ms(run.db.p50Ms)} / ${ms(run.db.p99Ms)}`,
        Number.isFinite(ratio) ? `${fmt(ratio, 2)}×` : '–',
        `${fmt(run.activities.service)} / ${fmt(run.activities.db)}`,
        String(r.statements),
        Object.entries(run.service.outcomes)
          .map(([status, count]) => `${status}×${fmt(count)}`)
          .join(' '),
      ].join(' | ');
    }),
  );
  return [header, '|' + ' --- |'.repeat(11), ...rows.map((row) => `| ${row} |`)].join('\n');
}

function targets(results: readonly MoveResult[], options: MovesOptions): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const store = r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const main = r.runs[0];
    const ratio = main.done.service / main.done.db;
    const pull = r.key === 'pull';
    lines.push(
      `- **${ratio >= 0.6 ? 'PASS' : 'MISS'}** ${r.title} on ${store}${pull ? ` (${main.label}, goodput)` : ''} ≥ 0.6× database ceiling: ${fmt(ratio, 2)}×`,
    );
    if (pull && r.runs.length === 2) {
      const few = r.runs[1];
      const scaling = main.activities.service / few.activities.service;
      const dbScaling = main.activities.db / few.activities.db;
      lines.push(
        `- **${scaling >= 0.8 ? 'PASS' : 'MISS'}** pull goodput on ${store} at ${options.connections} pullers ≥ 0.8× at ${options.fewPullers}: ` +
          `${fmt(main.activities.service)} / ${fmt(few.activities.service)} activities/s = ${fmt(scaling, 2)}× (database ceiling: ${fmt(dbScaling, 2)}×)`,
      );
    }
  }
  return lines;
}

/** Runs the moves scenarios on each store; returns the Markdown section of the run. */
export async function runMoves(options: MovesOptions): Promise<string> {
  const started = performance.now();
  const keys = MOVE_KEYS.filter((k) => !options.only || options.only.includes(k));
  const results: MoveResult[] = [];
  const versions: string[] = [];
  const notes: string[] = [];
  for (const store of options.stores) {
    log(`${store} (moves, ${fmt(options.activities)} activities):`);
    const prepared = await prepareStore(store, { ...options, variants: 1 }, { moves: true });
    versions.push(prepared.version);
    const agents = [...prepared.env.agentsOf.values()].flat();
    const poolStarted = performance.now();
    // A tenth of the store to transfer and to complete, a twentieth to pull: at 1,000,000 activities
    // several times what a 10 s run at the expected rates takes.
    const pools = await setUpPools(
      prepared.database,
      prepared.base,
      prepared.env.agentsOf,
      Math.floor(options.activities / 10),
    );
    const poolNote =
      `${store}: seeding ${prepared.seed.seconds.toFixed(1)} s; pools (inbound emails) transfer ${fmt(pools.transfer)}, ` +
      `complete ${fmt(pools.complete.length)}, pull ${fmt(pools.pull)}, set up in ${((performance.now() - poolStarted) / 1000).toFixed(1)} s`;
    log(`  ${poolNote}`);
    notes.push(poolNote);
    const replayer = moveReplayer(store, prepared.database.target, options.poolMax);
    try {
      const service = await startService({
        databaseUrl: prepared.database.url,
        poolMax: options.poolMax,
        nodeArgs: options.nodeArgs,
      });
      const session: Session = {
        prepared,
        pools,
        agents,
        agentById: new Map(agents.map((a) => [a.id, a])),
        service,
        replayer,
        options,
      };
      try {
        for (const key of keys) {
          const title = key === 'pull' ? 'M5. pull' : TITLES[key][0];
          log(`  ${store} · ${title}`);
          results.push(
            key === 'pull' ? await runPull(session) : await runBatches(session, key, title, TITLES[key][1]),
          );
        }
      } finally {
        await service.stop();
      }
    } finally {
      await replayer.close().catch(() => undefined);
      closeWriter(prepared.database);
      if (!options.keep) await prepared.database.drop();
    }
  }
  const machine = describeMachine([...new Set(versions)]);
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return [
    `## ${date} — moves run (transfer, complete, pull; issue 12)`,
    '',
    `- Command: \`${options.command}\` (${((performance.now() - started) / 1000).toFixed(0)} s in all)`,
    ...machineLines(machine),
    `- Data: ${fmt(options.activities)} seeded activities (bench/lifecycle-seed.ts) on the bench organisation; ${notes.join('; ')}`,
    `- Settings: warm-up ${options.warmup} s + ${options.seconds} s measured per run; ${options.connections} connections ` +
      `(pull also ${options.fewPullers}); PostgreSQL pool ${options.poolMax} (service and ceiling); pools reset and vacuumed before every run`,
    '',
    table(results),
    '',
    'Database ceiling = the statements one request of the scenario made the service issue (recorded from the service code), ' +
      "replayed with each work item's ids, lastModified values, cases and queues (bench/move-templates.ts) through " +
      `better-sqlite3 (1 loop) or pg (as many loops as connections, on a pool of ${options.poolMax}). Pull: goodput = activities handed out per second ` +
      '(maxPull 1: one per 200). "Done/s" counts only successful requests (a 503 or 409 is no work done); × DB compares them.',
    '',
    'Targets (reported, not asserted):',
    '',
    ...targets(results, options),
    '',
  ].join('\n');
}
