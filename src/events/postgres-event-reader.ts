// PostgreSQL: one dedicated connection per instance LISTENs on the outbox channel and, on a wake,
// reads what was committed since (store/event-order.ts decides what is final). A lost connection is
// re-opened with a growing delay; on its return the hub reads at once, so nothing committed while it
// was away is missed (the reads are by id, not by notification).
import { EventOrder } from '../store/event-order.js';
import { readWithSnapshot, takeXid, type SqlClient, type StoredEvent } from '../store/event-feed.js';
import { EVENTS_CHANNEL } from '../store/outbox.js';
import type { EventReader } from './event-hub.js';

/** What the reader needs of its connection (a `pg.Client`). */
export interface ListeningConnection extends SqlClient {
  on(event: 'notification', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

const BATCH = 1000;
/**
 * At start, ids this far below the newest are examined for gaps (a transaction running at start may
 * still commit one). A writer whose event id is older than the last 10,000 events when an instance
 * starts is not expected: the writes add their events just before they commit.
 */
export const START_WINDOW = 10_000;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface PostgresReaderOptions {
  readonly connect: () => Promise<ListeningConnection>;
  readonly onConnectionLost: (error: unknown) => void;
}

export class PostgresEventReader implements EventReader {
  private order: EventOrder<StoredEvent> = new EventOrder(0);
  private connection: ListeningConnection | undefined;
  private wake: () => void = () => undefined;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private started = false;

  constructor(private readonly options: PostgresReaderOptions) {}

  get position(): number {
    return this.order.position;
  }

  get waiting(): boolean {
    return this.order.waiting;
  }

  /** Connects, LISTENs, and places the start just below the newest event (the hub then catches up). */
  async start(wake: () => void): Promise<void> {
    this.wake = wake;
    const connection = await this.listen();
    const { rows } = await connection.query('select coalesce(max(id), 0)::text as max from events');
    const newest = Number(rows[0].max);
    this.order = new EventOrder(Math.max(0, newest - START_WINDOW));
    this.started = true;
  }

  async catchUp(deliver: (events: readonly StoredEvent[]) => void): Promise<void> {
    for (;;) {
      const connection = this.connection;
      if (!connection || !this.started) return; // (re)connecting: the hub is woken once it is back
      const { rows, snapshot } = await readWithSnapshot(
        connection,
        this.order.after,
        this.order.pending,
        BATCH,
      );
      deliver(this.order.accept(rows, snapshot));
      if (this.order.unbounded) this.order.bound(await takeXid(connection));
      if (rows.length < BATCH) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const connection = this.connection;
    this.connection = undefined;
    await connection?.end().catch(() => undefined);
  }

  private async listen(): Promise<ListeningConnection> {
    const connection = await this.options.connect();
    let lost = false;
    const onLost = (error: unknown) => {
      if (lost) return;
      lost = true;
      if (this.connection === connection) this.connection = undefined;
      if (this.closed) return;
      this.options.onConnectionLost(error);
      connection.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    connection.on('error', onLost);
    connection.on('end', () => onLost(new Error('listening connection ended')));
    connection.on('notification', () => this.wake());
    try {
      await connection.query(`listen ${EVENTS_CHANNEL}`);
      // The reader's own xids (takeXid) commit nothing worth a flush to disk.
      await connection.query('set synchronous_commit = off');
    } catch (error) {
      lost = true;
      await connection.end().catch(() => undefined);
      throw error;
    }
    this.connection = connection;
    this.reconnectDelay = RECONNECT_MIN_MS;
    return connection;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(RECONNECT_MAX_MS, delay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().then(
        () => this.wake(),
        (error: unknown) => {
          this.options.onConnectionLost(error);
          this.scheduleReconnect();
        },
      );
    }, delay);
    this.reconnectTimer.unref();
  }
}
