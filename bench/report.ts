// The results as a Markdown table (printed, and prepended to bench/RESULTS.md), each service figure
// beside its two ceilings measured in the same run, and the issue's targets judged PASS or MISS.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import type { Dialect } from '../src/store/dialect.js';
import type { ScenarioKey } from './scenarios.js';
import { inSeries, outcome, type RunStats } from './stats.js';

export interface ScenarioResult {
  readonly key: ScenarioKey;
  readonly title: string;
  readonly expect: string;
  readonly store: Dialect;
  readonly service: RunStats;
  /** VmHWM during the scenario (reset before it when the kernel allows; cumulative otherwise). */
  readonly peakRssMb: number;
  readonly db: RunStats;
  readonly dbConcurrency: number;
  readonly http: RunStats | undefined;
  /** The minimal-transaction ceiling (bench/ceiling-minimal.ts); write scenarios only. */
  readonly minimal?: RunStats;
  /** The service at half its saturated rate, offered at a fixed rate; write scenarios only. */
  readonly halfRate?: HalfRateResult;
}

export interface HalfRateResult {
  /** Requests per second offered: half the saturated run's rate. */
  readonly rate: number;
  readonly stats: RunStats;
}

/** Issue 10: single-pick p99 at half the measured maximum rate, by store. */
export const HALF_RATE_P99_TARGET_MS: Readonly<Record<Dialect, number>> = { sqlite: 10, postgres: 25 };

export interface ImportTiming {
  readonly store: Dialect;
  readonly seconds: number;
}

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  readonly databases: string[];
}

