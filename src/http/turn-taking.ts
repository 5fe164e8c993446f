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
import { performance } from 'node:perf_hooks';
import Queue from 'yocto-queue';

export const DEFAULT_TURN_MS = 10;

const FIRST_BATCH = 4;
const MAX_BATCH = 256;

export interface TurnTaking {
  /** Resolves when this request may run; requests are admitted in the order they asked. */
  take(): Promise<void>;
  /** Requests waiting for a turn (a gauge for /metrics). */
  readonly waiting: number;
}

/**
 * Milliseconds the event loop has spent busy since it started. Busy, not wall-clock, time measures a
 * batch: the time between two grants may be an idle spell, which says nothing of what the batch cost.
 */
const eventLoopBusyMs = (): number => performance.eventLoopUtilization().active;

export function createTurnTaking(targetTurnMs: number, busyMs: () => number = eventLoopBusyMs): TurnTaking {
  if (!(targetTurnMs > 0)) throw new RangeError('targetTurnMs must be positive');
  // A linked queue: entries are released as they are admitted, even when it never empties.
  const queue = new Queue<() => void>();
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
    while (admitted < batch && queue.size > 0) {
      queue.dequeue()!();
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
      return new Promise<void>((resolve) => {
        queue.enqueue(resolve);
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
