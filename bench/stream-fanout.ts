// The live stream's fan-out target of issue 13: "a stream reaches 1,000 connected agents with p99
// delivery under 1 s at 200 picks/s".
//
//   node --import tsx bench/stream-fanout.ts [--clients 1000] [--rate 200] [--seconds 15] [--profile DIR]
//
// One casemgr instance (the compiled CLI, PostgreSQL) holds --clients event streams, all opened from
// this process; this process also commits --rate transactions a second, each adding one outbox event
// as a one-activity pick does (appendEvents, with its NOTIFY) — another writer than the streaming
// instance, as in a cluster. Delivery latency is measured per stream per event: the receiving time
// minus the commit's start, and minus the commit's end (what a stream can be asked for: a loaded
// database's slow commits are not the stream's), both on this process's clock. Every stream must receive every event.
// The CPU each side used while the events were written is reported apart (the service's from /proc,
// this process's — writer and receivers — from process.cpuUsage), so that a loaded machine can be
// told from a slow service; --profile writes the service's .cpuprofile to DIR and summarises it.
import { request } from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { issueToken } from '../src/auth/token-issuer.js';
import { importDocument, validateOrganisationText } from '../src/cli/import-command.js';
import { openDatabase } from '../src/store/database.js';
import { KeyStore } from '../src/store/key-store.js';
import { appendEvents } from '../src/store/outbox.js';
import { PG_ADMIN_URL } from './bench-database.js';
import { profileLines, summarizeProfile } from './profile-summary.js';
import { killAllChildren, startService } from './service-process.js';
import { ensureBuilt } from './setup.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
    profile: { type: 'string' },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const PROFILE_DIR = values.profile === undefined ? undefined : resolve(values.profile);
const now = () => performance.timeOrigin + performance.now();

/** CPU seconds (user + system) a process has used, from /proc (fields 14 and 15, in clock ticks). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const CLOCK_TICKS = 100;
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Receivers run in worker threads, so that parsing what 1,000 streams receive does not delay the writer. */
const RECEIVER_THREADS = 2;

interface ReceiverJob {
  readonly baseUrl: string;
  readonly token: string;
  readonly clients: number;
}

interface ReceiverReport {
  readonly latencies: number[];
  readonly numbers: number[];
  readonly arrivals: number[];
  readonly received: number[];
  readonly chunks: number;
}

/** A worker: opens its streams, then on 'report' sends back its latencies and counts per stream. */
function receive(job: ReceiverJob): void {
  const latencies: number[] = [];
  /** Per delivery: the event's number and when it arrived (the main thread knows its commit's end). */
  const numbers: number[] = [];
  const arrivals: number[] = [];
  const received = new Array<number>(job.clients).fill(0);
  /** Reads from the sockets: how many events the service gathers into one write (or TCP into one read). */
  let chunks = 0;
  let open = 0;
  for (let i = 0; i < job.clients; i++) {
    const outgoing = request(
      `${job.baseUrl}/core/casemgr/v3/events`,
      { agent: false, headers: { authorization: `Bearer ${job.token}`, accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) throw new Error(`stream ${i}: ${response.statusCode}`);
        if (++open === job.clients) parentPort!.postMessage({ open });
        response.setEncoding('utf8');
        let carry = '';
        response.on('data', (chunk: string) => {
          const at = now();
          chunks++;
          const text = carry + chunk;
          const end = text.lastIndexOf('\n\n');
          carry = end === -1 ? text : text.slice(end + 2);
          const whole = end === -1 ? '' : text.slice(0, end);
          for (const match of whole.matchAll(/"sentAt":([0-9.]+),"n":([0-9]+)/g)) {
            latencies.push(at - Number(match[1]));
            numbers.push(Number(match[2]));
            arrivals.push(at);
            received[i]++;
          }
        });
      },
    );
    outgoing.end();
  }
  parentPort!.on('message', () => {
    parentPort!.postMessage({ latencies, numbers, arrivals, received, chunks } satisfies ReceiverReport);
    process.exit(0);
  });
}

