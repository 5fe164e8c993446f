// Work coming in: the create-task and incoming-email writes. Ids are taken from their counters first
// (autocommit, store/id-sequence.ts); then ONE transaction reads the facts the rules need, lets the
// domain decide, and writes customer, case and activity together — a refusal or a failure at any
// step leaves none of them behind.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type {
  AllocatedIds,
  AssigneeRef,
  ContactPoint,
  CreateFailure,
  CreatePlan,
  IntakeFacts,
} from '../domain/create-activity-rules.js';
import { USER_LICENSES, type Actor } from '../domain/caller.js';
import { createdEvent, type ActivityEvent, type EventsCommitted } from '../domain/events.js';
import type { Dialect } from './dialect.js';
import { allocateIds } from './id-sequence.js';
import { appendEvents } from './outbox.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

/** What to look up for one create. */
export interface IntakeQuery {
  readonly departmentName: string;
  /** The task subtype to find (`general` is always known); undefined for email. */
  readonly taskSubtype: string | undefined;
  readonly caseId: string | undefined;
  readonly assignee: AssigneeRef | undefined;
  /** The calling user, whose Transfer activities permission on the assignee is read. */
  readonly callerUserId: string | undefined;
  /** The contact point the customer is found by. */
  readonly contact: ContactPoint;
  /** Who creates it, as its history and event name them. */
  readonly by: Actor;
  /** The receiver of an incoming email, to be matched against the department's active aliases. */
  readonly aliasAddress: string | undefined;
}

export type Decision =
  { readonly ok: true; readonly plan: CreatePlan } | { readonly ok: false; readonly failure: CreateFailure };

/** Points where a test steps into the create transaction; the service sets none. */
export interface IntakeStoreSeams {
  /** Runs inside the transaction after customer and case were written, before the activity is. */
  readonly beforeActivityInsert?: (trx: Kysely<Database>, plan: CreatePlan) => Promise<void>;
}

