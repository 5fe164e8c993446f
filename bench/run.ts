// `npm run bench` — the service under load on a realistic database, beside its ceilings.
//
//   npm run bench                      full run: 200k activities, SQLite and PostgreSQL, every scenario
//   npm run bench -- --quick           smoke run under a minute (20k activities, ~1 s per measurement)
//   npm run bench -- --soak 300        scenario 1 for 300 s per store, RSS every 10 s and the slope of its floor
//   npm run bench -- --profile         scenario 1 (or the first of --only) under --cpu-prof per store
//   npm run bench -- --lifecycle       only the search and creation scenarios of issue 11, on a seeded
//                                      store of 1,000,000 activities (--activities N for another size)
//   npm run bench -- --moves           only transfer, complete and pull of issue 12 on that seeded store
//                                      (PostgreSQL unless --store says otherwise; 10–15 min at 1,000,000)
// Options: --store sqlite|postgres|both, --seconds S, --warmup S, --connections N, --pool N,
//   --only pick1,pick75,contended,read1,read75,reject403,reject409, --no-build, --keep, --show-sql,
//   --node-args=FLAGS (node flags for the service, e.g. --max-old-space-size=64),
//   --results / --no-results (full, soak and profile runs prepend to bench/RESULTS.md; quick does not),
//   --overload turns,under-pressure,off (run the scenarios once under each OVERLOAD_CONTROL).
//
// All load goes to 127.0.0.1; every run is bounded in time and in work items; child processes are
// killed and the fresh databases dropped on the way out, errors and Ctrl-C included.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OVERLOAD_CONTROLS, type OverloadControl } from '../src/http/overload-control.js';
import type { Dialect } from '../src/store/dialect.js';
import {
  createBenchDatabase,
  databaseVersion,
  dropAllDatabases,
  loadIdsByDepartment,
  type BenchDatabase,
} from './bench-database.js';
import { captureSql, describeSql, type CapturedSql } from './captured-sql.js';
import { openPostgresDirect, openSqliteDirect, runCeiling, type DirectDatabase } from './ceiling-database.js';
import { MINIMAL_PG_CLIENTS, measureMinimalPostgres, measureMinimalSqlite } from './ceiling-minimal.js';
import { LIFECYCLE_KEYS, runLifecycle } from './lifecycle-run.js';
import { MOVE_KEYS, runMoves } from './moves-run.js';
import { driveFixedRate } from './fixed-rate.js';
import { driveHttp, waitForQuiet } from './load.js';
import { FULL_SIZES, QUICK_SIZES, type BenchSizes, type BenchWorld } from './organisation.js';
import { profileLines, summarizeProfile } from './profile-summary.js';
import {
  describeMachine,
  judgeTargets,
  machineLines,
  prependResults,
  resultsTable,
  targetLines,
  type HalfRateResult,
  type ImportTiming,
  type ScenarioResult,
} from './report.js';
import { SCENARIOS, type BenchCaller, type Scenario, type ScenarioEnv, type Work } from './scenarios.js';
import {
  CASEMGR_BIN,
  killAllChildren,
  readMemory,
  REPO,
  resetPeakMemory,
  runCommand,
  startHttpCeiling,
  startService,
  type Child,
} from './service-process.js';
import { ensureBuilt, issueTokens, writeOrganisationFile } from './setup.js';
import type { RunStats } from './stats.js';

const WORK_DIR = join(REPO, 'bench/.work');
const RESULTS = join(REPO, 'bench/RESULTS.md');

interface Options {
  readonly quick: boolean;
  readonly stores: Dialect[];
  readonly seconds: number;
  readonly warmup: number;
  readonly connections: number;
  readonly poolMax: number;
  readonly scenarios: Scenario[];
  readonly soak: number | undefined;
  readonly profile: boolean;
  /** The scenario --profile drives: the first of --only, else scenario 1. */
  readonly profileScenario: string;
  readonly build: boolean;
  readonly keep: boolean;
  readonly showSql: boolean;
  /** Extra node flags for the service (e.g. --max-old-space-size=96), to try V8 settings. */
  readonly nodeArgs: string[];
  readonly results: boolean;
  /** OVERLOAD_CONTROL values to run the scenarios under, one service each; empty = the service's default. */
  readonly overload: OverloadControl[];
  readonly sizes: BenchSizes;
  readonly command: string;
  /** --lifecycle: only the search and creation scenarios (bench/lifecycle-run.ts). */
  readonly lifecycle: boolean;
  readonly lifecycleOnly: string[] | undefined;
  readonly activities: number;
  readonly variants: number;
  /** --moves: only transfer, complete and pull (bench/moves-run.ts). */
  readonly moves: boolean;
  readonly explain: boolean;
  readonly fewPullers: number;
}

