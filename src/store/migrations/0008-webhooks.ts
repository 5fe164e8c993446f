// Webhook subscriptions and their deliveries. A delivery row is written by appendEvents in the same
// transaction as its event (one per matching active subscription), so a delivery exists if and only
// if its event committed, and the deliverer never has to scan the events table for what it missed.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres';
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    // A Standard Webhooks secret (whsec_ + base64); the deliverer signs every request with it.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  // One row per event type a subscription wants: the fan-out is a plain join, on both dialects.
  await db.schema
    .createTable('webhook_subscription_types')
    .addColumn('subscription_id', 'text', (c) =>
      c.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_subscription_types_pk', ['type', 'subscription_id'])
    .execute();
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('subscription_id', 'text', (c) =>
      c.notNull().references('webhook_subscriptions.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    // What must arrive in order: the activity (else the case) the event is about.
    .addColumn('order_key', 'text', (c) => c.notNull())
    // pending → delivered, or pending → dead (max age passed, or a refusal not worth retrying).
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    // The lease: the instance sending it, and until when; a crashed one's claims expire.
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until_ms', 'bigint')
    .addColumn('delivered_ms', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  // The deliverer's scan: pending rows by due time.
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['status', 'next_attempt_ms'])
    .execute();
  // "Is an earlier event of this activity still undelivered to this subscription?" — one seek, however
  // many of the activity's events were delivered before (status before event_id).
  await db.schema
    .createIndex('webhook_deliveries_order')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'order_key', 'status', 'event_id'])
    .execute();
  if (pg) {
    // Only the pending rows are ever scanned; delivered ones pile up behind a partial index.
    await sql`create index webhook_deliveries_pending on webhook_deliveries (event_id) where status = 'pending'`.execute(
      db,
    );
  }
}
