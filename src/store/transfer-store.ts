// The transfer transaction: the target's facts and the requested rows (locked in ascending id order)
// read together, judged by the domain, then one guarded UPDATE for the batch, the drafts of moved
// emails along with them, and one history row per activity — all or nothing.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Activity } from '../domain/activity.js';
import type { Actor } from '../domain/caller.js';
import { toSubject, transferEvents, type EventSubject, type EventsCommitted } from '../domain/events.js';
import { fail, type Outcome } from '../domain/failures.js';
import type { TransferPlan } from '../domain/operations/transfer.js';
import type { TransferTarget } from '../domain/rules/transfer-target.js';
import type { TargetRef, TransferStore as TransferPort } from '../domain/transfer-activities.js';
import type { Dialect } from './dialect.js';
import {
  actorId,
  guardedUpdate,
  insertHistory,
  lockActivities,
  type HistoryRow,
  type RowWrite,
} from './lifecycle-writes.js';
import { appendEvents } from './outbox.js';
import { RowsChangedError } from './store-errors.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

export class TransferStore implements TransferPort {
  constructor(
    private readonly dialect: Dialect,
    private readonly transactional: Transactional,
    private readonly eventsCommitted: EventsCommitted = () => undefined,
  ) {}

  async transferAtomically(
    targetRef: TargetRef,
    ids: readonly string[],
    decide: (target: TransferTarget | undefined, found: readonly Activity[]) => Outcome<TransferPlan>,
    by: Actor,
    /** The version the caller's facts were read at, when unconfirmed (lockActivities checks it). */
    factsVersion?: number,
  ): Promise<Outcome<TransferPlan>> {
    try {
      const { outcome, events } = await this.transactional(async (trx) => {
        const target = await readTarget(trx, targetRef, by);
        const found = await lockActivities(trx, this.dialect, ids, factsVersion);
        const outcome = decide(target, found);
        if (!outcome.ok) return { outcome, events: [] };
        return { outcome, events: await this.writePlan(trx, outcome.value, found, by) };
      });
      this.eventsCommitted(events);
      return outcome;
    } catch (error) {
      if (error instanceof RowsChangedError) return fail({ kind: 'StaleLastModified', ids: error.ids });
      throw error;
    }
  }

  private async writePlan(trx: Kysely<Database>, plan: TransferPlan, found: readonly Activity[], by: Actor) {
    const write: RowWrite = {
      status: plan.write.status,
      substatus: plan.write.substatus,
      assigned_user_id: plan.write.assignedUserId,
      ...(plan.write.queueId !== undefined ? { queue_id: plan.write.queueId } : {}),
      ...(plan.write.departmentId !== undefined ? { department_id: plan.write.departmentId } : {}),
      clearPinAndLock: true,
      last_modified_ms: plan.lastModifiedMs,
      last_modified_by: actorId(by),
      // reassign=yes changes no rule; it is kept on the row (docs/decisions.md).
      last_action: plan.reassign ? 'transferred reassign=yes' : 'transferred',
    };
    const drafts = await lockDrafts(trx, this.dialect, plan.draftsFollow);
    await guardedUpdate(
      trx,
      [
        ...plan.changes.map((c) => ({ id: c.activityId, previousLastModifiedMs: c.previousLastModifiedMs })),
        ...drafts.map((d) => ({ id: d.id, previousLastModifiedMs: d.lastModifiedMs })),
      ],
      write,
    );
    const to = plan.target.kind === 'user' ? plan.target.id : `${plan.target.kind}:${plan.target.id}`;
    const history: HistoryRow[] = [
      ...plan.changes.map((c) => ({
        activityId: c.activityId,
        fromKind: c.from.kind,
        fromId: c.from.id,
        to,
        unpinned: c.unpinned,
      })),
      ...drafts.map((d) => ({
        activityId: d.id,
        fromKind: d.assignedUserId !== null ? ('user' as const) : ('queue' as const),
        fromId: d.assignedUserId ?? d.queueId ?? '',
        to,
        unpinned: d.pinned,
      })),
    ];
    const requestId = randomUUID();
    await insertHistory(trx, history, {
      requestId,
      by: actorId(by),
      atMs: plan.lastModifiedMs,
      action: 'transferred',
    });
    const events = transferEvents(found.map(toSubject), drafts, plan, {
      actor: by,
      requestId,
      atMs: plan.lastModifiedMs,
    });
    await appendEvents(trx, events);
    return events;
  }
}

interface DraftRow extends EventSubject {
  readonly id: string;
  readonly lastModifiedMs: number;
  readonly assignedUserId: string | null;
  readonly queueId: string | null;
  readonly pinned: boolean;
}

