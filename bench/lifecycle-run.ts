// `npm run bench -- --lifecycle`: the search and creation scenarios of issue 11 on a seeded store of
// 1,000,000 activities (lifecycle-seed.ts), each beside the same SQL replayed straight through the
// driver (request-sql.ts) and beside a bare Fastify route.
//
// Per scenario and store:
//   - database ceiling: the recorded statements of the scenario's calls, replayed in 50 loops on a pg
//     pool the size of the service's (SQLite: one loop, the driver is synchronous);
//   - service at saturation: 50 connections, as fast as it answers → req/s, p50/p99;
//   - service from one client: 1 connection → p99 (the issue's "p99 < 10 ms from one client");
//   - service at a fixed offered rate of half its measured maximum, 50 connections → p99;
//   - HTTP ceiling: the bare Fastify route at 50 connections (measured once, store-independent).
// Targets (reported, not asserted): searches p99 (one client) < 10 ms and ≥ 0.5× the database
// ceiling; creations ≥ 0.5× the database ceiling.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestData } from 'autocannon';
import { issueClientToken } from '../src/auth/token-issuer.js';
import { SCOPE_MANAGE } from '../src/domain/caller.js';
import { openDatabase } from '../src/store/database.js';
import type { Dialect } from '../src/store/dialect.js';
import { KeyStore } from '../src/store/key-store.js';
import { createBenchDatabase, databaseVersion, type BenchDatabase } from './bench-database.js';
import { runCeiling } from './ceiling-database.js';
import { LIFECYCLE_SCENARIOS, type LifecycleEnv, type LifecycleScenario } from './lifecycle-scenarios.js';
import { readSeedBase, seedPostgres, seedSqlite, type SeedBase, type SeedSummary } from './lifecycle-seed.js';
import { driveFixedRate } from './fixed-rate.js';
import { driveHttp, waitForQuiet } from './load.js';
import {
  buildBenchOrganisation,
  FULL_SIZES,
  HOT_DEPARTMENT,
  type BenchOptions,
  type BenchSizes,
} from './organisation.js';
import { describeMachine, machineLines } from './report.js';
import {
  postgresReplayer,
  recordRequests,
  sqliteReplayer,
  type HttpCall,
  type RecordedRequest,
  type Replayer,
} from './request-sql.js';
import type { BenchCaller } from './scenarios.js';
import { CASEMGR_BIN, runCommand, startService, type Child } from './service-process.js';
import { issueTokens } from './setup.js';
import type { RunStats } from './stats.js';

export interface LifecycleOptions {
  readonly stores: Dialect[];
  readonly activities: number;
  readonly seconds: number;
  readonly warmup: number;
  readonly connections: number;
  readonly poolMax: number;
  readonly only: string[] | undefined;
  readonly nodeArgs: string[];
  readonly variants: number;
  readonly keep: boolean;
  readonly workDir: string;
  readonly runId: string;
  readonly command: string;
  readonly httpCeiling: Child | undefined;
}

export const LIFECYCLE_KEYS = LIFECYCLE_SCENARIOS.map((s) => s.key);

