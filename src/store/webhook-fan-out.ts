// Webhook fan-out inside the writer's transaction: one delivery row per (event, matching active
// subscription), written with the events themselves. A delivery therefore exists if and only if its
// event committed, and the deliverer reads deliveries only — it never follows the events table by
// id, so an event id that commits after a higher one (bigserial on PostgreSQL) cannot be skipped.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/**
 * The INSERT … SELECT of the deliveries of the events in `events` (a relation with the events
 * table's id, type, activity_id and case_id): the events table itself, or on PostgreSQL the rows an
 * INSERT … RETURNING of the same statement wrote (store/outbox.ts). With no subscription for these
 * types it inserts nothing.
 */
export function deliveriesInsert(events: RawBuilder<unknown>, nowMs: number): RawBuilder<unknown> {
  return sql`
    insert into webhook_deliveries (subscription_id, event_id, order_key, status, next_attempt_ms, created_ms)
    select s.id, e.id, coalesce(e.activity_id, 'case:' || e.case_id, ''), 'pending', ${nowMs}, ${nowMs}
    from ${events} e
    join webhook_subscription_types t on t.type = e.type
    join webhook_subscriptions s on s.id = t.subscription_id and s.active = 1
    order by e.id`;
}

/** One INSERT … SELECT for these committed-with-us event ids. */
export async function enqueueDeliveries(
  trx: Kysely<Database>,
  eventIds: readonly (number | string)[],
  nowMs: number,
): Promise<void> {
  if (eventIds.length === 0) return;
  const ids = eventIds.map((id) => Number(id));
  await deliveriesInsert(
    sql`(select id, type, activity_id, case_id from events where id in (${sql.join(ids)}))`,
    nowMs,
  ).execute(trx);
}