/** The draft responses of these emails, locked (they move with their email, T2). */
async function lockDrafts(
  trx: Kysely<Database>,
  dialect: Dialect,
  emailIds: readonly string[],
): Promise<DraftRow[]> {
  if (emailIds.length === 0) return [];
  const rows = await trx
    .selectFrom('activities')
    .select([
      'id',
      'last_modified_ms',
      'assigned_user_id',
      'queue_id',
      'pinned',
      // What the drafts' events name (same row, no extra read).
      'type',
      'subtype',
      'case_id',
      'department_id',
      'status',
      'substatus',
    ])
    .where('is_draft_response', '=', 1)
    .where('parent_activity_id', 'in', emailIds)
    .orderBy(sql`length(${sql.ref('id')})`)
    .orderBy('id')
    .$if(dialect === 'postgres', (query) => query.forUpdate())
    .execute();
  return rows.map((row) => ({
    id: row.id,
    lastModifiedMs: Number(row.last_modified_ms),
    assignedUserId: row.assigned_user_id,
    queueId: row.queue_id,
    pinned: Boolean(row.pinned),
    type: row.type,
    subtype: row.subtype,
    caseId: row.case_id,
    departmentId: row.department_id,
    status: row.status,
    substatus: row.substatus,
  }));
}

/** Ids are 1–18 digits without a leading zero; anything else names no target (404-100), unqueried. */
const TARGET_ID = /^[1-9][0-9]{0,17}$/;

/** The target's facts as the rules need them, or undefined when there is no such user, queue or department. */
async function readTarget(
  trx: Kysely<Database>,
  ref: TargetRef,
  by: Actor,
): Promise<TransferTarget | undefined> {
  if (!TARGET_ID.test(ref.id)) return undefined;
  switch (ref.kind) {
    case 'user': {
      const user = await trx
        .selectFrom('users')
        .select(['id', 'home_department_id'])
        .where('id', '=', ref.id)
        .executeTakeFirst();
      if (!user) return undefined;
      const [foreign, licenses, mayTransfer] = await Promise.all([
        trx
          .selectFrom('user_foreign_departments')
          .select('department_id')
          .where('user_id', '=', ref.id)
          .execute(),
        trx.selectFrom('user_licenses').select('license').where('user_id', '=', ref.id).execute(),
        callerMayTransfer(trx, 'user', ref.id, by),
      ]);
      return {
        kind: 'user',
        id: user.id,
        homeDepartmentId: user.home_department_id,
        foreignDepartmentIds: new Set(foreign.map((row) => row.department_id)),
        licenses: new Set(licenses.map((row) => row.license)),
        callerMayTransfer: mayTransfer,
      };
    }
    case 'queue': {
      const queue = await trx
        .selectFrom('queues')
        .select(['id', 'department_id'])
        .where('id', '=', ref.id)
        .executeTakeFirst();
      if (!queue) return undefined;
      return {
        kind: 'queue',
        id: queue.id,
        departmentId: queue.department_id,
        callerMayTransfer: await callerMayTransfer(trx, 'queue', ref.id, by),
      };
    }
    case 'department': {
      const department = await trx
        .selectFrom('departments')
        .select(['id', 'transfer_queue_id'])
        .where('id', '=', ref.id)
        .executeTakeFirst();
      if (!department) return undefined;
      // Sharing works in either direction of `sharedWith` (docs/rule-engine.md).
      const shares = await trx
        .selectFrom('department_shares')
        .select(['department_id', 'shared_with_id'])
        .where((eb) => eb.or([eb('department_id', '=', ref.id), eb('shared_with_id', '=', ref.id)]))
        .execute();
      return {
        kind: 'department',
        id: department.id,
        sharedWithDepartmentIds: new Set(
          shares.map((row) => (row.department_id === ref.id ? row.shared_with_id : row.department_id)),
        ),
        transferQueueId: department.transfer_queue_id,
      };
    }
  }
}

/** "Transfer activities" on the target, granted to the user directly or through one of its groups. */
async function callerMayTransfer(
  trx: Kysely<Database>,
  targetKind: 'user' | 'queue',
  targetId: string,
  by: Actor,
): Promise<boolean> {
  // A client application is asked no permission (the rule passes for it whatever this says).
  if (by.kind === 'client') return false;
  const groupIds = trx.selectFrom('group_members').select('group_id').where('user_id', '=', by.userId);
  const grant = await trx
    .selectFrom('transfer_permissions')
    .select('target_id')
    .where('target_kind', '=', targetKind)
    .where('target_id', '=', targetId)
    .where((eb) =>
      eb.or([
        eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', '=', by.userId)]),
        eb.and([eb('grantee_kind', '=', 'group'), eb('grantee_id', 'in', groupIds)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return grant !== undefined;
}