/** The node flags `npm start` gives the service, so that the default run measures what users run. */
function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  return words.slice(1, words.indexOf('bin/casemgr.js')).filter((word) => word.startsWith('--'));
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      store: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      pool: { type: 'string' },
      only: { type: 'string' },
      soak: { type: 'string' },
      profile: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      keep: { type: 'boolean' },
      'show-sql': { type: 'boolean' },
      'node-args': { type: 'string' },
      results: { type: 'boolean' },
      'no-results': { type: 'boolean' },
      overload: { type: 'string' },
      lifecycle: { type: 'boolean' },
      activities: { type: 'string' },
      variants: { type: 'string' },
      moves: { type: 'boolean' },
      'few-pullers': { type: 'string' },
      explain: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    const head = readHelp();
    process.stdout.write(`${head}\n`);
    process.exit(0);
  }
  const number = (name: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return value;
  };
  const quick = values.quick === true;
  const moves = values.moves === true;
  // The moves targets are PostgreSQL's: SQLite only when asked for.
  const store = values.store ?? (moves ? 'postgres' : 'both');
  if (!['both', 'sqlite', 'postgres'].includes(store))
    throw new Error('--store must be sqlite, postgres or both');
  const stores: Dialect[] = store === 'both' ? ['sqlite', 'postgres'] : [store as Dialect];
  const only = values.only?.split(',').map((s) => s.trim());
  const lifecycle = values.lifecycle === true;
  if (lifecycle && only && !only.every((key) => (LIFECYCLE_KEYS as string[]).includes(key))) {
    throw new Error(`--only with --lifecycle takes ${LIFECYCLE_KEYS.join(', ')}`);
  }
  if (moves && only && !only.every((key) => (MOVE_KEYS as readonly string[]).includes(key))) {
    throw new Error(`--only with --moves takes ${MOVE_KEYS.join(', ')}`);
  }
  if (moves && lifecycle) throw new Error('--moves and --lifecycle are separate runs');
  const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.key)) : [...SCENARIOS];
  if (only && !lifecycle && !moves && scenarios.length !== only.length) {
    throw new Error(`--only takes ${SCENARIOS.map((s) => s.key).join(', ')}`);
  }
  const overload = (values.overload?.split(',').map((s) => s.trim()) ?? []) as OverloadControl[];
  if (overload.some((o) => !OVERLOAD_CONTROLS.includes(o)))
    throw new Error(`--overload takes ${OVERLOAD_CONTROLS.join(', ')}`);
  const soak = values.soak === undefined ? undefined : number('soak', values.soak, 0, 10, 24 * 3600);
  const profile = values.profile === true;
  return {
    quick,
    stores,
    seconds: number('seconds', values.seconds, quick ? 0.6 : 10, 0.2, 600),
    warmup: number('warmup', values.warmup, quick ? 0.4 : 2, 0, 60),
    connections: number('connections', values.connections, 50, 1, 1000),
    poolMax: number('pool', values.pool, 10, 1, 100),
    scenarios,
    soak,
    profile,
    profileScenario: only?.[0] ?? 'pick1',
    build: values['no-build'] !== true,
    keep: values.keep === true,
    showSql: values['show-sql'] === true,
    nodeArgs:
      values['node-args'] === undefined
        ? startScriptNodeFlags()
        : values['node-args'].split(' ').filter(Boolean),
    results: values['no-results'] ? false : values.results === true || !quick,
    overload,
    sizes: quick ? QUICK_SIZES : FULL_SIZES,
    lifecycle,
    lifecycleOnly: lifecycle || moves ? only : undefined,
    moves,
    explain: values.explain === true,
    fewPullers: number('few-pullers', values['few-pullers'], 8, 1, 1000),
    activities: number('activities', values.activities, 1_000_000, 1000, 20_000_000),
    variants: number('variants', values.variants, 300, 1, 100_000),
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  };
}