export class IntakeStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly transactional: Transactional,
    private readonly seams: IntakeStoreSeams = {},
    private readonly eventsCommitted: EventsCommitted = () => undefined,
  ) {}

  /**
   * Allocates the ids (a case id only when no case is joined), then in one transaction reads the
   * facts, calls `decide` and writes its plan. Returns the refusal, or the new activity's id.
   */
  async create(
    query: IntakeQuery,
    decide: (facts: IntakeFacts, ids: AllocatedIds) => Decision,
  ): Promise<{ ok: true; activityId: string } | { ok: false; failure: CreateFailure }> {
    const [activityId] = await allocateIds(this.db, 'activity', 1);
    const [customerId] = await allocateIds(this.db, 'customer', 1);
    const caseId = query.caseId === undefined ? (await allocateIds(this.db, 'case', 1))[0] : undefined;
    const ids: AllocatedIds = { activityId, customerId, caseId };
    const { result, events } = await this.transactional(async (trx) => {
      const decision = decide(await this.readFacts(trx, query), ids);
      if (!decision.ok) return { result: decision, events: [] };
      const events = await this.write(trx, decision.plan, query);
      return { result: { ok: true as const, activityId: decision.plan.activity.id }, events };
    });
    this.eventsCommitted(events);
    return result;
  }

  private async readFacts(trx: Kysely<Database>, query: IntakeQuery): Promise<IntakeFacts> {
    const department = await trx
      .selectFrom('departments')
      .select(['id', 'name'])
      .where(sql<boolean>`lower(name) = ${query.departmentName.toLowerCase()}`)
      .orderBy(sql`length(id)`)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return {
      department,
      subtype: await this.knownTaskSubtype(trx, query.taskSubtype),
      caseExists: query.caseId === undefined || (await this.lockCase(trx, query.caseId)) !== undefined,
      assignee: await this.assigneeFacts(trx, query.assignee, query.callerUserId),
      customerId: department && (await this.findCustomer(trx, department.id, query.contact)),
      aliasQueueId:
        department && query.aliasAddress !== undefined
          ? (
              await trx
                .selectFrom('aliases')
                .select('queue_id')
                .where('address', '=', query.aliasAddress.toLowerCase())
                .where('department_id', '=', department.id)
                .where('active', '=', 1)
                .executeTakeFirst()
            )?.queue_id
          : undefined,
    };
  }

  /**
   * `general`, or a subtype some imported task carries (any letter case), in its stored spelling.
   * The organisation file declares no subtype list: the tasks it brings are the list.
   */
  private async knownTaskSubtype(
    trx: Kysely<Database>,
    wanted: string | undefined,
  ): Promise<string | undefined> {
    if (wanted === undefined) return 'general';
    const lower = wanted.toLowerCase();
    if (lower === 'general') return 'general';
    const row = await trx
      .selectFrom('activities')
      .select('subtype')
      .where('type', '=', 'task')
      .where(sql<boolean>`lower(subtype) = ${lower}`)
      .limit(1)
      .executeTakeFirst();
    return row?.subtype ?? undefined;
  }

  /** The case row, locked on PostgreSQL so that a concurrent complete cannot close it under us. */
  private lockCase(trx: Kysely<Database>, caseId: string) {
    return trx
      .selectFrom('cases')
      .select(['id', 'status'])
      .where('id', '=', caseId)
      .$if(this.dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
  }

  private async assigneeFacts(
    trx: Kysely<Database>,
    ref: AssigneeRef | undefined,
    callerUserId: string | undefined,
  ): Promise<IntakeFacts['assignee']> {
    if (ref === undefined) return undefined;
    const column = ref.attribute === 'status.assigned.user.id' ? 'id' : 'login_name';
    const user = await trx.selectFrom('users').select('id').where(column, '=', ref.value).executeTakeFirst();
    if (!user) return null;
    const license = await trx
      .selectFrom('user_licenses')
      .select('license')
      .where('user_id', '=', user.id)
      .where('license', 'in', USER_LICENSES)
      .limit(1)
      .executeTakeFirst();
    const transfer =
      callerUserId === undefined
        ? undefined
        : await trx
            .selectFrom('transfer_permissions')
            .select('target_id')
            .where('target_kind', '=', 'user')
            .where('target_id', '=', user.id)
            .where((eb) =>
              eb.or([
                eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', '=', callerUserId)]),
                eb.and([
                  eb('grantee_kind', '=', 'group'),
                  eb(
                    'grantee_id',
                    'in',
                    trx.selectFrom('group_members').select('group_id').where('user_id', '=', callerUserId),
                  ),
                ]),
              ]),
            )
            .limit(1)
            .executeTakeFirst();
    return { userId: user.id, licensed: license !== undefined, transferAllowed: transfer !== undefined };
  }

  /** By contact point: a customer of the department first, else a shared customer (department_key ''). */
  private async findCustomer(
    trx: Kysely<Database>,
    departmentId: string,
    contact: ContactPoint,
  ): Promise<string | undefined> {
    const rows = await trx
      .selectFrom('customer_contacts')
      .select(['customer_id', 'department_key'])
      .where('kind', '=', contact.kind)
      .where('value', '=', contact.value)
      .where('department_key', 'in', [departmentId, ''])
      .execute();
    return (rows.find((r) => r.department_key === departmentId) ?? rows[0])?.customer_id;
  }

  private async write(trx: Kysely<Database>, plan: CreatePlan, query: IntakeQuery): Promise<ActivityEvent[]> {
    const { activity } = plan;
    const key = query.contact;
    const customerId =
      'existingId' in plan.customer ? plan.customer.existingId : await this.createCustomer(trx, plan, key);
    let caseId: string;
    if ('existingId' in plan.case) {
      caseId = plan.case.existingId;
      // Decision (docs/decisions.md): joining a closed case reopens it — a case is open while any of
      // its activities is not completed, and the new one is not.
      await trx
        .updateTable('cases')
        .set({ status: 'open', closed_ms: null })
        .where('id', '=', caseId)
        .where('status', '=', 'closed')
        .execute();
    } else {
      caseId = plan.case.newId;
      await trx
        .insertInto('cases')
        .values({
          id: caseId,
          customer_id: customerId,
          status: 'open',
          created_ms: activity.createdMs,
          closed_ms: null,
        })
        .execute();
    }
    await this.seams.beforeActivityInsert?.(trx, plan);
    await trx
      .insertInto('activities')
      .values({
        id: activity.id,
        department_id: activity.departmentId,
        type: activity.type,
        subtype: activity.subtype,
        mode: activity.mode,
        subject: activity.subject,
        priority: activity.priority,
        status: activity.status,
        substatus: activity.substatus,
        queue_id: activity.queueId,
        assigned_user_id: activity.assignedUserId,
        pinned: 0,
        locked: 0,
        is_draft_response: 0,
        parent_activity_id: null,
        created_ms: activity.createdMs,
        last_modified_ms: activity.createdMs,
        last_modified_by: activity.createdBy,
        last_action: 'created',
        customer_id: customerId,
        case_id: caseId,
        due_date_ms: activity.dueDateMs,
        created_by: activity.createdBy,
        payload_json: JSON.stringify(activity.payload),
      })
      .execute();
    const event = createdEvent(
      { ...activity, caseId },
      { actor: query.by, requestId: randomUUID(), atMs: activity.createdMs },
    );
    await appendEvents(trx, [event]);
    return [event];
  }

  /**
   * Inserts the customer and its contact points; a point another customer of the department already
   * holds is left out. Should a concurrent create have taken the key point (the one searched by)
   * between our lookup and this insert, that customer is used and ours is removed again.
   */
  private async createCustomer(trx: Kysely<Database>, plan: CreatePlan, key: ContactPoint): Promise<string> {
    if ('existingId' in plan.customer) return plan.customer.existingId;
    const { newId, departmentId, input } = plan.customer;
    await trx
      .insertInto('customers')
      .values({
        id: newId,
        first_name: input.firstName,
        last_name: input.lastName,
        department_id: departmentId,
        created_ms: plan.activity.createdMs,
      })
      .execute();
    const points = input.contacts.some((c) => c.kind === key.kind && c.value === key.value)
      ? input.contacts
      : [key, ...input.contacts];
    const inserted = await trx
      .insertInto('customer_contacts')
      .values(
        points.map((c) => ({
          customer_id: newId,
          kind: c.kind,
          value: c.value,
          department_key: departmentId,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returning(['kind', 'value'])
      .execute();
    if (inserted.some((row) => row.kind === key.kind && row.value === key.value)) return newId;
    const winner = await this.findCustomer(trx, departmentId, key);
    await trx.deleteFrom('customer_contacts').where('customer_id', '=', newId).execute();
    await trx.deleteFrom('customers').where('id', '=', newId).execute();
    if (winner === undefined) throw new Error('customer contact point vanished during create');
    return winner;
  }
}
