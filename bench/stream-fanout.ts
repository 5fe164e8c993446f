// The live stream's fan-out target of issue 13: "a stream reaches 1,000 connected agents with p99
// delivery under 1 s at 200 picks/s".
//
//   node --import tsx bench/stream-fanout.ts [--clients 1000] [--rate 200] [--seconds 15]
//     [--receiver-workers 2] [--writer-pool N] [--profile DIR]
//
// One casemgr instance (the compiled CLI, PostgreSQL) holds --clients event streams, opened by
// --receiver-workers child processes (stream-fanout-receiver.ts); this process commits --rate
// one-event transactions a second (stream-fanout-writer.ts). Delivery latency is per stream per
// event: receipt minus the writer's commit resolving (a loaded database's slow commits are not the
// stream's), on the machine's monotonic clock, which every process shares. Every stream must
// receive every event. The CPU of the service, of the receivers and of this process (the writer)
// while the events were written is reported apart, so that a loaded machine or a slow bench can be
// told from a slow service; --profile writes the service's .cpuprofile to DIR and summarises it.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { issueToken } from '../src/auth/token-issuer.js';
import { importDocument, validateOrganisationText } from '../src/cli/import-command.js';
import { openDatabase } from '../src/store/database.js';
import { KeyStore } from '../src/store/key-store.js';
import { PG_ADMIN_URL } from './bench-database.js';
import { processCpuSeconds } from './process-clock.js';
import { profileLines, summarizeProfile } from './profile-summary.js';
import { killAllChildren, startService } from './service-process.js';
import { ensureBuilt } from './setup.js';
import type { ReceiverJob, ReceiverMessage } from './stream-fanout-receiver.js';
import { writeAtRate, writerPoolFor } from './stream-fanout-writer.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
    'receiver-workers': { type: 'string', default: '2' },
    'writer-pool': { type: 'string' },
    profile: { type: 'string' },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const RECEIVER_WORKERS = Math.max(1, Math.min(CLIENTS, Number(values['receiver-workers'])));
const WRITER_POOL = values['writer-pool'] === undefined ? writerPoolFor(RATE) : Number(values['writer-pool']);
const PROFILE_DIR = values.profile === undefined ? undefined : resolve(values.profile);
/** Below this share of the asked rate, the run did not test the asked load. */
const RATE_SHORTFALL = 0.95;
const RECEIVER_ENTRY = fileURLToPath(new URL('./stream-fanout-receiver.ts', import.meta.url));

function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const spread = (sorted: Float64Array) =>
  (['p50', 'p90', 'p99'] as const)
    .map((label) => `${label} ${percentile(sorted, Number(label.slice(1))).toFixed(1)} ms`)
    .concat(`max ${(sorted[sorted.length - 1] ?? Number.NaN).toFixed(1)} ms`)
    .join(', ');

