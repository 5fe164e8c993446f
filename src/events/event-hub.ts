// The instance's single reader of the outbox for the live stream: woken by a commit (NOTIFY on
// PostgreSQL, the transaction's commit observer on SQLite) or a timer, it reads the newly released
// events ONCE for the whole instance and hands them, in id order, to every local subscriber. Reads
// never overlap: a wake during a read only asks for one more read after it. Two reads start at
// least `batchMs` apart: each read costs every stream a socket write (a system call), so at 200
// commits a second and 1,000 streams a read per commit would be 200,000 writes a second; reading
// every 50 ms instead gathers the commits of that time into one write per stream, for at most
// `batchMs` of added delay.
import type { StoredEvent } from '../store/event-feed.js';

/** A source of released events: in id order, each exactly once (store/event-order.ts on PostgreSQL). */
export interface EventReader {
  /** Reads until caught up; calls `deliver` with each batch released. */
  catchUp(deliver: (events: readonly StoredEvent[]) => void): Promise<void>;
  /** The highest id released so far. */
  readonly position: number;
  /** True while an id is pending on a running transaction: read again soon, without a wake. */
  readonly waiting: boolean;
}

export interface HubSubscriber {
  /** Called synchronously with every released batch (the subscriber filters what concerns it). */
  offer(events: readonly StoredEvent[]): void;
}

export interface HubOptions {
  /** A read even without a wake, in case one was lost (a listener reconnecting, another process on SQLite). */
  readonly pollMs: number;
  /** How soon to read again while a gap is pending. */
  readonly gapRetryMs: number;
  /** The least time between the starts of two reads (0: read at every wake). */
  readonly batchMs: number;
  readonly onError: (error: unknown) => void;
}

export class EventHub {
  private readonly subscribers = new Set<HubSubscriber>();
  private reading = false;
  private again = false;
  private closed = false;
  private readonly poll: NodeJS.Timeout;
  private gapTimer: NodeJS.Timeout | undefined;
  /** The read the batch interval put off, when one is waiting. */
  private batchTimer: NodeJS.Timeout | undefined;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly reader: EventReader,
    private readonly options: HubOptions,
  ) {
    this.poll = setInterval(() => this.wake(), options.pollMs);
    this.poll.unref();
  }

  /** The highest id released: every event up to it was offered, and is final in the database. */
  get position(): number {
    return this.reader.position;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Adds a subscriber and returns the position it starts after: every event above it will be
   * offered to it, every event at or below it was released before (a replay reads those).
   */
  subscribe(subscriber: HubSubscriber): number {
    this.subscribers.add(subscriber);
    return this.reader.position;
  }

  unsubscribe(subscriber: HubSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  /**
   * Something may have committed: read (once), or once more after the read under way — at once, or
   * when the batch interval since the last read has passed.
   */
  wake(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    if (this.batchTimer !== undefined) return;
    const wait = this.lastReadAt + this.options.batchMs - performance.now();
    if (wait <= 0) return this.read();
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      this.read();
    }, wait);
    this.batchTimer.unref();
  }

  /** Resolves once no read is under way or put off (tests, and a start that must be caught up). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.gapTimer);
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.subscribers.clear();
    this.settleIdle();
  }

  private get busy(): boolean {
    return this.reading || this.batchTimer !== undefined;
  }

  private settleIdle(): void {
    if (!this.busy) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private read(): void {
    if (this.closed) return this.settleIdle();
    this.reading = true;
    this.again = false;
    this.lastReadAt = performance.now();
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      await this.reader.catchUp((events) => this.dispatch(events));
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.reading = false;
      if (this.again) this.wake();
      this.settleIdle();
      if (this.reader.waiting && !this.closed && this.gapTimer === undefined) {
        this.gapTimer = setTimeout(() => {
          this.gapTimer = undefined;
          this.wake();
        }, this.options.gapRetryMs);
        this.gapTimer.unref();
      }
    }
  }

  private dispatch(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    for (const subscriber of this.subscribers) subscriber.offer(events);
  }
}
