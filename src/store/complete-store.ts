// The complete transaction: the requested rows locked in ascending id order and judged, then
// completed:done with one guarded UPDATE and a history row each; then the plan's cases are locked (in
// ascending id order) and every one with no activity left that is not completed is closed — in the
// same transaction, so two agents finishing a case's last two activities at once close it once.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Activity } from '../domain/activity.js';
import type { CompleteResult, CompleteStore as CompletePort } from '../domain/complete-activities.js';
import { completeEvents, toSubject, type EventsCommitted } from '../domain/events.js';
import { fail, type Outcome } from '../domain/failures.js';
import type { CompletePlan } from '../domain/operations/complete.js';
import type { Dialect } from './dialect.js';
import { guardedUpdate, insertHistory, lockActivities } from './lifecycle-writes.js';
import { appendEvents } from './outbox.js';
import { RowsChangedError } from './store-errors.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

export class CompleteStore implements CompletePort {
  constructor(
    private readonly dialect: Dialect,
    private readonly transactional: Transactional,
    private readonly eventsCommitted: EventsCommitted = () => undefined,
  ) {}

  async completeAtomically(
    ids: readonly string[],
    decide: (found: readonly Activity[]) => Outcome<CompletePlan>,
    /** The version the caller's facts were read at, when unconfirmed (lockActivities checks it). */
    factsVersion?: number,
  ): Promise<Outcome<CompleteResult>> {
    try {
      const { outcome, events } = await this.transactional(async (trx) => {
        const found = await lockActivities(trx, this.dialect, ids, factsVersion);
        const decided = decide(found);
        if (!decided.ok) return { outcome: decided, events: [] };
        const plan = decided.value;
        const requestId = randomUUID();
        await this.writePlan(trx, plan, requestId);
        const { closed, closedNow } = await this.settleCases(trx, plan.casesToSettle, plan.lastModifiedMs);
        // One INSERT for the activities' events and the cases' closings, after both are known.
        const events = completeEvents(found.map(toSubject), plan, closedNow, {
          actor: { kind: 'user', userId: plan.userId },
          requestId,
          atMs: plan.lastModifiedMs,
        });
        await appendEvents(trx, events);
        const outcome: Outcome<CompleteResult> = { ok: true, value: { plan, closedCaseIds: closed } };
        return { outcome, events };
      });
      this.eventsCommitted(events);
      return outcome;
    } catch (error) {
      if (error instanceof RowsChangedError) return fail({ kind: 'StaleLastModified', ids: error.ids });
      throw error;
    }
  }

  private async writePlan(trx: Kysely<Database>, plan: CompletePlan, requestId: string): Promise<void> {
    await guardedUpdate(
      trx,
      plan.changes.map((c) => ({ id: c.activityId, previousLastModifiedMs: c.previousLastModifiedMs })),
      {
        status: plan.write.status,
        substatus: plan.write.substatus,
        clearPinAndLock: false,
        last_modified_ms: plan.lastModifiedMs,
        last_modified_by: plan.userId,
        last_action: 'completed',
      },
    );
    // C2 held: every activity was assigned to the caller, who stays its assignee.
    await insertHistory(
      trx,
      plan.changes.map((c) => ({
        activityId: c.activityId,
        fromKind: 'user',
        fromId: plan.userId,
        to: plan.userId,
        unpinned: false,
      })),
      { requestId, by: plan.userId, atMs: plan.lastModifiedMs, action: 'completed' },
    );
  }

  /**
   * Locks the cases (a concurrent complete of the same case waits here until this one commits), then
   * closes those left with no open activity. On PostgreSQL at READ COMMITTED the UPDATE runs after the
   * lock was granted, so it sees the other transaction's completed rows; at SERIALIZABLE a pair that
   * each missed the other's write is a serialization failure, and the retry sees both.
   * Answers every settled case that is closed now, and those this write closed.
   */
  private async settleCases(
    trx: Kysely<Database>,
    caseIds: readonly string[],
    nowMs: number,
  ): Promise<{ closed: Set<string>; closedNow: Set<string> }> {
    if (caseIds.length === 0) return { closed: new Set(), closedNow: new Set() };
    const locked = await trx
      .selectFrom('cases')
      .select(['id', 'status'])
      .where('id', 'in', caseIds)
      .orderBy(sql`length(${sql.ref('id')})`)
      .orderBy('id')
      .$if(this.dialect === 'postgres', (query) => query.forUpdate())
      .execute();
    const closed = new Set(locked.filter((row) => row.status === 'closed').map((row) => row.id));
    const open = locked.filter((row) => row.status === 'open').map((row) => row.id);
    if (open.length === 0) return { closed, closedNow: new Set() };
    const closing = await trx
      .updateTable('cases')
      .set({ status: 'closed', closed_ms: nowMs })
      .where('id', 'in', open)
      .where('status', '=', 'open')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('activities as a')
              .select('a.id')
              .whereRef('a.case_id', '=', 'cases.id')
              .where('a.status', '<>', 'completed'),
          ),
        ),
      )
      .returning('id')
      .execute();
    const closedNow = new Set(closing.map((row) => row.id));
    for (const id of closedNow) closed.add(id);
    return { closed, closedNow };
  }
}
