// The writer of bench/stream-fanout.ts: --rate one-event transactions a second for --seconds, each
// adding the outbox event a one-activity pick adds (appendEvents, then the service's wake-up after
// the commit, CommitNotifier) — another writer
// than the streaming instance, as in a cluster. Each transaction starts on its schedule whether or
// not the earlier ones ended; the pool is sized from the rate (--writer-pool), since a pool of 10
// with ~100 ms commits on a loaded PostgreSQL reached ~60 commits/s, not 200.
import { randomUUID } from 'node:crypto';
import type { OpenDatabase } from '../src/store/database.js';
import { CommitNotifier } from '../src/events/commit-notifier.js';
import { appendEvents } from '../src/store/outbox.js';
import { monotonicMs } from './process-clock.js';

export interface WriterRun {
  /** Transactions started (rate × seconds). */
  readonly sent: number;
  /** Each event's id → when its commit resolved (monotonicMs): what the receivers measure from. */
  readonly commitEndById: Map<number, number>;
  /** Each transaction's duration, ms. */
  readonly commitMs: Float64Array;
  /** From the first start to the last commit. */
  readonly wallSeconds: number;
  /** Transactions started a second (the schedule), and committed a second (what was reached). */
  readonly startedPerSecond: number;
  readonly committedPerSecond: number;
}

/** The pool a rate needs if a commit takes up to 200 ms (a loaded machine's), at least 10. */
export function writerPoolFor(rate: number): number {
  return Math.max(10, Math.ceil(rate / 5));
}

export async function writeAtRate(database: OpenDatabase, rate: number, seconds: number): Promise<WriterRun> {
  const total = Math.round(rate * seconds);
  const commitEnd = new Float64Array(total);
  const commitMs = new Float64Array(total);
  const requestIds: string[] = Array.from({ length: total }, () => randomUUID());
  const writes: Promise<void>[] = [];
  // As the service: the listeners are woken after each commit, coalesced (src/events/commit-notifier.ts).
  const notifier =
    database.dialect === 'postgres'
      ? new CommitNotifier(database.db, { warn: (details, message) => console.warn(message, details) })
      : undefined;
  const started = monotonicMs();
  for (let n = 0; n < total; n++) {
    const wait = started + (n * 1000) / rate - monotonicMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    let startedAt = 0;
    const write = database.db.transaction().execute((trx) => {
      startedAt = monotonicMs();
      return appendEvents(trx, [
        {
          type: 'activity_transition',
          activityId: String(100001 + (n % 1000)),
          caseId: null,
          departmentId: '999',
          previousUserId: '1002',
          userId: '1001',
          actor: '1001',
          requestId: requestIds[n],
          atMs: Date.now(),
          payload: { transition: { type: 'user_assignment' } },
        },
      ]);
    });
    writes.push(
      write.then(() => {
        commitEnd[n] = monotonicMs();
        commitMs[n] = commitEnd[n] - startedAt;
        notifier?.poke();
      }),
    );
  }
  const startedPerSecond = total / ((monotonicMs() - started) / 1000);
  await Promise.all(writes);
  await notifier?.idle();
  const wallSeconds = (monotonicMs() - started) / 1000;
  // The event ids, learnt once afterwards by request id: a query per transaction would load the
  // writer (and the database) with more than a pick's work.
  const byRequest = new Map(requestIds.map((requestId, n) => [requestId, n]));
  const rows = await database.db.selectFrom('events').select(['id', 'request_id']).execute();
  const commitEndById = new Map<number, number>();
  for (const row of rows) {
    const n = byRequest.get(row.request_id);
    if (n !== undefined) commitEndById.set(Number(row.id), commitEnd[n]);
  }
  return {
    sent: total,
    commitEndById,
    commitMs,
    wallSeconds,
    startedPerSecond,
    committedPerSecond: total / wallSeconds,
  };
}
