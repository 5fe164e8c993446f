// Two partial indexes on webhook deliveries (the same statements on SQLite and PostgreSQL, which
// both take partial indexes):
// - Retention: the deliverer deletes delivered rows older than WEBHOOK_RETAIN_DELIVERED_MS in small
//   batches (src/store/webhook-store.ts, pruneDelivered). An index of exactly those rows, by
//   delivery time, lets a prune round read only what it deletes instead of walking a day of recent
//   deliveries to find none.
// - Claims on SQLite: the pending rows by event id, as PostgreSQL has had since 0008. The claim
//   walks them in event order and stops once it has enough chain heads; without it SQLite read and
//   sorted every due row on every claim, so a backlog made each claim slower and delivery fell
//   further behind.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await sql`create index webhook_deliveries_delivered on webhook_deliveries (delivered_ms) where status = 'delivered'`.execute(
    db,
  );
  if (dialect === 'sqlite') {
    await sql`create index webhook_deliveries_pending on webhook_deliveries (event_id) where status = 'pending'`.execute(
      db,
    );
  }
}