/** The next message of a receiver, or its failure. */
function nextMessage(child: ChildProcess): Promise<ReceiverMessage> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`receiver ${child.pid} exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (message: ReceiverMessage) => {
      child.off('exit', onExit);
      if (message.kind === 'failed') reject(new Error(`receiver ${child.pid}: ${message.error}`));
      else resolve(message);
    });
  });
}

async function startReceivers(job: Omit<ReceiverJob, 'clients'>): Promise<ChildProcess[]> {
  const receivers: ChildProcess[] = [];
  const perWorker = Math.ceil(CLIENTS / RECEIVER_WORKERS);
  for (let w = 0; w < RECEIVER_WORKERS; w++) {
    const clients = Math.min(perWorker, CLIENTS - w * perWorker);
    const child = fork(RECEIVER_ENTRY, [JSON.stringify({ ...job, clients } satisfies ReceiverJob)], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
    });
    receivers.push(child);
  }
  // Opened one after the other would give the first ones the whole machine while the last start.
  const opened = await Promise.all(receivers.map(nextMessage));
  const refusals = opened.reduce((sum, message) => sum + (message.kind === 'open' ? message.refusals : 0), 0);
  if (refusals > 0) console.log(`${refusals} stream connections refused with 503 while opening (retried)`);
  return receivers;
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
    { poolMax: WRITER_POOL, statementTimeoutMs: 30_000, connectionTimeoutMs: 60_000 },
  );
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  let receivers: ChildProcess[] = [];
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
    receivers = await startReceivers({ baseUrl: service.baseUrl, token });
    console.log(
      `${CLIENTS} streams open on ${service.baseUrl} (${RECEIVER_WORKERS} receiver processes, ` +
        `writer pool ${WRITER_POOL}); load average ${loadavg()[0].toFixed(1)}`,
    );

    const cpuOf = () => ({
      service: processCpuSeconds(service!.pid),
      receivers: receivers.reduce((sum, child) => sum + processCpuSeconds(child.pid!), 0),
      writer: ownCpuSeconds(),
    });
    const cpuAtStart = cpuOf();
    const run = await writeAtRate(database, RATE, SECONDS);
    const cpuAtEnd = cpuOf();
    const loadAtEnd = loadavg()[0];
    // Whatever is still on its way gets a few seconds to arrive; then every receiver reports.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const reports = await Promise.all(
      receivers.map((child) => {
        const report = nextMessage(child);
        child.send({ commitEndById: run.commitEndById });
        return report;
      }),
    );
    let deliveries = 0;
    let missing = 0;
    let unknown = 0;
    let chunks = 0;
    for (const report of reports) {
      if (report.kind !== 'report') throw new Error(`unexpected receiver message ${report.kind}`);
      deliveries += report.latencies.length;
      for (const count of report.received) missing += run.sent - count;
      unknown += report.unknown;
      chunks += report.chunks;
    }
    const latencies = new Float64Array(deliveries);
    let offset = 0;
    for (const report of reports) {
      if (report.kind !== 'report') continue;
      latencies.set(report.latencies, offset);
      offset += report.latencies.length;
    }
    latencies.sort();
    const seconds = run.wallSeconds;
    const cpuLine = (label: string, used: number, perDelivery: boolean) =>
      `${label} ${used.toFixed(1)} s (${((100 * used) / seconds).toFixed(0)} % of a core` +
      (perDelivery ? `, ${((1e6 * used) / Math.max(1, deliveries)).toFixed(2)} µs per delivery)` : ')');
    const reached = run.committedPerSecond / RATE;
    console.log(
      [
        `${CLIENTS} streams, ${RATE} events/s asked for ${SECONDS} s: ${run.sent} events, ` +
          `${deliveries} deliveries, ${missing} missing, ${unknown} of unknown ids, ` +
          `${(deliveries / Math.max(1, chunks)).toFixed(1)} events per socket read`,
        `latency from the commit's end: ${spread(latencies)}`,
        `writer: ${run.startedPerSecond.toFixed(0)} transactions/s started, ` +
          `${run.committedPerSecond.toFixed(1)}/s committed (${(100 * reached).toFixed(0)} % of ${RATE}, ` +
          `pool ${WRITER_POOL}); commit ${spread(run.commitMs.slice().sort())}`,
        `CPU while writing (${seconds.toFixed(1)} s, load average ${loadAtEnd.toFixed(1)} at the end): ` +
          [
            cpuLine('service', cpuAtEnd.service - cpuAtStart.service, true),
            cpuLine('receivers', cpuAtEnd.receivers - cpuAtStart.receivers, true),
            cpuLine('writer', cpuAtEnd.writer - cpuAtStart.writer, false),
          ].join(', '),
      ].join('\n'),
    );
    if (reached < RATE_SHORTFALL) {
      console.log(
        `\n!!! RATE NOT REACHED: ${run.committedPerSecond.toFixed(1)} commits/s is ` +
          `${(100 * reached).toFixed(0)} % of the ${RATE}/s asked (< ${100 * RATE_SHORTFALL} %): ` +
          `this run did NOT measure the asked load. !!!`,
      );
      process.exitCode = 2;
    }
  } finally {
    for (const child of receivers) child.kill('SIGKILL');
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

main().catch((error: unknown) => {
  console.error(error);
  killAllChildren();
  process.exitCode = 1;
});
