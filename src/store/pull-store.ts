// The pull transaction: the activities waiting in the user's pull queues — in the order of those
// queues, then first come, first served — locked with SKIP LOCKED on PostgreSQL, so that concurrent
// pulls never take the same activity and never wait on each other (on SQLite, BEGIN IMMEDIATE makes
// pulls take turns). Pick's rules for a queued activity are applied in SQL as well as by the domain,
// so the LIMIT is maxPull and the work per request is bounded.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Activity } from '../domain/activity.js';
import { MAIL_LICENSES, USER_LICENSES, type Caller } from '../domain/caller.js';
import { pickEvents, toSubject, type ActivityEvent, type EventsCommitted } from '../domain/events.js';
import type { PickPlan } from '../domain/operations/pick.js';
import type { PullOffer, PullStore as PullPort } from '../domain/pull-activities.js';
import { ACTIVITY_COLUMNS, toActivity } from './activity-store.js';
import type { Dialect } from './dialect.js';
import { guardedUpdate, insertHistory } from './lifecycle-writes.js';
import { appendEvents } from './outbox.js';
import { checkFactsVersion, versionQuery } from './user-store.js';
import { RowsChangedError } from './store-errors.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

/** Built-in types pick refuses (rule 10); every other type may be pulled. */
const NOT_PICKABLE = ['call_track', 'chat', 'web'];
const MAIL_TYPES = ['email', 'social'];
const PULL_ATTEMPTS = 3;

export class PullStore implements PullPort {
  constructor(
    private readonly dialect: Dialect,
    private readonly transactional: Transactional,
    private readonly eventsCommitted: EventsCommitted = () => undefined,
  ) {}

  async pullAtomically(
    caller: Caller,
    decide: (offer: PullOffer) => PickPlan | undefined,
    /** The version the caller's facts were read at, when unconfirmed: read with maxPull, before the lock. */
    factsVersion?: number,
  ): Promise<PickPlan | undefined> {
    // The rows were locked when offered, so the guarded write cannot find one changed; should a lock
    // ever fail to hold, another request took that activity: offer again rather than fail the pull.
    for (let attempt = 1; ; attempt++) {
      try {
        const { plan, events } = await this.pullOnce(caller, decide, factsVersion);
        this.eventsCommitted(events);
        return plan;
      } catch (error) {
        if (!(error instanceof RowsChangedError) || attempt >= PULL_ATTEMPTS) throw error;
      }
    }
  }

  private pullOnce(
    caller: Caller,
    decide: (offer: PullOffer) => PickPlan | undefined,
    factsVersion: number | undefined,
  ): Promise<{ plan: PickPlan | undefined; events: ActivityEvent[] }> {
    return this.transactional(async (trx) => {
      // The user's maxPull and pull queues in their order, in one round trip. The candidates are
      // chosen by the caller's facts (queues, departments, licenses): their version is checked by
      // this same statement, before any row is locked for them.
      const options = await trx
        .selectFrom('users as u')
        .leftJoin('user_pull_queues as p', 'p.user_id', 'u.id')
        .select(['u.max_pull', 'p.queue_id'])
        .$if(factsVersion !== undefined, (q) =>
          q.select(() => versionQuery(trx).$asScalar().as('organisation_version')),
        )
        .where('u.id', '=', caller.userId)
        .orderBy('p.position')
        .execute();
      await checkFactsVersion(trx, factsVersion, options[0]?.organisation_version);
      const maxPull = Number(options[0]?.max_pull ?? 1);
      const queues = options.flatMap((row) =>
        row.queue_id !== null && caller.pullableQueueIds.has(row.queue_id) ? [row.queue_id] : [],
      );
      const candidates = await this.lockCandidates(trx, caller, queues, maxPull);
      const plan = decide({ maxPull, candidates });
      return { plan, events: plan ? await writePull(trx, plan, candidates) : [] };
    });
  }

  /**
   * Queue by queue in the user's order, the oldest waiting activities until maxPull are found. One
   * query per queue reads activities_pull_order from the queue's head and stops after `limit` rows it
   * could lock (a single query over all the queues sorted every waiting row of them first: 1.4 s for
   * a queue of 33,000 at 1,000,000 activities — docs/lifecycle-query-plans.md). Usually the first
   * queue has enough: one query.
   */
  private async lockCandidates(
    trx: Kysely<Database>,
    caller: Caller,
    queues: readonly string[],
    maxPull: number,
  ): Promise<Activity[]> {
    const departments = [caller.homeDepartmentId, ...caller.foreignDepartmentIds];
    const mailLicensed = MAIL_LICENSES.some((license) => caller.licenses.has(license));
    const licensed = USER_LICENSES.some((license) => caller.licenses.has(license));
    if (queues.length === 0 || !licensed || maxPull < 1) return [];
    const found: Activity[] = [];
    for (const queueId of queues) {
      const rows = await trx
        .selectFrom('activities as a')
        .select(ACTIVITY_COLUMNS)
        .select('a.case_id')
        .where('a.queue_id', '=', queueId)
        // A literal, not a parameter: the partial index activities_pull_order holds only these rows,
        // and a planner may only use it when it sees the value (SQLite plans before binding).
        .where('a.status', '=', sql.lit('awaiting_assignment'))
        .where('a.is_draft_response', '=', 0)
        .where('a.department_id', 'in', departments)
        .where('a.type', 'not in', mailLicensed ? NOT_PICKABLE : [...NOT_PICKABLE, ...MAIL_TYPES])
        // The earliest to have entered the queue (a queued activity's lastModified is when it was
        // last moved), then the earliest created.
        .orderBy('a.last_modified_ms')
        .orderBy('a.created_ms')
        .orderBy(sql`length(${sql.ref('a.id')})`)
        .orderBy('a.id')
        .limit(maxPull - found.length)
        .$if(this.dialect === 'postgres', (query) => query.forUpdate().skipLocked())
        .execute();
      found.push(...rows.map((row) => ({ ...toActivity(row), caseId: row.case_id })));
      if (found.length >= maxPull) break;
    }
    return found;
  }
}

/**
 * The pick's write: assigned:new to the user, pin and lock cleared, one 'pulled' history row each,
 * and their events (user_assignment, as a pick's).
 */
async function writePull(
  trx: Kysely<Database>,
  plan: PickPlan,
  candidates: readonly Activity[],
): Promise<ActivityEvent[]> {
  const requestId = randomUUID();
  await guardedUpdate(
    trx,
    plan.changes.map((c) => ({ id: c.activityId, previousLastModifiedMs: c.previousLastModifiedMs })),
    {
      status: 'assigned',
      substatus: 'new',
      assigned_user_id: plan.userId,
      clearPinAndLock: true,
      last_modified_ms: plan.lastModifiedMs,
      last_modified_by: plan.userId,
      last_action: 'pulled',
    },
  );
  await insertHistory(
    trx,
    plan.changes.map((c) => ({
      activityId: c.activityId,
      fromKind: c.from.kind,
      fromId: c.from.id,
      to: plan.userId,
      unpinned: c.unpinned,
    })),
    { requestId, by: plan.userId, atMs: plan.lastModifiedMs, action: 'pulled' },
  );
  const events = pickEvents(candidates.map(toSubject), plan, {
    actor: { kind: 'user', userId: plan.userId },
    requestId,
    atMs: plan.lastModifiedMs,
  });
  await appendEvents(trx, events);
  return events;
}
