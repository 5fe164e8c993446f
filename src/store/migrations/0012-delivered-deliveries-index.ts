// Retention of webhook deliveries: the deliverer deletes delivered rows older than
// WEBHOOK_RETAIN_DELIVERED_MS in small batches (src/store/webhook-store.ts, pruneDelivered). This
// partial index holds exactly those rows, by delivery time, so a prune round reads only what it
// deletes instead of walking a day of recent deliveries to find none. Pending and dead rows (no
// delivered_ms) are not in it.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // The same statement on both dialects: SQLite and PostgreSQL both take partial indexes.
  await sql`create index webhook_deliveries_delivered on webhook_deliveries (delivered_ms) where status = 'delivered'`.execute(
    db,
  );
}