async function main(): Promise<void> {
  console.log(await ensureBuilt(false));
  const name = `casemgr_stream_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  // The writer's pool waits as long as it must: a slow commit is a figure, not an error.
  const database = await openDatabase(
    { dialect: 'postgres', url: url.toString() },
    { poolMax: 10, statementTimeoutMs: 30_000, connectionTimeoutMs: 60_000 },
  );
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  const workers: Worker[] = [];
  try {
    const demo = await readFile(new URL('../demo/organisation.json', import.meta.url), 'utf8');
    await importDocument(database, validateOrganisationText(demo), Date.now());
    const key = await new KeyStore(database.db).getOrCreate(Date.now());
    const token = issueToken(key, {
      userId: '1001',
      loginName: 'alice',
      scope: 'core.casemgr.manage',
      expiresInSeconds: 3600,
    });
    service = await startService({
      databaseUrl: url.toString(),
      poolMax: 10,
      env: {
        STREAM_MAX_PER_USER: String(CLIENTS),
        STREAM_MAX_CLIENTS: String(Math.max(CLIENTS, 2048)),
        MAX_CONNECTIONS: String(Math.max(4096, CLIENTS * 2)),
      },
      nodeArgs: PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`],
    });

    const perThread = Math.ceil(CLIENTS / RECEIVER_THREADS);
    for (let t = 0; t < RECEIVER_THREADS; t++) {
      const clients = Math.min(perThread, CLIENTS - t * perThread);
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { baseUrl: service.baseUrl, token, clients } satisfies ReceiverJob,
        execArgv: ['--import', 'tsx'],
      });
      await new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      });
      workers.push(worker);
    }
    console.log(`${CLIENTS} streams open on ${service.baseUrl} (${RECEIVER_THREADS} receiver threads)`);

    // Fixed rate: each transaction starts on its schedule, whether or not the previous one ended.
    let sent = 0;
    const writes: Promise<unknown>[] = [];
    const started = now();
    const cpuAtStart = { service: processCpuSeconds(service.pid), bench: ownCpuSeconds() };
    const total = RATE * SECONDS;
    const committedAt = new Float64Array(total);
    const commitMs = new Float64Array(total);
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      let startedAt = 0;
      const write = database.db.transaction().execute((trx) => {
        startedAt = now();
        return appendEvents(trx, [
          {
            type: 'activity_transition',
            activityId: String(100001 + (n % 1000)),
            caseId: null,
            departmentId: '999',
            previousUserId: '1002',
            userId: '1001',
            actor: '1001',
            requestId: randomUUID(),
            atMs: Date.now(),
            payload: { transition: { type: 'user_assignment' }, sentAt: startedAt, n },
          },
        ]);
      });
      writes.push(
        write.then(() => {
          committedAt[n] = now();
          commitMs[n] = committedAt[n] - startedAt;
        }),
      );
      sent++;
    }
    const startRate = sent / ((now() - started) / 1000);
    await Promise.all(writes);
    const wallSeconds = (now() - started) / 1000;
    const cpu = {
      service: processCpuSeconds(service.pid) - cpuAtStart.service,
      bench: ownCpuSeconds() - cpuAtStart.bench,
    };
    // Whatever is still on its way gets a few seconds to arrive; then every thread reports.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const reports = await Promise.all(
      workers.map(
        (worker) =>
          new Promise<ReceiverReport>((resolve) => {
            worker.once('message', resolve);
            worker.postMessage('report');
          }),
      ),
    );
    const sorted = Float64Array.from(reports.flatMap((r) => r.latencies)).sort();
    const missing = reports.flatMap((r) => r.received).reduce((sum, count) => sum + (sent - count), 0);
    const chunks = reports.reduce((sum, r) => sum + r.chunks, 0);
    const afterCommit = Float64Array.from(
      reports.flatMap((r) => r.arrivals.map((at, i) => at - committedAt[r.numbers[i]])),
    ).sort();
    const commits = commitMs.slice().sort();
    const line = (label: string, ms: number) => `${label} ${ms.toFixed(1)} ms`;
    const spread = (values: Float64Array) =>
      [
        line('p50', percentile(values, 50)),
        line('p90', percentile(values, 90)),
        line('p99', percentile(values, 99)),
        line('max', values[values.length - 1] ?? Number.NaN),
      ].join(', ');
    console.log(
      [
        `${CLIENTS} streams, ${RATE} events/s for ${SECONDS} s: ${sent} events, ${sorted.length} deliveries, ${missing} missing, ${(sorted.length / chunks).toFixed(1)} events per socket read`,
        `from the commit's start: ${spread(sorted)}`,
        `from the commit's end:   ${spread(afterCommit)}`,
        `the writer: ${startRate.toFixed(0)} transactions/s asked for (${RATE} wanted), ` +
          `${(sent / wallSeconds).toFixed(0)}/s committed (a pool of 10 waits); commit ${spread(commits)}`,
        `CPU while writing (${wallSeconds.toFixed(1)} s): service ${cpu.service.toFixed(1)} s ` +
          `(${((100 * cpu.service) / wallSeconds).toFixed(0)} % of a core, ` +
          `${((1e6 * cpu.service) / (sent * CLIENTS)).toFixed(1)} µs per delivery), ` +
          `bench writer + receivers ${cpu.bench.toFixed(1)} s (${((100 * cpu.bench) / wallSeconds).toFixed(0)} %)`,
      ].join('\n'),
    );
  } finally {
    for (const worker of workers) await worker.terminate();
    await service?.stop();
    if (PROFILE_DIR !== undefined) printProfile(PROFILE_DIR);
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** The newest .cpuprofile in the directory (the service's, written as it stopped). */
function printProfile(dir: string): void {
  const newest = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  if (newest === undefined) return console.log(`no .cpuprofile in ${dir}`);
  console.log(
    profileLines(`service profile ${join(dir, newest)}`, summarizeProfile(join(dir, newest))).join('\n'),
  );
}

if (!isMainThread) receive(workerData as ReceiverJob);
else
  main().catch((error: unknown) => {
    console.error(error);
    killAllChildren();
    process.exitCode = 1;
  });
