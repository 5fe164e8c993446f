// Bounded work per event-loop turn, so that new connections are not starved under load.
//
// Since libuv 1.45 (Node 20) a listening socket accepts ONE connection per event-loop iteration
// (libuv/libuv#3696). When the service is saturated, one iteration runs every request that arrived
// on every open connection: with 50 busy keep-alive connections an iteration lasts 50 requests'
// work, so the 51st connection waits that long to be accepted, the 52nd twice as long, and so on —
// seconds for a burst of agents logging in at shift start (bench/RESULTS.md). Requests therefore
// take turns: each iteration starts a batch, in arrival order, and the rest wait for the next one,
// which lets the loop poll — accept a connection, read requests — between batches. The batch is
// sized so that a busy iteration lasts about `targetTurnMs`: many cheap requests (a 403 costs a
// fraction of a millisecond) or few dear ones (a 75-activity pick costs several). An idle service
// is not slowed: a turn taken during the poll phase is granted in the same iteration.
//
// A saturated instance still accepts only about one connection per iteration, so with the default
// 10 ms a burst of N new connections needs roughly N × 10 ms to be let in — instead of N × the whole
// backlog's work without turn taking.
//
// The queue is bounded, because under sustained overload an unbounded one only grows latency until
// clients give up (and their requests, once admitted, are work done for nobody). Past `maxWaiting`
// requests a new one is refused at once; a request that waited longer than `maxWaitMs` is refused
// when its turn comes instead of run. A refused request is answered 503 with Retry-After by the API
// gate: shedding a few lets the others be served in time.
import { performance } from 'node:perf_hooks';
import Queue from 'yocto-queue';

export { DEFAULT_TURN_MS, DEFAULT_TURN_QUEUE_MAX, DEFAULT_TURN_WAIT_MAX_MS } from './overload-settings.js';

const FIRST_BATCH = 4;
const MAX_BATCH = 256;

/** `admitted`: run now. The others are load shed: answer 503 and do no work. */
export type TurnOutcome = 'admitted' | 'queue full' | 'waited too long';

export interface TurnTaking {
  /** Resolves when this request may run or is refused; requests are served in the order they asked. */
  take(): Promise<TurnOutcome>;
  /** Requests waiting for a turn (a gauge for /metrics). */
  readonly waiting: number;
}

/**
 * Milliseconds the event loop has spent busy since it started. Busy, not wall-clock, time measures a
 * batch: the time between two grants may be an idle spell, which says nothing of what the batch cost.
 */
const eventLoopBusyMs = (): number => performance.eventLoopUtilization().active;

export interface TurnOptions {
  /** Requests that may wait; 0 = no bound. */
  readonly maxWaiting?: number;
  /** Longest wait before a request is refused instead of admitted; 0 = no bound. */
  readonly maxWaitMs?: number;
  /** The event loop's busy milliseconds (tests move it by hand). */
  readonly busyMs?: () => number;
  /** A monotonic clock for waiting times (tests move it by hand). */
  readonly nowMs?: () => number;
}

interface Waiting {
  readonly since: number;
  readonly resolve: (outcome: TurnOutcome) => void;
}

export function createTurnTaking(targetTurnMs: number, options: TurnOptions = {}): TurnTaking {
  if (!(targetTurnMs > 0)) throw new RangeError('targetTurnMs must be positive');
  const { busyMs = eventLoopBusyMs, nowMs = () => performance.now() } = options;
  const maxWaiting = options.maxWaiting || Infinity;
  const maxWaitMs = options.maxWaitMs || Infinity;
  if (!(maxWaiting > 0) || !(maxWaitMs > 0)) throw new RangeError('bounds must be positive or 0 (none)');
  // A linked queue: entries are released as they are admitted, even when it never empties.
  const queue = new Queue<Waiting>();
  let scheduled = false;
  let batch = FIRST_BATCH;
  let previous: { readonly busyAt: number; readonly admitted: number } | undefined;

  const grant = (): void => {
    scheduled = false;
    const busyAt = busyMs();
    if (previous !== undefined) {
      // What the previous batch and everything else the loop did since cost: scale the batch toward
      // the target, at most halving or doubling per turn so that one slow request cannot swing it.
      // Grow only from a full batch: a batch the queue could not fill says nothing of a bigger one.
      const busy = Math.max(busyAt - previous.busyAt, 0.01);
      const fitting = Math.round((previous.admitted * targetTurnMs) / busy);
      const most = previous.admitted >= batch ? Math.min(MAX_BATCH, batch * 2) : batch;
      batch = Math.min(most, Math.max(1, Math.ceil(batch / 2), fitting));
    }
    let admitted = 0;
    const now = maxWaitMs === Infinity ? 0 : nowMs();
    while (admitted < batch && queue.size > 0) {
      const waiting = queue.dequeue()!;
      // Refused, not run: a 503 costs next to nothing, so it does not count against the batch.
      if (now - waiting.since > maxWaitMs) {
        waiting.resolve('waited too long');
        continue;
      }
      waiting.resolve('admitted');
      admitted++;
    }
    previous = { busyAt, admitted };
    if (queue.size > 0) {
      // Scheduled from the check phase, this runs in the next iteration, after its poll phase.
      scheduled = true;
      setImmediate(grant);
    }
  };

  return {
    take() {
      if (queue.size >= maxWaiting) return Promise.resolve('queue full');
      return new Promise<TurnOutcome>((resolve) => {
        queue.enqueue({ since: maxWaitMs === Infinity ? 0 : nowMs(), resolve });
        if (!scheduled) {
          scheduled = true;
          setImmediate(grant);
        }
      });
    },
    get waiting() {
      return queue.size;
    },
  };
}
