// Webhook subscriptions and the deliverer's claims on their deliveries (migration 0008).
//
// Claims: a deliverer takes due deliveries with a lease (claimed_by, claimed_until_ms). On PostgreSQL
// the candidate rows are locked FOR UPDATE SKIP LOCKED, so instances claiming at once take disjoint
// rows instead of queueing behind each other; on SQLite the claim runs under the write lock (BEGIN
// IMMEDIATE). A crashed deliverer's lease runs out and another instance claims the row again.
//
// Order: only the head of each (subscription, activity) chain is claimable — a delivery whose
// subscription still has an earlier pending delivery for the same activity waits. Writes to one
// activity lock its row, so that activity's event ids are taken in commit order.
//
// Retention: delivered rows are deleted once older than the retention (pruneDelivered); pending rows
// and dead letters are kept until they are delivered, redelivered or their subscription removed. The
// events themselves are never deleted here: they are the activities' history.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

export interface WebhookSubscription {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly active: boolean;
  readonly createdMs: number;
  /** Deliveries not yet made, and dead letters (for `webhook list`). */
  readonly pending: number;
  readonly dead: number;
}

export interface NewSubscription {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly secret: string;
  readonly active: boolean;
}

/** A claimed delivery with what the request needs. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly url: string;
  readonly secret: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payloadJson: string;
  readonly attempts: number;
  readonly createdMs: number;
}

export type DeliveryOutcome =
  | { readonly kind: 'delivered'; readonly atMs: number }
  | { readonly kind: 'retry'; readonly atMs: number; readonly nextAttemptMs: number; readonly error: string }
  | { readonly kind: 'dead'; readonly atMs: number; readonly error: string }
  /** Not attempted after all (shutdown): the claim is given back without counting an attempt. */
  | { readonly kind: 'released' };

export interface SettledDelivery {
  readonly id: string;
  readonly outcome: DeliveryOutcome;
}

/**
 * The PostgreSQL advisory lock (an arbitrary constant of this service) that one instance at a time
 * holds while pruning; the others skip their round rather than queue behind it.
 */
export const PRUNE_LOCK = 7_310_412_001;

