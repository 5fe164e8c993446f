// The pull transaction: the activities waiting in the user's pull queues — in the order of those
// queues, then first come, first served — locked with SKIP LOCKED on PostgreSQL, so that concurrent
// pulls never take the same activity and never wait on each other (on SQLite, BEGIN IMMEDIATE makes
// pulls take turns). Pick's rules for a queued activity are applied in SQL as well as by the domain,
// so the LIMIT is maxPull and the work per request is bounded.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { MAIL_LICENSES, USER_LICENSES, type Caller } from '../domain/caller.js';
import { pickEvents, toSubject, type ActivityEvent, type EventsCommitted } from '../domain/events.js';
import type { Activity } from '../domain/activity.js';
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
      // The candidates are chosen by the caller's facts (queues, departments, licenses): their version
      // is checked by this first statement, before any row is locked for them.
      const user = await trx
        .selectFrom('users')
        .select('max_pull')
        .$if(factsVersion !== undefined, (q) =>
          q.select(() => versionQuery(trx).$asScalar().as('organisation_version')),
        )
        .where('id', '=', caller.userId)
        .executeTakeFirst();
      await checkFactsVersion(trx, factsVersion, user?.organisation_version);
      const maxPull = Number(user?.max_pull ?? 1);
      const candidates = await this.lockCandidates(trx, caller, maxPull);
      const plan = decide({ maxPull, candidates });
      return { plan, events: plan ? await writePull(trx, plan, candidates) : [] };
    });
  }

  private async lockCandidates(trx: Kysely<Database>, caller: Caller, maxPull: number) {
    const queues = [...caller.pullableQueueIds];
    const departments = [caller.homeDepartmentId, ...caller.foreignDepartmentIds];
    const mailLicensed = MAIL_LICENSES.some((license) => caller.licenses.has(license));
    const licensed = USER_LICENSES.some((license) => caller.licenses.has(license));
    if (queues.length === 0 || !licensed || maxPull < 1) return [];
    const rows = await trx
      .selectFrom('activities as a')
      .innerJoin('user_pull_queues as p', (join) =>
        join.onRef('p.queue_id', '=', 'a.queue_id').on('p.user_id', '=', caller.userId),
      )
      .select(ACTIVITY_COLUMNS)
      .select('a.case_id')
      .where('a.status', '=', 'awaiting_assignment')
      .where('a.is_draft_response', '=', 0)
      .where('a.queue_id', 'in', queues)
      .where('a.department_id', 'in', departments)
      .where('a.type', 'not in', mailLicensed ? NOT_PICKABLE : [...NOT_PICKABLE, ...MAIL_TYPES])
      // Queue order, then the earliest to have entered the queue (a queued activity's lastModified is
      // when it was last moved), then the earliest created.
      .orderBy('p.position')
      .orderBy('a.last_modified_ms')
      .orderBy('a.created_ms')
      .orderBy(sql`length(${sql.ref('a.id')})`)
      .orderBy('a.id')
      .limit(maxPull)
      .$if(this.dialect === 'postgres', (query) => query.forUpdate(['a']).skipLocked())
      .execute();
    return rows.map((row) => ({ ...toActivity(row), caseId: row.case_id }));
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
