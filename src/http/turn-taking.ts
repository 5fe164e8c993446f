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
export const DEFAULT_TURN_MS = 10;

const FIRST_BATCH = 4;
const MAX_BATCH = 256;

export interface TurnTaking {
  /** Resolves when this request may run; requests are admitted in the order they asked. */
  take(): Promise<void>;
  /** Requests waiting for a turn (a gauge for /metrics). */
  readonly waiting: number;
}

export function createTurnTaking(
  targetTurnMs: number,
  now: () => number = () => performance.now(),
): TurnTaking {
  if (!(targetTurnMs > 0)) throw new RangeError('targetTurnMs must be positive');
  let queue: (() => void)[] = [];
  let head = 0;
  let scheduled = false;
  let batch = FIRST_BATCH;
  // When the previous batch was granted, if this grant follows it directly (a saturated loop).
  let previousGrantAt: number | undefined;

  const grant = (): void => {
    scheduled = false;
    const at = now();
    if (previousGrantAt !== undefined) {
      // The last iteration ran the previous batch and everything else the loop had: scale the batch
      // toward the target, at most halving or doubling per turn so one slow request cannot swing it.
      const elapsed = Math.max(at - previousGrantAt, 0.01);
      const scaled = Math.round((batch * targetTurnMs) / elapsed);
      batch = Math.min(MAX_BATCH, Math.max(1, Math.ceil(batch / 2), Math.min(scaled, batch * 2)));
    }
    const end = Math.min(queue.length, head + batch);
    while (head < end) queue[head++]();
    if (head === queue.length) {
      queue = [];
      head = 0;
      previousGrantAt = undefined;
    } else {
      // Scheduled from the check phase, this runs in the next iteration, after its poll phase.
      previousGrantAt = at;
      scheduled = true;
      setImmediate(grant);
    }
  };

  return {
    take() {
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (!scheduled) {
          scheduled = true;
          setImmediate(grant);
        }
      });
    },
    get waiting() {
      return queue.length - head;
    },
  };
}
