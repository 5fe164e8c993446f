// Webhook fan-out inside the writer's transaction: one delivery row per (event, matching active
// subscription), written with the events themselves. A delivery therefore exists if and only if its
// event committed, and the deliverer reads deliveries only — it never follows the events table by
// id, so an event id that commits after a higher one (bigserial on PostgreSQL) cannot be skipped.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One INSERT … SELECT; with no subscription for these types it inserts nothing. */
export async function enqueueDeliveries(
  trx: Kysely<Database>,
  eventIds: readonly (number | string)[],
  nowMs: number,
): Promise<void> {
  if (eventIds.length === 0) return;
  const ids = eventIds.map((id) => Number(id));
  await sql`
    insert into webhook_deliveries (subscription_id, event_id, order_key, status, next_attempt_ms, created_ms)
    select s.id, e.id, coalesce(e.activity_id, 'case:' || e.case_id, ''), 'pending', ${nowMs}, ${nowMs}
    from events e
    join webhook_subscription_types t on t.type = e.type
    join webhook_subscriptions s on s.id = t.subscription_id and s.active = 1
    where e.id in (${sql.join(ids)})
    order by e.id`.execute(trx);
}
