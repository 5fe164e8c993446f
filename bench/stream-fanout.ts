// The live stream's fan-out target of issue 13: "a stream reaches 1,000 connected agents with p99
// delivery under 1 s at 200 picks/s".
//
//   node --import tsx bench/stream-fanout.ts [--clients 1000] [--rate 200] [--seconds 15]
//
// One casemgr instance (the compiled CLI, PostgreSQL) holds --clients event streams, all opened from
// this process; this process also commits --rate transactions a second, each adding one outbox event
// as a one-activity pick does (appendEvents, with its NOTIFY) — another writer than the streaming
// instance, as in a cluster. Delivery latency is measured per stream per event: the receiving time
// minus the commit's start, both on this process's clock. Every stream must receive every event.
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { issueToken } from '../src/auth/token-issuer.js';
import { importDocument, validateOrganisationText } from '../src/cli/import-command.js';
import { openDatabase } from '../src/store/database.js';
import { KeyStore } from '../src/store/key-store.js';
import { appendEvents } from '../src/store/outbox.js';
import { PG_ADMIN_URL } from './bench-database.js';
import { killAllChildren, startService } from './service-process.js';
import { ensureBuilt } from './setup.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  console.log(await ensureBuilt(false));
  const name = `casemgr_stream_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ dialect: 'postgres', url: url.toString() });
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  const streams: { destroy(): void }[] = [];
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
    });

    const latencies: number[] = [];
    const received = new Array<number>(CLIENTS).fill(0);
    const firstStreamSeen = new Set<number>();
    const opened = await Promise.all(
      Array.from(
        { length: CLIENTS },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const outgoing = request(
              `${service!.baseUrl}/core/casemgr/v3/events`,
              { agent: false, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
              (response) => {
                if (response.statusCode !== 200)
                  return reject(new Error(`stream ${i}: ${response.statusCode}`));
                response.setEncoding('utf8');
                let carry = '';
                response.on('data', (chunk: string) => {
                  const at = now();
                  const text = carry + chunk;
                  const end = text.lastIndexOf('\n\n');
                  carry = end === -1 ? text : text.slice(end + 2);
                  const whole = end === -1 ? '' : text.slice(0, end);
                  for (const match of whole.matchAll(/"sentAt":([0-9.]+),"n":([0-9]+)/g)) {
                    latencies.push(at - Number(match[1]));
                    received[i]++;
                    if (i === 0) firstStreamSeen.add(Number(match[2]));
                  }
                });
                resolve();
              },
            );
            outgoing.on('error', reject);
            outgoing.end();
            streams.push(outgoing);
          }),
      ),
    );
    console.log(`${opened.length} streams open on ${service.baseUrl}`);

    // Fixed rate: each transaction starts on its schedule, whether or not the previous one ended.
    let sent = 0;
    const writes: Promise<unknown>[] = [];
    const started = now();
    const total = RATE * SECONDS;
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      writes.push(
        database.db.transaction().execute((trx) =>
          appendEvents(trx, [
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
              payload: { transition: { type: 'user_assignment' }, sentAt: now(), n },
            },
          ]),
        ),
      );
      sent++;
    }
    await Promise.all(writes);
    const deadline = now() + 10_000;
    while (received.some((count) => count < sent) && now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const sorted = Float64Array.from(latencies).sort();
    const lost = Array.from({ length: sent }, (_, n) => n).filter((n) => !firstStreamSeen.has(n));
    if (lost.length > 0)
      console.log(`events the first stream did not receive: ${lost.slice(0, 20).join(', ')}`);
    const missing = received.reduce((sum, count) => sum + (sent - count), 0);
    const line = (label: string, ms: number) => `${label} ${ms.toFixed(1)} ms`;
    console.log(
      [
        `${CLIENTS} streams, ${RATE} events/s for ${SECONDS} s: ${sent} events, ${sorted.length} deliveries, ${missing} missing`,
        [
          line('p50', percentile(sorted, 50)),
          line('p90', percentile(sorted, 90)),
          line('p99', percentile(sorted, 99)),
          line('max', sorted[sorted.length - 1] ?? Number.NaN),
        ].join(', '),
      ].join('\n'),
    );
  } finally {
    for (const stream of streams) stream.destroy();
    await service?.stop();
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  killAllChildren();
  process.exitCode = 1;
});
