// SQLite: one writer at a time, and it commits before the next one takes an id, so ids become
// visible in order and "id > position" is a complete cursor. The hub is woken after each local
// commit (the transaction's commit observer) and by its poll timer (a write by another process).
import type { EventFeedStore, StoredEvent } from '../store/event-feed.js';
import type { EventReader } from './event-hub.js';

const BATCH = 1000;

export class SqliteEventReader implements EventReader {
  private current = 0;

  constructor(private readonly feed: EventFeedStore) {}

  get position(): number {
    return this.current;
  }

  get waiting(): boolean {
    return false;
  }

  async start(): Promise<void> {
    this.current = await this.feed.maxId();
  }

  async catchUp(deliver: (events: readonly StoredEvent[]) => void): Promise<void> {
    for (;;) {
      const rows = await this.feed.readAfter(this.current, BATCH);
      if (rows.length > 0) this.current = rows[rows.length - 1].id;
      deliver(rows);
      if (rows.length < BATCH) return;
    }
  }
}