export class WebhookStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly transactional: Transactional,
  ) {}

  async add(subscription: NewSubscription, nowMs: number): Promise<string> {
    const id = randomUUID();
    await this.transactional(async (trx) => {
      await trx
        .insertInto('webhook_subscriptions')
        .values({
          id,
          url: subscription.url,
          secret: subscription.secret,
          active: subscription.active ? 1 : 0,
          created_ms: nowMs,
        })
        .execute();
      await trx
        .insertInto('webhook_subscription_types')
        .values(subscription.eventTypes.map((type) => ({ subscription_id: id, type })))
        .execute();
    });
    return id;
  }

  /** Deletes the subscription and its deliveries; false when there was none. */
  async remove(id: string): Promise<boolean> {
    return this.transactional(async (trx) => {
      await trx.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
      await trx.deleteFrom('webhook_subscription_types').where('subscription_id', '=', id).execute();
      const result = await trx.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async list(): Promise<WebhookSubscription[]> {
    const rows = await this.db
      .selectFrom('webhook_subscriptions')
      .select(['id', 'url', 'active', 'created_ms'])
      .orderBy('created_ms')
      .orderBy('id')
      .execute();
    const types = await this.db
      .selectFrom('webhook_subscription_types')
      .select(['subscription_id', 'type'])
      .orderBy('type')
      .execute();
    const counts = await this.db
      .selectFrom('webhook_deliveries')
      .select(['subscription_id', 'status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('status', 'in', ['pending', 'dead'])
      .groupBy(['subscription_id', 'status'])
      .execute();
    const count = (id: string, status: string) =>
      Number(counts.find((c) => c.subscription_id === id && c.status === status)?.n ?? 0);
    return rows.map((row) => ({
      id: row.id,
      url: row.url,
      eventTypes: types.filter((t) => t.subscription_id === row.id).map((t) => t.type),
      active: row.active === 1,
      createdMs: Number(row.created_ms),
      pending: count(row.id, 'pending'),
      dead: count(row.id, 'dead'),
    }));
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhook_subscriptions')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Dead letters (of one subscription, or of all) become pending again, with a fresh max age. */
  async redeliver(subscriptionId: string | undefined, nowMs: number): Promise<number> {
    let query = this.db
      .updateTable('webhook_deliveries')
      .set({
        status: 'pending',
        attempts: 0,
        next_attempt_ms: nowMs,
        created_ms: nowMs,
        claimed_by: null,
        claimed_until_ms: null,
      })
      .where('status', '=', 'dead');
    if (subscriptionId !== undefined) query = query.where('subscription_id', '=', subscriptionId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** A cheap look without the write lock (SQLite): is any delivery due? */
  async anyDue(nowMs: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_ms', '<=', nowMs)
      .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', nowMs)]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Claims up to `limit` due deliveries, each the head of its (subscription, activity) chain. */
  async claim(owner: string, limit: number, nowMs: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const lock = this.dialect === 'postgres' ? sql`for update of d skip locked` : sql``;
    // SQLite without statistics would take the due index and sort every due row by event id on
    // every claim; the pending rows in event order stop at the first `limit` chain heads (0012).
    const pendingInOrder = this.dialect === 'sqlite' ? sql`indexed by webhook_deliveries_pending` : sql``;
    return this.transactional(async (trx) => {
      const { rows } = await sql<{
        id: number | string;
        subscription_id: string;
        url: string;
        secret: string;
        event_id: number | string;
        type: string;
        payload_json: string;
        attempts: number;
        created_ms: number | string;
      }>`
        select d.id, d.subscription_id, s.url, s.secret, d.event_id, e.type, e.payload_json,
               d.attempts, d.created_ms
        from webhook_deliveries d ${pendingInOrder}
        join webhook_subscriptions s on s.id = d.subscription_id
        join events e on e.id = d.event_id
        where d.status = 'pending' and d.next_attempt_ms <= ${nowMs}
          and (d.claimed_until_ms is null or d.claimed_until_ms < ${nowMs})
          and not exists (
            select 1 from webhook_deliveries p
            where p.subscription_id = d.subscription_id and p.order_key = d.order_key
              and p.event_id < d.event_id and p.status = 'pending')
        order by d.event_id
        limit ${limit}
        ${lock}`.execute(trx);
      if (rows.length === 0) return [];
      await trx
        .updateTable('webhook_deliveries')
        .set({ claimed_by: owner, claimed_until_ms: nowMs + leaseMs })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.map((r) => ({
        id: String(r.id),
        subscriptionId: r.subscription_id,
        url: r.url,
        secret: r.secret,
        eventId: String(r.event_id),
        eventType: r.type,
        payloadJson: r.payload_json,
        attempts: Number(r.attempts),
        createdMs: Number(r.created_ms),
      }));
    });
  }

  /**
   * Records the outcomes of several attempts in one statement (a statement per attempt cost more
   * than the requests themselves at a thousand events a second), each only while this owner still
   * holds its claim: a claim taken over after its lease ran out is the new holder's to record.
   */
  async settle(owner: string, settled: readonly SettledDelivery[]): Promise<void> {
    if (settled.length === 0) return;
    const rows = settled.map(({ id, outcome }) => {
      const attempted = outcome.kind === 'released' ? 0 : 1;
      const at = outcome.kind === 'released' ? null : outcome.atMs;
      const next = outcome.kind === 'retry' ? outcome.nextAttemptMs : null;
      const error = outcome.kind === 'retry' || outcome.kind === 'dead' ? outcome.error : null;
      return sql`(${Number(id)}, ${outcome.kind}, ${at}, ${next}, ${error}, ${attempted})`;
    });
    // One UPDATE … FROM a VALUES list, the same text on SQLite (3.33+) and PostgreSQL. Columns the
    // outcome does not change are set to themselves (case … else); the claim is given back always.
    await sql`
      with v (id, kind, at_ms, next_attempt_ms, last_error, attempted) as (values ${sql.join(rows)})
      update webhook_deliveries as d set
        status = case v.kind when 'delivered' then 'delivered' when 'dead' then 'dead' else d.status end,
        delivered_ms = case v.kind when 'delivered' then cast(v.at_ms as bigint) else d.delivered_ms end,
        next_attempt_ms = case v.kind when 'retry' then cast(v.next_attempt_ms as bigint) else d.next_attempt_ms end,
        last_error = case v.kind when 'released' then d.last_error else cast(v.last_error as text) end,
        attempts = d.attempts + cast(v.attempted as integer),
        claimed_by = null,
        claimed_until_ms = null
      from v
      where d.id = cast(v.id as bigint) and d.claimed_by = ${owner}`.execute(this.db);
  }

  /**
   * Deletes up to `limit` delivered rows delivered before `beforeMs`, oldest first, in one short
   * transaction; answers how many, or undefined when another instance is pruning (PostgreSQL: it
   * holds the advisory lock; SQLite has one writer at a time anyway).
   */
  async pruneDelivered(beforeMs: number, limit: number): Promise<number | undefined> {
    const pg = this.dialect === 'postgres';
    return this.transactional(async (trx) => {
      if (pg) {
        const { rows } = await sql<{
          held: boolean;
        }>`select pg_try_advisory_xact_lock(${PRUNE_LOCK}) as held`.execute(trx);
        if (!rows[0]?.held) return undefined;
      }
      const result = await sql`
        delete from webhook_deliveries where id in (
          select id from webhook_deliveries
          where status = 'delivered' and delivered_ms < ${beforeMs}
          order by delivered_ms
          limit ${limit}
          ${pg ? sql`for update skip locked` : sql``})`.execute(trx);
      return Number(result.numAffectedRows ?? 0);
    });
  }
}