interface LifecycleResult {
  readonly scenario: LifecycleScenario;
  readonly store: Dialect;
  readonly statuses: string;
  readonly statements: number;
  readonly db: RunStats;
  readonly service: RunStats;
  readonly oneClient: RunStats;
  readonly halfRate: RunStats;
  readonly http: RunStats | undefined;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const ms = (n: number) => (n < 10 ? fmt(n, 2) : n < 100 ? fmt(n, 1) : fmt(n, 0));
const brief = (s: RunStats) =>
  `${fmt(s.perSecond)}/s, p50 ${ms(s.p50Ms)} ms, p99 ${ms(s.p99Ms)} ms, ${JSON.stringify(s.outcomes)}${s.errors ? `, errors ${s.errors}` : ''}`;

/** Autocannon requests cycling over the calls. */
function cycling(calls: readonly HttpCall[]) {
  let next = 0;
  return [
    {
      setupRequest: (request: RequestData) => {
        const call = calls[next++ % calls.length];
        return {
          ...request,
          method: call.method,
          path: call.path,
          headers: call.headers,
          ...(call.body === undefined ? {} : { body: call.body }),
        };
      },
    },
  ];
}

/** The small organisation (departments, queues, users, rights, bench agents), imported the usual way. */
async function importBase(database: BenchDatabase, workDir: string, runId: string, bench: BenchOptions) {
  const sizes: BenchSizes = { ...FULL_SIZES, activities: 1000 };
  const { file, world } = buildBenchOrganisation(sizes, bench);
  const path = join(workDir, `${runId}_lifecycle-base.json`);
  writeFileSync(path, JSON.stringify(file));
  const imported = await runCommand(
    [CASEMGR_BIN, 'import', path],
    { DATABASE_URL: database.url },
    10 * 60_000,
  );
  return { world, importSeconds: imported.ms / 1000 };
}

async function clientAuthorization(database: BenchDatabase): Promise<string> {
  const target =
    database.dialect === 'sqlite'
      ? { dialect: 'sqlite' as const, path: database.target }
      : { dialect: 'postgres' as const, url: database.url };
  const open = await openDatabase(target);
  try {
    const key = await new KeyStore(open.db).getOrCreate(Date.now());
    return `Bearer ${issueClientToken(key, { clientId: 'bench-crm', scope: SCOPE_MANAGE, expiresInSeconds: 4 * 3600 })}`;
  } finally {
    await open.close();
  }
}

export interface PreparedStore {
  readonly database: BenchDatabase;
  readonly base: SeedBase;
  readonly seed: SeedSummary;
  readonly importSeconds: number;
  readonly version: string;
  readonly env: LifecycleEnv;
}

/** A fresh database: the bench organisation imported, then `options.activities` seeded; tokens issued. */
export async function prepareStore(
  store: Dialect,
  options: Pick<LifecycleOptions, 'workDir' | 'runId' | 'activities' | 'variants'>,
  bench: BenchOptions = {},
): Promise<PreparedStore> {
  const database = await createBenchDatabase(store, options.workDir, `${options.runId}_lifecycle_${store}`);
  const { world, importSeconds } = await importBase(database, options.workDir, options.runId, bench);
  const base = await readSeedBase((sql) => database.rows(sql), HOT_DEPARTMENT);
  const seed =
    store === 'sqlite'
      ? await seedSqlite(database.target, base, options.activities, 1111)
      : await seedPostgres(database.url, base, options.activities, 1111);
  log(
    `  ${store}: base imported in ${importSeconds.toFixed(1)} s; seeded ${fmt(seed.activities)} activities, ` +
      `${fmt(seed.cases)} cases, ${fmt(seed.customers)} customers, ${fmt(seed.contacts)} contact points in ${seed.seconds.toFixed(1)} s`,
  );
  const target =
    store === 'sqlite' ? { dialect: store, path: database.target } : { dialect: store, url: database.url };
  const agents: BenchCaller[] = await issueTokens(target, world.agents, 4 * 3600);
  const agentsOf = new Map<string, BenchCaller[]>();
  for (const agent of agents)
    agentsOf.set(agent.homeDepartment, [...(agentsOf.get(agent.homeDepartment) ?? []), agent]);
  const env: LifecycleEnv = {
    database,
    agentsOf,
    clientAuthorization: await clientAuthorization(database),
    departmentName: new Map(base.departments.map((d) => [d.id, d.name])),
    aliasOf: seed.aliasOf,
    variants: options.variants,
    seededActivities: seed.activities,
  };
  return { database, base, seed, importSeconds, version: await databaseVersion(database), env };
}

function statusesOf(recorded: readonly RecordedRequest[]): string {
  const counts = new Map<number, number>();
  for (const r of recorded) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status}×${n}`).join(' ');
}

async function runScenario(
  scenario: LifecycleScenario,
  prepared: PreparedStore,
  service: Child,
  replayer: Replayer,
  options: LifecycleOptions,
  httpResults: Map<string, RunStats>,
): Promise<LifecycleResult | undefined> {
  const store = prepared.database.dialect;
  const calls = await scenario.calls(prepared.env);
  if (calls.length === 0) {
    log('    skipped: the data holds nothing this scenario can ask for (too few activities?)');
    return undefined;
  }
  // Recorded on the live database while the service idles (one request at a time).
  const recorded = await recordRequests(store, prepared.database.target, calls);
  const statuses = statusesOf(recorded);
  const wrong = recorded.filter((r) => r.status !== scenario.expect);
  log(
    `    ${calls.length} calls; recorded statuses ${statuses}; ${recorded[0]?.statements.length ?? 0} statements per call`,
  );
  if (wrong.length > 0)
    log(
      `    warning: ${wrong.length} calls answered other than ${scenario.expect} (first: ${wrong[0].call.path} → ${wrong[0].body})`,
    );

  let next = 0;
  const db = await runCeiling({
    concurrency: store === 'sqlite' ? 1 : options.connections,
    warmupSeconds: options.warmup,
    seconds: options.seconds,
    next: () => {
      const request = recorded[next++ % recorded.length];
      return async () => {
        await replayer.replay(request);
        return 'ok';
      };
    },
  });
  if (db.lastError !== undefined)
    log(`    database ceiling errors, last: ${String((db.lastError as Error).message ?? db.lastError)}`);
  log(`    database ceiling: ${brief(db)}`);

  const drive = (connections: number) =>
    driveHttp({
      baseUrl: service.baseUrl,
      connections,
      warmupSeconds: options.warmup,
      seconds: options.seconds,
      requests: cycling(calls),
    });
  const saturated = await drive(options.connections);
  await waitForQuiet(service.baseUrl);
  log(`    service, ${options.connections} connections: ${brief(saturated)}`);
  const oneClient = await drive(1);
  await waitForQuiet(service.baseUrl);
  log(`    service, one client: ${brief(oneClient)}`);
  const halfRate = await driveFixedRate({
    baseUrl: service.baseUrl,
    connections: options.connections,
    rate: Math.max(1, Math.floor(saturated.perSecond / 2)),
    warmupSeconds: options.warmup,
    seconds: options.seconds,
    calls,
  });
  await waitForQuiet(service.baseUrl);
  log(`    service at ${fmt(Math.floor(saturated.perSecond / 2))}/s offered: ${brief(halfRate)}`);

  if (options.httpCeiling && !httpResults.has(scenario.key)) {
    const http = await driveHttp({
      baseUrl: options.httpCeiling.baseUrl,
      connections: options.connections,
      warmupSeconds: options.warmup,
      seconds: options.seconds,
      requests: cycling(calls),
    });
    httpResults.set(scenario.key, http);
    log(`    HTTP ceiling: ${brief(http)}`);
  }
  return {
    scenario,
    store,
    statuses,
    statements: recorded[0]?.statements.length ?? 0,
    db,
    service: saturated,
    oneClient,
    halfRate,
    http: httpResults.get(scenario.key),
  };
}

function table(results: readonly LifecycleResult[], connections: number): string {
  const header = `| Scenario | Store | Service req/s (${connections} conn.) | p50 / p99 ms | p99 one client ms | p99 at ½ max ms | DB ceiling req/s | × DB | HTTP ceiling req/s | × HTTP | Statements per call | Responses |`;
  const rule = '|' + ' --- |'.repeat(12);
  const rows = results.map((r) =>
    [
      r.scenario.title,
      r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      fmt(r.service.perSecond),
      `${ms(r.service.p50Ms)} / ${ms(r.service.p99Ms)}`,
      ms(r.oneClient.p99Ms),
      ms(r.halfRate.p99Ms),
      fmt(r.db.perSecond) + (r.db.errors ? ` errors×${r.db.errors}` : ''),
      r.db.perSecond > 0 ? `${fmt(r.service.perSecond / r.db.perSecond, 2)}×` : '–',
      r.http ? fmt(r.http.perSecond) : '–',
      r.http && r.http.perSecond > 0 ? `${fmt(r.service.perSecond / r.http.perSecond, 2)}×` : '–',
      String(r.statements),
      Object.entries(r.service.outcomes)
        .map(([status, n]) => `${status}×${fmt(n)}`)
        .join(' '),
    ].join(' | '),
  );
  return [header, rule, ...rows.map((row) => `| ${row} |`)].join('\n');
}

function targets(results: readonly LifecycleResult[]): string[] {
  return results.map((r) => {
    const ratio = r.db.perSecond > 0 ? r.service.perSecond / r.db.perSecond : NaN;
    const store = r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const ratioOk = ratio >= 0.5;
    if (!r.scenario.search) {
      return `- **${ratioOk ? 'PASS' : 'MISS'}** ${r.scenario.title} on ${store} ≥ 0.5× database ceiling: ${fmt(ratio, 2)}×`;
    }
    const p99Ok = r.oneClient.p99Ms < 10;
    return (
      `- **${ratioOk && p99Ok ? 'PASS' : 'MISS'}** ${r.scenario.title} on ${store}: p99 from one client ` +
      `${ms(r.oneClient.p99Ms)} ms (< 10 ms: ${p99Ok ? 'yes' : 'no'}), ${fmt(ratio, 2)}× database ceiling (≥ 0.5×: ${ratioOk ? 'yes' : 'no'})`
    );
  });
}

/** Runs the lifecycle scenarios on each store; returns the Markdown section of the run. */
export async function runLifecycle(options: LifecycleOptions): Promise<string> {
  const started = performance.now();
  const scenarios = options.only
    ? LIFECYCLE_SCENARIOS.filter((s) => options.only!.includes(s.key))
    : [...LIFECYCLE_SCENARIOS];
  const results: LifecycleResult[] = [];
  const versions: string[] = [];
  const seeds: string[] = [];
  const httpResults = new Map<string, RunStats>();
  for (const store of options.stores) {
    log(`${store} (lifecycle, ${fmt(options.activities)} activities):`);
    const prepared = await prepareStore(store, options);
    versions.push(prepared.version);
    seeds.push(
      `${store}: import of the base ${prepared.importSeconds.toFixed(1)} s, seeding ${prepared.seed.seconds.toFixed(1)} s ` +
        `(${fmt(prepared.seed.cases)} cases, ${fmt(prepared.seed.customers)} customers, ${fmt(prepared.seed.contacts)} contact points)`,
    );
    const replayer =
      store === 'sqlite'
        ? sqliteReplayer(prepared.database.target)
        : postgresReplayer(prepared.database.url, options.poolMax);
    try {
      const service = await startService({
        databaseUrl: prepared.database.url,
        poolMax: options.poolMax,
        nodeArgs: options.nodeArgs,
      });
      try {
        for (const scenario of scenarios) {
          log(`  ${store} · ${scenario.title}`);
          const result = await runScenario(scenario, prepared, service, replayer, options, httpResults);
          if (result) results.push(result);
        }
      } finally {
        await service.stop();
      }
    } finally {
      await replayer.close().catch(() => undefined);
      if (!options.keep) await prepared.database.drop();
    }
  }
  const machine = describeMachine([...new Set(versions)]);
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return [
    `## ${date} — lifecycle run (search and creation, issue 11)`,
    '',
    `- Command: \`${options.command}\` (${((performance.now() - started) / 1000).toFixed(0)} s in all)`,
    ...machineLines(machine),
    `- Data: ${fmt(options.activities)} seeded activities (bench/lifecycle-seed.ts) on the bench organisation; ${seeds.join('; ')}`,
    `- Settings: warm-up ${options.warmup} s + ${options.seconds} s measured per run; ${options.connections} connections; ` +
      `PostgreSQL pool ${options.poolMax} (service and ceiling); ${options.variants} different calls per scenario`,
    '',
    table(results, options.connections),
    '',
    'Database ceiling = the statements each call made the service issue (recorded from the service code), replayed ' +
      `through better-sqlite3 (1 loop, prepared once) or pg (${options.connections} loops on a pool of ${options.poolMax}). ` +
      '"p99 at ½ max": requests sent on an even schedule at half the saturated rate over up to ' +
      `${options.connections} connections, each timed from when it was due (bench/fixed-rate.ts).`,
    '',
    'Targets (reported, not asserted):',
    '',
    ...targets(results),
    '',
  ].join('\n');
}
