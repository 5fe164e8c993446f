// Bounded work per event-loop turn, so that new connections are not starved under load.
//
// Since libuv 1.45 (Node 20) a listening socket accepts ONE connection per event-loop iteration
// (libuv/libuv#3696). When the service is saturated, one iteration runs every request that arrived
// on every open connection: with 50 busy keep-alive connections an iteration lasts 50 requests'
// work, so the 51st connection waits that long to be accepted, the 52nd twice as long, and so on —
// seconds for a burst of agents logging in at shift start (bench/RESULTS.md). Requests therefore
// take a turn: at most `perTurn` start per iteration; the rest wait (in order) for the next one,
// which lets the loop poll — accept a connection, read requests — between batches. An idle
// service is not slowed: a turn taken during the poll phase is granted in the same iteration.
export interface TurnTaking {
  /** Resolves when this request may run; requests are admitted in the order they asked. */
  take(): Promise<void>;
  /** Requests waiting for a turn (a gauge for /metrics). */
  readonly waiting: number;
}

export function createTurnTaking(perTurn: number): TurnTaking {
  if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError('perTurn must be a positive integer');
  let queue: (() => void)[] = [];
  let head = 0;
  let scheduled = false;

  const grant = (): void => {
    scheduled = false;
    const end = Math.min(queue.length, head + perTurn);
    while (head < end) queue[head++]();
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else {
      // Scheduled from the check phase, this runs in the next iteration, after its poll phase.
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
