// The live stream's settings and defaults, apart from the stream code so that reading the
// configuration does not load it.

export interface EventStreamSettings {
  /** A comment line is sent this often so that proxies keep an idle stream open. */
  readonly heartbeatMs: number;
  /** A Last-Event-ID whose event is older than this gets a `reset` event instead of a replay. */
  readonly resumeWindowMs: number;
  /** Unsent bytes one stream may hold before it is dropped as a slow consumer. */
  readonly bufferBytes: number;
  readonly maxPerUser: number;
  readonly maxClients: number;
  /** How often the outbox is read without a wake (SQLite: other processes; PostgreSQL: a safety net). */
  readonly pollMs: number;
  /**
   * The least time between two reads of the outbox, so that the commits of that time reach each
   * stream in one socket write (events/event-hub.ts): the delay a stream may add, against its CPU.
   */
  readonly batchMs: number;
}

export const DEFAULT_EVENT_STREAM: EventStreamSettings = {
  heartbeatMs: 15_000,
  resumeWindowMs: 15 * 60_000,
  bufferBytes: 1024 * 1024,
  maxPerUser: 5,
  maxClients: 2_048,
  pollMs: 1_000,
  batchMs: 50,
};
