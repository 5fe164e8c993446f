// PostgreSQL: tells the instances' listeners (postgres-event-reader.ts) that events committed, by a
// NOTIFY sent after the writer's commit on its own short statement, coalesced per instance.
//
// Why not `pg_notify` inside the writing transaction: PostgreSQL serialises the commits of
// transactions that notify (one global lock from the queueing of the notification to the end of the
// commit, WAL flush included), which capped event-writing transactions at ~200 commits/s on this
// machine, picks included (bench/RESULTS.md, the fan-out bench's pgbench probe). Sent after the
// commit, the lock is held only by these notify-only statements, at most one in flight per instance:
// pokes that arrive while one is in flight are folded into one more after it.
//
// Nothing is lost if this NOTIFY never goes (a crash right after a commit, a lost connection): it
// only wakes readers, every reader also polls the outbox (STREAM_POLL_MS), and the events
// themselves are in the table. A process that writes events other than through the service's
// stores (a test, a bench writer) calls notifyEventsCommitted after its commit.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { EVENTS_CHANNEL } from '../store/outbox.js';

/** The wake-up itself: one NOTIFY on its own (autocommit) statement, after the events committed. */
export async function notifyEventsCommitted(db: Kysely<Database>): Promise<void> {
  await sql`select pg_notify(${EVENTS_CHANNEL}, '')`.execute(db);
}

export class CommitNotifier {
  private inFlight: Promise<void> | undefined;
  private pending = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: { warn(details: object, message: string): void },
  ) {}

  /** Some events committed: wake the listeners (now, or right after the NOTIFY in flight). */
  poke(): void {
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = this.send().finally(() => {
      this.inFlight = undefined;
      if (this.pending) {
        this.pending = false;
        this.poke();
      }
    });
  }

  /** Waits for the NOTIFY in flight and the one folded behind it (graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async send(): Promise<void> {
    try {
      await notifyEventsCommitted(this.db);
    } catch (error) {
      this.log.warn({ err: error }, 'event stream: the commit notification failed; readers poll');
    }
  }
}
