// The instance's live-stream machinery: the outbox feed, the dialect's reader, and the hub that fans
// events out to the local streams. Started before the server listens (caught up to the newest
// event), closed on shutdown.
import type { OpenDatabase } from '../store/database.js';
import { EventFeedStore } from '../store/event-feed.js';
import { EventHub } from './event-hub.js';
import { PostgresEventReader } from './postgres-event-reader.js';
import { SqliteEventReader } from './sqlite-event-reader.js';
import type { EventStreamSettings } from './stream-settings.js';

export interface EventStreams {
  readonly hub: EventHub;
  readonly feed: EventFeedStore;
  /** Tells the hub that a local transaction committed (SQLite; PostgreSQL hears NOTIFY instead). */
  readonly committed: () => void;
  close(): Promise<void>;
}

/** How long to wait before reading again while an id is pending on a running transaction. */
const GAP_RETRY_MS = 20;

export async function startEventStreams(
  database: OpenDatabase,
  settings: EventStreamSettings,
  log: { warn(details: object, message: string): void },
): Promise<EventStreams> {
  const feed = new EventFeedStore(database.db);
  const onError = (error: unknown) => log.warn({ err: error }, 'event stream: reading the outbox failed');
  if (database.dialect === 'sqlite' || !database.connectListener) {
    const reader = new SqliteEventReader(feed);
    await reader.start();
    const hub = new EventHub(reader, {
      pollMs: settings.pollMs,
      gapRetryMs: GAP_RETRY_MS,
      batchMs: settings.batchMs,
      onError,
    });
    return { hub, feed, committed: () => hub.wake(), close: async () => hub.close() };
  }
  const reader = new PostgresEventReader({
    connect: database.connectListener,
    onConnectionLost: (error) =>
      log.warn({ err: error }, 'event stream: the listening connection was lost; reconnecting'),
  });
  const hub = new EventHub(reader, {
    pollMs: settings.pollMs,
    gapRetryMs: GAP_RETRY_MS,
    batchMs: settings.batchMs,
    onError,
  });
  try {
    await reader.start(() => hub.wake());
  } catch (error) {
    hub.close();
    throw error;
  }
  // Caught up before the first stream subscribes: the start window is read now.
  hub.wake();
  await hub.idle();
  return {
    hub,
    feed,
    committed: () => undefined,
    async close() {
      hub.close();
      await reader.close();
    },
  };
}