function readHelp(): string {
  return [
    'npm run bench [-- options]',
    '  --quick                 smoke run (20k activities, short measurements), under a minute',
    '  --store S               sqlite, postgres or both (default both)',
    '  --seconds S             measured seconds per run (default 10; quick 0.6)',
    '  --warmup S              warm-up seconds before each run (default 2; quick 0.4)',
    '  --connections N         HTTP connections, and pg ceiling loops (default 50)',
    '  --pool N                PostgreSQL pool of the service and of the ceiling (default 10)',
    `  --only K,…              scenarios: ${SCENARIOS.map((s) => s.key).join(', ')}`,
    '  --soak SECONDS          scenario 1 only, for that long; RSS every 10 s and its slope',
    '  --profile               one scenario (first of --only, else pick1) under --cpu-prof; summary of self time',
    '  --no-build              do not run npm run build even if src is newer than dist',
    '  --keep                  keep the databases and the work files',
    '  --show-sql              print the statements captured from the store',
    "  --node-args=FLAGS       node flags for the service (default: npm start's), e.g. --node-args=--max-old-space-size=96",
    '  --results/--no-results  prepend this run to bench/RESULTS.md (default: yes except --quick)',
    `  --overload C,…          run the scenarios under each OVERLOAD_CONTROL (${OVERLOAD_CONTROLS.join(', ')}), one service each`,
    '  --lifecycle             only the search and creation scenarios of issue 11, on a seeded store',
    `                          (--only ${LIFECYCLE_KEYS.join(',')})`,
    '  --activities N          seeded activities for --lifecycle (default 1,000,000)',
    '  --variants N            different calls per lifecycle scenario (default 300)',
    '  --moves                 only transfer, complete and pull of issue 12, on the seeded store (default --store postgres)',
    `                          (--only ${MOVE_KEYS.join(',')}); pull also at --few-pullers N (default 8);`,
    "                          --explain prints the PostgreSQL plan of each scenario's statements",
  ].join('\n');
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Everything one store needs for its runs. */
interface StoreSession {
  readonly store: Dialect;
  readonly database: BenchDatabase;
  readonly captured: CapturedSql;
  readonly env: ScenarioEnv;
  readonly importSeconds: number;
  readonly version: string;
  direct: DirectDatabase | undefined;
}

async function openStore(
  store: Dialect,
  options: Options,
  org: { path: string; world: BenchWorld },
  runId: string,
): Promise<StoreSession> {
  const database = await createBenchDatabase(store, WORK_DIR, `${runId}_${store}`);
  // Statements recorded from the store's own code, on the empty (just migrated) database.
  const captured = await captureSql(store, database.target, [1, 75, org.world.hotActivityIds.length]);
  if (options.showSql) log(describeSql(captured));
  const imported = await runCommand(
    [CASEMGR_BIN, 'import', org.path],
    { DATABASE_URL: database.url },
    20 * 60_000,
  );
  log(`  ${store}: imported in ${sec(imported.ms)} — ${imported.stdout.trim()}`);
  const expires = Math.ceil(4 * 3600 + (options.soak ?? 0));
  const target =
    store === 'sqlite' ? { dialect: store, path: database.target } : { dialect: store, url: database.url };
  const world = org.world;
  const agents = await issueTokens(target, world.agents, expires);
  const viewers = await issueTokens(target, world.viewers, expires);
  const agentsOf = new Map<string, BenchCaller[]>();
  for (const agent of agents)
    agentsOf.set(agent.homeDepartment, [...(agentsOf.get(agent.homeDepartment) ?? []), agent]);
  const env: ScenarioEnv = {
    world,
    agents,
    viewers,
    agentsOf,
    idsOf: await loadIdsByDepartment(database),
    database,
  };
  const direct =
    store === 'sqlite'
      ? openSqliteDirect(database.target, captured)
      : openPostgresDirect(database.url, options.poolMax, captured);
  return {
    store,
    database,
    captured,
    env,
    importSeconds: imported.ms / 1000,
    version: await databaseVersion(database),
    direct,
  };
}

async function closeStore(session: StoreSession, keep: boolean): Promise<void> {
  await session.direct?.close().catch(() => undefined);
  session.direct = undefined;
  if (!keep) await session.database.drop();
}

/** Warm-up (not measured) then the measured run, on the same connections, from one work list. */
async function driveService(
  baseUrl: string,
  work: Work,
  options: Options,
  stateless = false,
): Promise<RunStats> {
  const left = stateless ? undefined : work.remaining();
  return driveHttp({
    baseUrl,
    connections: options.connections,
    warmupSeconds: options.warmup,
    seconds: options.seconds,
    requests: work.requests(stateless),
    ...(left === undefined ? {} : { maxRequests: left }),
    ...(work.measure ? { measure: work.measure } : {}),
  });
}

/** Requests refused for overload (503) and the rate of the others (served, whatever their status). */
function shedding(stats: RunStats): string {
  const shed = stats.outcomes['503'] ?? 0;
  if (shed === 0) return '';
  const served = stats.seconds > 0 ? (stats.completed - shed) / stats.seconds : 0;
  return `, 503 ${((100 * shed) / Math.max(1, stats.completed)).toFixed(1)} %, served ${served.toFixed(0)}/s`;
}

function brief(stats: RunStats): string {
  return `${stats.perSecond.toFixed(0)} req/s${shedding(stats)}, p50 ${stats.p50Ms.toFixed(2)} ms, p99 ${stats.p99Ms.toFixed(2)} ms, ${JSON.stringify(stats.outcomes)}${stats.errors ? `, errors ${stats.errors}` : ''}${stats.exhausted ? ', all work used' : ''}`;
}

async function runScenarios(
  session: StoreSession,
  service: Child,
  httpCeiling: Child | undefined,
  httpResults: Map<string, RunStats>,
  options: Options,
  dbResults: Map<string, Awaited<ReturnType<typeof runCeiling>>>,
): Promise<{ results: ScenarioResult[]; peakRssMb: number; startRssMb: number }> {
  const results: ScenarioResult[] = [];
  const atStart = readMemory(service.pid);
  let peak = atStart.peakMb;
  for (const scenario of options.scenarios) {
    log(`  ${session.store} · ${scenario.title}`);
    const concurrency = scenario.dbConcurrency(session.store, options.connections);
    // Under several overload controls the database ceiling is measured once per store: it does not
    // depend on the service, and every run of it uses up pickable activities the next service needs.
    const ceilingKey = `${session.store}:${scenario.key}`;
    let db = dbResults.get(ceilingKey);
    if (db === undefined) {
      const dbWork = await scenario.prepare(session.env);
      const available = dbWork.remaining();
      const measuredDb = await runCeiling({
        concurrency,
        warmupSeconds: options.warmup,
        ...(available === undefined ? {} : { warmupOps: Math.floor(available / 4) }),
        seconds: options.seconds,
        next: () => dbWork.direct(session.direct!),
      });
      if (measuredDb.lastError !== undefined)
        log(
          `    database ceiling errors, last: ${measuredDb.lastError instanceof Error ? measuredDb.lastError.message : JSON.stringify(measuredDb.lastError)}`,
        );
      log(`    database ceiling (${concurrency} loop${concurrency > 1 ? 's' : ''}): ${brief(measuredDb)}`);
      db = measuredDb;
      dbResults.set(ceilingKey, db);
    }

    const minimal = await minimalCeiling(session, scenario, options, dbResults);

    const work = await scenario.prepare(session.env);
    const workItems = work.remaining();
    if (workItems !== undefined) log(`    work items: ${workItems}`);
    const resetOk = resetPeakMemory(service.pid);
    const measured = await driveService(service.baseUrl, work, options);
    // Requests already received still run (and still pick) after autocannon hangs up.
    await waitForQuiet(service.baseUrl);
    const memory = readMemory(service.pid);
    peak = Math.max(peak, memory.peakMb);
    log(
      `    service: ${brief(measured)}; RSS ${memory.rssMb.toFixed(0)} MB, peak ${memory.peakMb.toFixed(0)} MB${resetOk ? '' : ' (cumulative)'}`,
    );

    const halfRate = await atHalfRate(session, service, scenario, measured, options);

    if (httpCeiling && !httpResults.has(scenario.key)) {
      const httpWork = await scenario.prepare(session.env);
      // The bare server keeps no state: the work list may start over rather than run out.
      const http = await driveService(httpCeiling.baseUrl, httpWork, options, true);
      httpResults.set(scenario.key, http);
      log(`    HTTP ceiling: ${brief(http)}`);
    }
    results.push({
      key: scenario.key,
      title: scenario.title,
      expect: scenario.expect,
      store: session.store,
      service: measured,
      peakRssMb: memory.peakMb,
      db,
      dbConcurrency: concurrency,
      http: httpResults.get(scenario.key),
      minimal,
      ...(halfRate ? { halfRate } : {}),
    });
  }
  return { results, peakRssMb: peak, startRssMb: atStart.rssMb };
}

/**
 * Issue 10's latency figure for the write scenarios: the service at half the rate it reached saturated,
 * offered on an even schedule (bench/fixed-rate.ts), each request timed from when it was due. The work
 * list is rebuilt from the database first, so every pick names an activity nobody has picked since
 * (a 204, not a 409); undefined for scenarios without such a list.
 */
async function atHalfRate(
  session: StoreSession,
  service: Child,
  scenario: Scenario,
  saturated: RunStats,
  options: Options,
): Promise<HalfRateResult | undefined> {
  const calls = (await scenario.prepare(session.env)).calls?.();
  if (calls === undefined) return undefined;
  // Half the rate of picks that succeeded: refusals shed at saturation (503s) are not capacity.
  const succeeded = saturated.seconds > 0 ? (saturated.outcomes['204'] ?? 0) / saturated.seconds : 0;
  const rate = Math.max(1, Math.floor(succeeded / 2));
  const stats = await driveFixedRate({
    baseUrl: service.baseUrl,
    connections: options.connections,
    rate,
    warmupSeconds: options.warmup,
    seconds: options.seconds,
    calls,
    once: true,
  });
  await waitForQuiet(service.baseUrl);
  log(`    service at ${rate}/s offered (½ max, fixed rate): ${brief(stats)}; work items ${calls.length}`);
  return { rate, stats };
}

/**
 * The minimal-transaction ceiling of a write scenario (bench/ceiling-minimal.ts), measured once per
 * store and scenario; undefined for scenarios that write nothing.
 */
async function minimalCeiling(
  session: StoreSession,
  scenario: Scenario,
  options: Options,
  measured: Map<string, RunStats>,
): Promise<RunStats | undefined> {
  if (scenario.minimalBatch === undefined) return undefined;
  const key = `${session.store}:${scenario.key}:minimal`;
  const known = measured.get(key);
  if (known) return known;
  const run = {
    batch: scenario.minimalBatch,
    seconds: options.seconds,
    warmupSeconds: options.warmup,
    rows: options.sizes.activities,
    workDir: WORK_DIR,
  };
  const stats =
    session.store === 'sqlite'
      ? await measureMinimalSqlite(`${session.database.target}-minimal.db`, run)
      : await measureMinimalPostgres(session.database.url, run);
  log(
    `    minimal transaction (${session.store === 'sqlite' ? 'better-sqlite3, 1 loop' : `pgbench, ${MINIMAL_PG_CLIENTS} clients`}): ${brief(stats)}`,
  );
  measured.set(key, stats);
  return stats;
}

interface SoakOutcome {
  slopeMbPerMin: number;
  pass: boolean;
  detail: string;
  lines: string[];
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

async function heapUsedMb(baseUrl: string): Promise<number> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    const m = /^casemgr_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
    return m ? Number(m[1]) / 2 ** 20 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Scenario 1 for `seconds`, in 10 s slices: before each slice the work list is rebuilt from the
 * database (activities picked earlier come back with their new lastModified, now held by a bench agent
 * whom the others may pull from). RSS is read every second; each slice prints its range. V8's heap is
 * a sawtooth (tens of MB between major GCs), so growth is judged on the floor — each slice's lowest
 * RSS, what survives collection — whose slope a leak would push up.
 */
async function soak(
  session: StoreSession,
  service: Child,
  options: Options,
  seconds: number,
): Promise<SoakOutcome> {
  const scenario = SCENARIOS.find((s) => s.key === 'pick1')!;
  const started = performance.now();
  const now = () => (performance.now() - started) / 1000;
  let window: number[] = [];
  const everySecond: [number, number][] = [];
  const sampler = setInterval(() => {
    const rss = readMemory(service.pid).rssMb;
    window.push(rss);
    everySecond.push([now(), rss]);
  }, 1000);
  const floors: [number, number][] = [];
  const lines: string[] = [];
  let picks = 0;
  const statuses: Record<string, number> = {};
  try {
    while (now() < seconds) {
      const work = await scenario.prepare(session.env);
      const stats = await driveHttp({
        baseUrl: service.baseUrl,
        connections: options.connections,
        seconds: Math.min(10, Math.max(0.5, seconds - now())),
        requests: work.requests(),
        maxRequests: work.remaining()!,
      });
      await waitForQuiet(service.baseUrl);
      picks += stats.completed;
      for (const [k, v] of Object.entries(stats.outcomes)) statuses[k] = (statuses[k] ?? 0) + v;
      const memory = readMemory(service.pid);
      const samples = window.length > 0 ? window : [memory.rssMb];
      window = [];
      const floor = Math.min(...samples);
      floors.push([now(), floor]);
      const heap = await heapUsedMb(service.baseUrl);
      const line =
        `t=${now().toFixed(0).padStart(4)} s  RSS ${floor.toFixed(1)}–${Math.max(...samples).toFixed(1)} MB ` +
        `(now ${memory.rssMb.toFixed(1)}, peak ${memory.peakMb.toFixed(1)})  heap used ${heap.toFixed(1)} MB  ` +
        `${stats.perSecond.toFixed(0)} picks/s, ${picks} in all`;
      lines.push(line);
      log(`    ${line}`);
    }
  } finally {
    clearInterval(sampler);
  }
  // Judged after the first fifth: the heap first grows to its working size.
  const settled = floors.filter(([t]) => t >= seconds * 0.2);
  const perMin = slope(settled) * 60;
  const raw = slope(everySecond.filter(([t]) => t >= seconds * 0.2)) * 60;
  const first = settled[0]?.[1] ?? NaN;
  const last = settled[settled.length - 1]?.[1] ?? NaN;
  const pass = perMin < 1;
  const detail =
    `RSS floor slope ${perMin.toFixed(2)} MB/min after the first ${Math.round(seconds * 0.2)} s ` +
    `(floor ${first.toFixed(1)} → ${last.toFixed(1)} MB; slope of all 1 s samples ${raw.toFixed(2)} MB/min); ` +
    `${picks} picks ${JSON.stringify(statuses)}; pass: floor slope < 1 MB/min`;
  return { slopeMbPerMin: perMin, pass, detail, lines };
}

async function profileService(session: StoreSession, options: Options, runId: string): Promise<string[]> {
  const dir = join(WORK_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  const name = `service-${session.store}-${runId}.cpuprofile`;
  const scenario = SCENARIOS.find((s) => s.key === options.profileScenario)!;
  const service = await startService({
    databaseUrl: session.database.url,
    poolMax: options.poolMax,
    nodeArgs: [...options.nodeArgs, '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`],
  });
  let stats: RunStats;
  try {
    stats = await driveService(service.baseUrl, await scenario.prepare(session.env), options);
  } finally {
    await service.stop();
  }
  const path = join(dir, name);
  const summary = summarizeProfile(path);
  log(`    profiled: ${brief(stats)}; ${path}`);
  return [
    ...profileLines(
      `${session.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${scenario.title} (${stats.perSecond.toFixed(0)} req/s under the profiler)`,
      summary,
    ),
    '',
    `Profile: \`${path.slice(REPO.length)}\``,
  ];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const loadAtStart = loadavg();
  const runId = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${process.pid}`;
  mkdirSync(WORK_DIR, { recursive: true });
  const mode =
    options.soak !== undefined ? 'soak' : options.profile ? 'profile' : options.quick ? 'quick' : 'full';
  log(`casemgr bench (${mode}) — ${options.command}`);
  if (loadAtStart[0] > availableParallelism() / 2) {
    log(
      `warning: load average ${loadAtStart[0].toFixed(2)} on ${availableParallelism()} cores: other work will skew the figures`,
    );
  }

  const buildNote = options.build ? await ensureBuilt(false) : 'not rebuilt (--no-build)';
  log(`build: ${buildNote}`);
  if (options.lifecycle) return lifecycleMain(options, runId, buildNote);
  if (options.moves) return movesMain(options, runId, buildNote);
  const org = writeOrganisationFile(options.sizes, WORK_DIR);
  log(
    `organisation: ${org.world.sizes.activities.toLocaleString()} + ${org.world.hotActivityIds.length} hot activities, ` +
      `${options.sizes.users} users, ${options.sizes.queues} + 1 queues, ${options.sizes.departments} + 1 departments; ` +
      `${(org.bytes / 2 ** 20).toFixed(1)} MB file ${org.cached ? 'reused' : 'generated'} in ${org.seconds.toFixed(1)} s`,
  );

  const imports: ImportTiming[] = [];
  const versions: string[] = [];
  const results: ScenarioResult[] = [];
  const peakByStore = new Map<Dialect, number>();
  const soakByStore = new Map<Dialect, SoakOutcome>();
  const profileSections: string[] = [];
  const httpResults = new Map<string, RunStats>();
  const dbResults = new Map<string, Awaited<ReturnType<typeof runCeiling>>>();
  let httpCeiling: Child | undefined;
  const startRss = new Map<Dialect, number>();
  let httpCeilingPeakMb: number | undefined;
  try {
    if (mode === 'quick' || mode === 'full') {
      httpCeiling = await startHttpCeiling();
    }
    for (const store of options.stores) {
      log(`${store}:`);
      const session = await openStore(store, options, org, runId);
      imports.push({ store, seconds: session.importSeconds });
      versions.push(session.version);
      try {
        if (mode === 'profile') {
          profileSections.push(...(await profileService(session, options, runId)), '');
          continue;
        }
        for (const overload of options.overload.length > 0 ? options.overload : [undefined]) {
          if (overload !== undefined) log(`  OVERLOAD_CONTROL=${overload}`);
          const service = await startService({
            databaseUrl: session.database.url,
            poolMax: options.poolMax,
            nodeArgs: options.nodeArgs,
            ...(overload === undefined ? {} : { env: { OVERLOAD_CONTROL: overload } }),
          });
          try {
            if (mode === 'soak') {
              soakByStore.set(store, await soak(session, service, options, options.soak!));
              peakByStore.set(store, readMemory(service.pid).peakMb);
            } else {
              const outcome = await runScenarios(
                session,
                service,
                httpCeiling,
                httpResults,
                options,
                dbResults,
              );
              results.push(
                ...outcome.results.map((r) =>
                  overload === undefined ? r : { ...r, title: `${r.title} (OVERLOAD_CONTROL=${overload})` },
                ),
              );
              startRss.set(store, outcome.startRssMb);
              peakByStore.set(store, Math.max(peakByStore.get(store) ?? 0, outcome.peakRssMb));
            }
          } finally {
            await service.stop();
          }
        }
      } finally {
        await closeStore(session, options.keep);
      }
    }
  } finally {
    if (httpCeiling) httpCeilingPeakMb = readMemory(httpCeiling.pid).peakMb;
    await httpCeiling?.stop();
  }

  const elapsed = (performance.now() - started) / 1000;
  const machine = describeMachine([...new Set(versions)]);
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  const settings =
    `- Settings: ${options.connections} connections, warm-up ${options.warmup} s + ${options.seconds} s measured per run; ` +
    `PostgreSQL pool ${options.poolMax} (service and ceiling); USER_FACTS_TTL_MS default (facts cached, checked against the organisation version per request); LOG_LEVEL=warn` +
    `; service node flags \`${options.nodeArgs.join(' ') || '(none)'}\`` +
    (options.nodeArgs.some((arg) => arg.startsWith('--heap-growing-percent'))
      ? ''
      : ' (serve adds --heap-growing-percent=100)');
  const data =
    `- Data: ${options.sizes.activities.toLocaleString('en-US')} generated + ${org.world.hotActivityIds.length} hot activities, ` +
    `${options.sizes.users} users (${org.world.agents.length} bench agents, ${org.world.viewers.length} viewers), ` +
    `${options.sizes.queues + 1} queues, ${options.sizes.departments + 1} departments; file ${(org.bytes / 2 ** 20).toFixed(1)} MB; ` +
    `import (casemgr import, wall time) ${imports.map((i) => `${i.store} ${i.seconds.toFixed(1)} s`).join(', ')}`;
  const section: string[] = [
    `## ${date} — ${mode} run`,
    '',
    `- Command: \`${options.command}\` (${elapsed.toFixed(0)} s in all); build: ${buildNote}`,
    ...machineLines(machine),
    // The machine may be shared: other work during the run lowers every figure, ceilings included.
    `- Load average (1/5/15 min): ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')} at start, ` +
      `${loadavg()
        .map((l) => l.toFixed(2))
        .join(' / ')} at end (${availableParallelism()} cores)`,
    data,
    settings,
    ...(startRss.size > 0
      ? [
          `- Memory baselines: service RSS when ready (migrated, idle) ${[...startRss].map(([st, mb]) => `${st} ${mb.toFixed(0)} MB`).join(', ')}` +
            (httpCeilingPeakMb === undefined
              ? ''
              : `; bare Fastify (HTTP ceiling) peak ${httpCeilingPeakMb.toFixed(0)} MB over all its runs`),
        ]
      : []),
    '',
  ];
  if (results.length > 0) {
    section.push(resultsTable(results), '');
    section.push(
      'Ceilings: database = the same statements through better-sqlite3 (1 loop, statements prepared once) or pg ' +
        `(${options.connections} loops on a pool of ${options.poolMax}); scenario 3's database ceiling runs ${options.connections} interleaved loops on both. ` +
        'HTTP = bare Fastify, same schemas, measured once (it does not depend on the store). Scenario 3: req/s and latency are the picks; each pick follows a GET of the hot set. ' +
        '"At ½ max rate" (write scenarios): after the saturated run, a fresh work list (every pick a 204) offered at half its rate on an even schedule over up to ' +
        `${options.connections} connections, each request timed from when it was due (bench/fixed-rate.ts); issue 10 judges single picks' p99 there. ` +
        `Minimal transaction (bench/ceiling-minimal.ts) = lock the scenario's number of consecutive integer ids, update them, one history row each: pgbench -M prepared with ${MINIMAL_PG_CLIENTS} clients on PostgreSQL; better-sqlite3 in-process (1 loop) on SQLite, whose bound is 1 / (1/minimal + 1/HTTP) (one process pays both).`,
      '',
    );
  }
  for (const [store, s] of soakByStore) {
    section.push(
      `Soak, ${store}, scenario 1 for ${options.soak} s:`,
      '',
      '```',
      ...s.lines,
      '```',
      '',
      `Result: ${s.detail}`,
      '',
    );
  }
  if (profileSections.length > 0) section.push(...profileSections);
  if (mode !== 'profile') {
    const targets = judgeTargets(results, options.connections, peakByStore, soakByStore);
    section.push('Targets (reported, not asserted):', '', ...targetLines(targets), '');
  }
  finishRun(options, runId, section.join('\n'));
}

/** Every kind of run ends alike: print its section, prepend it to RESULTS.md, remove its work files. */
function finishRun(options: Options, runId: string, text: string): void {
  log('');
  log(text);
  if (options.results) {
    prependResults(RESULTS, text);
    log(`(prepended to ${RESULTS})`);
  }
  if (!options.keep) {
    for (const name of readdirSync(WORK_DIR)) {
      if (name.startsWith(runId)) rmSync(join(WORK_DIR, name), { force: true, recursive: true });
    }
  }
}

async function lifecycleMain(options: Options, runId: string, buildNote: string): Promise<void> {
  const httpCeiling = await startHttpCeiling();
  let text: string;
  try {
    text = await runLifecycle({
      stores: options.stores,
      activities: options.activities,
      seconds: options.seconds,
      warmup: options.warmup,
      connections: options.connections,
      poolMax: options.poolMax,
      only: options.lifecycleOnly,
      nodeArgs: options.nodeArgs,
      variants: options.variants,
      keep: options.keep,
      workDir: WORK_DIR,
      runId,
      command: `${options.command}; build: ${buildNote}`,
      httpCeiling,
    });
  } finally {
    await httpCeiling.stop();
  }
  finishRun(options, runId, text);
}

async function movesMain(options: Options, runId: string, buildNote: string): Promise<void> {
  const text = await runMoves({
    stores: options.stores,
    activities: options.activities,
    seconds: options.seconds,
    warmup: options.warmup,
    connections: options.connections,
    fewPullers: options.fewPullers,
    poolMax: options.poolMax,
    only: options.lifecycleOnly,
    nodeArgs: options.nodeArgs,
    keep: options.keep,
    workDir: WORK_DIR,
    runId,
    command: `${options.command}; build: ${buildNote}`,
    explain: options.explain,
  });
  finishRun(options, runId, text);
}

let exiting = false;
async function cleanUp(): Promise<void> {
  killAllChildren();
  await dropAllDatabases();
}

// A crash must not leave a service or the ceiling server running, nor a database behind.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.stderr.write(
      `bench crashed (${event}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    if (exiting) return;
    exiting = true;
    void cleanUp().finally(() => process.exit(1));
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    process.stderr.write(`\n${signal}: stopping children and dropping the bench databases…\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    // After Ctrl-C the children are gone and main trips over them: that is not a failure to report.
    if (exiting) return;
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
    // autocannon and pg may keep handles open a little longer; the run is over.
    process.exit(process.exitCode ?? 0);
  });