export function describeMachine(databaseVersions: string[]): Machine {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    cores: availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `Linux ${release()}`,
    databases: databaseVersions,
  };
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
const ms = (n: number) => (n < 10 ? fmt(n, 2) : n < 100 ? fmt(n, 1) : fmt(n, 0));
const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${fmt((100 * part) / whole, 1)} %`);
const ratio = (a: number, b: number) => (b > 0 ? `${fmt(a / b, 2)}×` : '–');

function responses(result: ScenarioResult): string {
  const s = result.service;
  if (result.key === 'contended') {
    return (
      `goodput ${fmt(outcome(s, '204') / s.seconds)}/s; 409 ${pct(outcome(s, '409'), s.completed)}` +
      (outcome(s, '400') > 0 ? `; 400 ${pct(outcome(s, '400'), s.completed)}` : '')
    );
  }
  const parts = Object.entries(s.outcomes)
    .sort(([, a], [, b]) => b - a)
    .map(([status, count]) => `${status}×${fmt(count)}`);
  if (s.errors > 0) parts.push(`errors×${fmt(s.errors)}`);
  if (s.exhausted) parts.push('(all work used)');
  return parts.join(' ');
}

function dbCell(result: ScenarioResult): string {
  const d = result.db;
  const rate = fmt(d.perSecond);
  const extra =
    result.key === 'contended'
      ? ` (goodput ${fmt(outcome(d, 'ok') / d.seconds)}/s, stale ${pct(outcome(d, 'stale'), d.completed)})`
      : d.exhausted
        ? ' (all work used)'
        : '';
  return `${rate}${extra}${d.errors > 0 ? ` errors×${d.errors}` : ''}`;
}

/**
 * What issue 10 judges a write scenario against: the minimal transaction on PostgreSQL (a server of
 * its own), and on SQLite that transaction in series with the bare HTTP route, both paid by the one
 * process (1 / (1/minimal + 1/HTTP)).
 */
export function minimalBound(result: ScenarioResult): number | undefined {
  if (!result.minimal) return undefined;
  if (result.store === 'postgres') return result.minimal.perSecond;
  return result.http ? inSeries(result.minimal.perSecond, result.http.perSecond) : undefined;
}

function minimalCell(result: ScenarioResult): string {
  const m = result.minimal;
  if (!m) return '–';
  const latency = `(${ms(m.p50Ms)} / ${ms(m.p99Ms)} ms)`;
  if (result.store === 'postgres') return `${fmt(m.perSecond)} ${latency}`;
  const bound = minimalBound(result);
  return bound === undefined
    ? `${fmt(m.perSecond)} ${latency}, no HTTP ceiling for the series`
    : `series ${fmt(bound)} of ${fmt(m.perSecond)} ${latency} and HTTP ${fmt(result.http!.perSecond)}`;
}

function halfRateCell(result: ScenarioResult): string {
  const h = result.halfRate;
  if (!h) return '–';
  const s = h.stats;
  const target = result.key === 'pick1' ? `, target p99 < ${HALF_RATE_P99_TARGET_MS[result.store]} ms` : '';
  const others = Object.entries(s.outcomes).filter(([status]) => status !== result.expect);
  const off = [
    ...others.map(([status, count]) => `${status}×${fmt(count)}`),
    ...(s.errors > 0 ? [`errors×${fmt(s.errors)}`] : []),
    ...(s.exhausted ? ['(all work used)'] : []),
  ];
  return `${fmt(h.rate)}/s: ${ms(s.p50Ms)} / ${ms(s.p99Ms)}${target}${off.length > 0 ? `; ${off.join(' ')}` : ''}`;
}

export function resultsTable(results: readonly ScenarioResult[]): string {
  const header =
    '| Scenario | Store | Service req/s | p50 / p99 / max ms | At ½ max rate: offered, p50 / p99 ms | Responses | Peak RSS MB | DB ceiling req/s | DB p50 / p99 ms | × DB | HTTP ceiling req/s | HTTP p50 / p99 ms | × HTTP | Minimal transaction tx/s (p50 / p99) | × minimal |';
  const rule = '|' + ' --- |'.repeat(15);
  const rows = results.map((r) => {
    const s = r.service;
    const cells = [
      r.title,
      r.store === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      fmt(s.perSecond),
      `${ms(s.p50Ms)} / ${ms(s.p99Ms)} / ${ms(s.maxMs)}`,
      halfRateCell(r),
      responses(r),
      fmt(r.peakRssMb),
      dbCell(r),
      `${ms(r.db.p50Ms)} / ${ms(r.db.p99Ms)}`,
      ratio(s.perSecond, r.db.perSecond),
      r.http ? fmt(r.http.perSecond) + (r.http.exhausted ? ' (all work used)' : '') : '–',
      r.http ? `${ms(r.http.p50Ms)} / ${ms(r.http.p99Ms)}` : '–',
      r.http ? ratio(s.perSecond, r.http.perSecond) : '–',
      minimalCell(r),
      ratio(s.perSecond, minimalBound(r) ?? 0),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

export interface Target {
  readonly name: string;
  /** undefined: not measured in this run. */
  readonly pass: boolean | undefined;
  readonly detail: string;
}

export function judgeTargets(
  results: readonly ScenarioResult[],
  connections: number,
  peakRssByStore: ReadonlyMap<Dialect, number>,
  soak?: ReadonlyMap<Dialect, { slopeMbPerMin: number; pass: boolean; detail: string }>,
): Target[] {
  const find = (key: ScenarioKey, store: Dialect) => results.find((r) => r.key === key && r.store === store);
  const targets: Target[] = [];
  const pg1 = find('pick1', 'postgres');
  targets.push(
    pg1
      ? {
          name: 'single pick on PostgreSQL ≥ 0.6× database ceiling',
          pass: pg1.service.perSecond >= 0.6 * pg1.db.perSecond,
          detail: `${fmt(pg1.service.perSecond)} vs ${fmt(pg1.db.perSecond)} req/s = ${ratio(pg1.service.perSecond, pg1.db.perSecond)}`,
        }
      : { name: 'single pick on PostgreSQL ≥ 0.6× database ceiling', pass: undefined, detail: 'not run' },
  );
  const lite1 = find('pick1', 'sqlite');
  if (lite1) {
    const ceiling = Math.min(lite1.db.perSecond, lite1.http?.perSecond ?? Infinity);
    targets.push({
      name: 'single pick on SQLite ≥ 0.5× min(database ceiling, HTTP ceiling)',
      pass: lite1.service.perSecond >= 0.5 * ceiling,
      detail: `${fmt(lite1.service.perSecond)} vs min(${fmt(lite1.db.perSecond)}, ${fmt(lite1.http?.perSecond ?? NaN)}) req/s = ${ratio(lite1.service.perSecond, ceiling)}`,
    });
  } else {
    targets.push({
      name: 'single pick on SQLite ≥ 0.5× min(database ceiling, HTTP ceiling)',
      pass: undefined,
      detail: 'not run',
    });
  }
  for (const store of ['sqlite', 'postgres'] as const) {
    const label = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const r75 = find('pick75', store);
    targets.push(
      r75
        ? {
            name: `75-activity pick on ${label} ≥ 0.7× database ceiling`,
            pass: r75.service.perSecond >= 0.7 * r75.db.perSecond,
            detail: `${fmt(r75.service.perSecond, 1)} vs ${fmt(r75.db.perSecond, 1)} req/s = ${ratio(r75.service.perSecond, r75.db.perSecond)}`,
          }
        : {
            name: `75-activity pick on ${label} ≥ 0.7× database ceiling`,
            pass: undefined,
            detail: 'not run',
          },
    );
  }
  for (const store of ['sqlite', 'postgres'] as const) {
    const label = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const bound = store === 'sqlite' ? 'series of minimal transaction and bare HTTP' : 'minimal transaction';
    for (const key of ['pick1', 'pick75'] as const) {
      const r = find(key, store);
      const limit = r && minimalBound(r);
      const name = `${key === 'pick1' ? 'single' : '75-activity'} pick on ${label} ≥ 0.5× ${bound}`;
      targets.push(
        r && limit !== undefined
          ? {
              name,
              pass: r.service.perSecond >= 0.5 * limit,
              detail: `${fmt(r.service.perSecond, 1)} vs ${fmt(limit, 1)}/s = ${ratio(r.service.perSecond, limit)}`,
            }
          : { name, pass: undefined, detail: 'not run' },
      );
    }
  }
  for (const store of ['sqlite', 'postgres'] as const) {
    const label = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const r1 = find('pick1', store);
    const name = `single pick p99 < 25 ms at 50 connections on ${label}`;
    targets.push(
      r1
        ? {
            name,
            pass: connections === 50 ? r1.service.p99Ms < 25 : undefined,
            detail:
              `p99 ${ms(r1.service.p99Ms)} ms at ${connections} connections` +
              (connections === 50 ? '' : ' (not 50: not judged)'),
          }
        : { name, pass: undefined, detail: 'not run' },
    );
  }
  for (const store of ['sqlite', 'postgres'] as const) {
    const label = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const limit = HALF_RATE_P99_TARGET_MS[store];
    const half = find('pick1', store)?.halfRate;
    const name = `single pick p99 < ${limit} ms at half the measured maximum rate on ${label}`;
    // A run with refusals or errors did not offer the rate it claims in picks: not judged.
    const clean =
      half !== undefined && half.stats.errors === 0 && outcome(half.stats, '204') === half.stats.completed;
    targets.push(
      half
        ? {
            name,
            pass: clean ? half.stats.p99Ms < limit : undefined,
            detail:
              `p99 ${ms(half.stats.p99Ms)} ms (p50 ${ms(half.stats.p50Ms)}) at ${fmt(half.rate)}/s offered on a fixed schedule` +
              (clean
                ? ''
                : ` (not judged: responses ${JSON.stringify(half.stats.outcomes)}, errors ${half.stats.errors})`),
          }
        : { name, pass: undefined, detail: 'not run' },
    );
  }
  for (const store of ['sqlite', 'postgres'] as const) {
    const label = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const peak = peakRssByStore.get(store);
    targets.push({
      name: `peak RSS < 200 MB on ${label}`,
      pass: peak === undefined ? undefined : peak < 200,
      detail: peak === undefined ? 'not run' : `${fmt(peak)} MB (VmHWM of the service)`,
    });
  }
  for (const store of ['sqlite', 'postgres'] as const) {
    const label = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const s = soak?.get(store);
    targets.push({
      name: `no RSS growth over a 5-minute soak of scenario 1 on ${label}`,
      pass: s?.pass,
      detail: s ? s.detail : 'not run here (npm run bench -- --soak 300)',
    });
  }
  return targets;
}

export function targetLines(targets: readonly Target[]): string[] {
  return targets.map(
    (t) => `- **${t.pass === undefined ? 'n/a' : t.pass ? 'PASS' : 'MISS'}** ${t.name}: ${t.detail}`,
  );
}

export function machineLines(m: Machine): string[] {
  return [
    `- Machine: ${m.cores} cores (nproc), ${m.cpu}, ${fmt(m.memoryGiB, 1)} GiB RAM, ${m.kernel}`,
    `- Software: node ${m.node}; ${m.databases.join('; ')}`,
  ];
}

const RESULTS_HEADER = `# casemgr benchmark results

Written by \`npm run bench\` (bench/run.ts); the newest run is on top, earlier runs below it.
Each service figure stands beside its ceilings, measured in the same run on the same machine:
the *database ceiling* issues the service's own SQL (captured from the store code) straight through
the same driver — no HTTP, no token, no validation — with the same concurrency; the *HTTP ceiling* is a
bare Fastify 5 route with the same schemas and no auth or database; the *minimal transaction* (write
scenarios) is the least SQL that does a pick's job on an integer-keyed table pair (lock the rows,
update them, one history row each: pgbench with 8 clients, or better-sqlite3 in-process, where the
bound is it in series with the HTTP ceiling). Ratios are service ÷ ceiling.
`;

/** Puts `section` above every earlier run in RESULTS.md (creating the file with its header). */
export function prependResults(path: string, section: string): void {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const at = existing.indexOf('\n## ');
  const header =
    at >= 0 ? existing.slice(0, at + 1) : existing.trim() === '' ? RESULTS_HEADER : `${existing.trimEnd()}\n`;
  const earlier = at >= 0 ? existing.slice(at + 1) : '';
  writeFileSync(path, `${header.trimEnd()}\n\n${section.trimEnd()}\n${earlier ? `\n${earlier}` : ''}`);
}
