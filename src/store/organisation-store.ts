// Writes a validated organisation file in one transaction. Ids are the keys: a re-import updates rows
// in place and replaces the link tables (roles, licenses, members, permissions) of what the file names,
// so importing the same file twice leaves the same state.
import { sql, type Insertable, type Kysely } from 'kysely';
import { toEpochMs } from '../domain/pick-request.js';
import type { ActivityEntry, CustomerEntry, OrganisationDocument } from '../org/organisation-schema.js';
import { advancePastExisting, allocateIds } from './id-sequence.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

// Well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const ROWS_PER_STATEMENT = 500;

export interface ImportCounts {
  readonly departments: number;
  readonly users: number;
  readonly queues: number;
  readonly activities: number;
  readonly customers: number;
  /** The file's cases and those of its activities (a case of their own included). */
  readonly cases: number;
}

type Table = keyof Database;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>;

async function upsert<T extends Table>(
  trx: Kysely<Database>,
  table: T,
  key: readonly string[],
  rows: readonly Insertable<Database[T]>[],
  /** Columns written on insert only (a creation time): a re-import leaves them as they are. */
  insertOnly: readonly string[] = [],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const columns = Object.keys(chunk[0] as object).filter(
      (c) => !key.includes(c) && !insertOnly.includes(c),
    );
    // Kysely's generic types cannot follow a table chosen at run time; the rows are typed by the caller.
    const anyTrx: AnyKysely = trx;
    const tableName: string = table;
    const query = anyTrx.insertInto(tableName).values(chunk);
    await (
      columns.length === 0
        ? query.onConflict((oc) => oc.columns(key).doNothing())
        : query.onConflict((oc) =>
            oc
              .columns(key)
              .doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]))),
          )
    ).execute();
  }
}

async function replaceLinks<T extends Table>(
  trx: Kysely<Database>,
  table: T,
  ownerColumn: string,
  owners: readonly string[],
  rows: readonly Insertable<Database[T]>[],
  /** The table's key, when it is not every column of the rows. */
  key: readonly string[] = Object.keys(rows[0] ?? {}),
): Promise<void> {
  for (let start = 0; start < owners.length; start += ROWS_PER_STATEMENT) {
    await (trx as AnyKysely)
      .deleteFrom(table as string)
      .where(ownerColumn, 'in', owners.slice(start, start + ROWS_PER_STATEMENT))
      .execute();
  }
  if (rows.length > 0) await upsert(trx, table, key, rows);
}

export class OrganisationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly transactional: Transactional,
  ) {}

  async isEmpty(): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    return row === undefined;
  }

  async import(doc: OrganisationDocument, nowMs: number): Promise<ImportCounts> {
    const departments = doc.departments ?? [];
    const roles = doc.roles ?? [];
    const users = doc.users ?? [];
    const groups = doc.userGroups ?? [];
    const queues = doc.queues ?? [];
    const permissions = doc.permissions ?? [];
    const types = doc.activityTypes ?? [];
    const activities = doc.activities ?? [];
    const aliases = doc.aliases ?? [];
    const customers = doc.customers ?? [];
    const cases = doc.cases ?? [];
    let casesTouched = 0;
    await this.transactional(async (trx) => {
      // Every import may change what users may do: instances holding users' facts in memory see the
      // new version on their next request and read the facts again (src/auth/caller-resolver.ts).
      // Committed with the rest or not at all; bumped first, so concurrent imports queue on this row.
      await bumpOrganisationVersion(trx);
      // Read inside the transaction, so a pick landing meanwhile cannot be overwritten by a stale value.
      const kept = await existingActivityFacts(trx, activities);
      await upsert(
        trx,
        'departments',
        ['id'],
        departments.map((d) => ({ id: d.id, name: d.name, transfer_queue_id: d.transferQueue ?? null })),
      );
      await replaceLinks(
        trx,
        'department_shares',
        'department_id',
        departments.map((d) => d.id),
        departments.flatMap((d) =>
          [...new Set(d.sharedWith ?? [])].map((other) => ({ department_id: d.id, shared_with_id: other })),
        ),
      );
      await upsert(
        trx,
        'roles',
        ['id'],
        roles.map((r) => ({ id: r.id, name: r.name })),
      );
      await replaceLinks(
        trx,
        'role_actions',
        'role_id',
        roles.map((r) => r.id),
        roles.flatMap((r) => r.actions.map((action) => ({ role_id: r.id, action }))),
      );
      await upsert(
        trx,
        'users',
        ['id'],
        users.map((u) => ({
          id: u.id,
          login_name: u.loginName,
          first_name: u.firstName,
          last_name: u.lastName,
          home_department_id: u.homeDepartment,
          max_pull: u.maxPull ?? 1,
        })),
      );
      // A hash set by `casemgr user password` survives a re-import of a file that carries none.
      for (const u of users.filter((entry) => entry.passwordHash !== undefined)) {
        await trx
          .updateTable('users')
          .set({ password_hash: u.passwordHash })
          .where('id', '=', u.id)
          .execute();
      }
      const userIds = users.map((u) => u.id);
      await replaceLinks(
        trx,
        'user_foreign_departments',
        'user_id',
        userIds,
        users.flatMap((u) => (u.foreignDepartments ?? []).map((d) => ({ user_id: u.id, department_id: d }))),
      );
      await replaceLinks(
        trx,
        'user_licenses',
        'user_id',
        userIds,
        users.flatMap((u) => [...new Set(u.licenses ?? [])].map((license) => ({ user_id: u.id, license }))),
      );
      await replaceLinks(
        trx,
        'user_roles',
        'user_id',
        userIds,
        users.flatMap((u) => [...new Set(u.roles ?? [])].map((role) => ({ user_id: u.id, role_id: role }))),
      );
      await upsert(
        trx,
        'user_groups',
        ['id'],
        groups.map((g) => ({ id: g.id, name: g.name, department_id: g.department })),
      );
      const groupIds = groups.map((g) => g.id);
      await replaceLinks(
        trx,
        'group_members',
        'group_id',
        groupIds,
        groups.flatMap((g) => [...new Set(g.members ?? [])].map((m) => ({ group_id: g.id, user_id: m }))),
      );
      await replaceLinks(
        trx,
        'group_roles',
        'group_id',
        groupIds,
        groups.flatMap((g) => [...new Set(g.roles ?? [])].map((r) => ({ group_id: g.id, role_id: r }))),
      );
      await upsert(
        trx,
        'queues',
        ['id'],
        queues.map((q) => ({ id: q.id, name: q.name, department_id: q.department })),
      );
      await replaceLinks(
        trx,
        'user_pull_queues',
        'user_id',
        userIds,
        users.flatMap((u) =>
          (u.pullQueues ?? []).map((queue, position) => ({ user_id: u.id, queue_id: queue, position })),
        ),
        ['user_id', 'queue_id'],
      );
      // Permissions are the file's whole list: replaced for every grantee the file could name.
      for (const [table, name] of [
        ['pull_permissions', 'Pull activities'],
        ['transfer_permissions', 'Transfer activities'],
      ] as const) {
        await trx.deleteFrom(table).execute();
        await upsert(
          trx,
          table,
          ['grantee_kind', 'grantee_id', 'target_kind', 'target_id'],
          permissions
            .filter((p) => p.permission === name)
            .map((p) => ({
              target_kind: 'queue' in p.on ? ('queue' as const) : ('user' as const),
              target_id: 'queue' in p.on ? p.on.queue : p.on.user,
              grantee_kind: 'user' in p.grantedTo ? ('user' as const) : ('group' as const),
              grantee_id: 'user' in p.grantedTo ? p.grantedTo.user : p.grantedTo.group,
            })),
        );
      }
      await upsert(
        trx,
        'aliases',
        ['address'],
        aliases.map((a) => ({
          address: a.address.toLowerCase(),
          department_id: a.department,
          queue_id: a.queue,
          active: a.active === false ? 0 : 1,
        })),
      );
      await upsert(
        trx,
        'customers',
        ['id'],
        customers.map((c) => ({
          id: c.id,
          first_name: c.firstName,
          last_name: c.lastName,
          department_id: c.department ?? null,
          created_ms: nowMs,
        })),
        ['created_ms'],
      );
      await replaceLinks(
        trx,
        'customer_contacts',
        'customer_id',
        customers.map((c) => c.id),
        customers.flatMap(contactRows),
        ['department_key', 'kind', 'value'],
      );
      await advancePastExisting(trx, 'customer');
      await upsert(
        trx,
        'cases',
        ['id'],
        cases.map((c) => ({
          id: c.id,
          customer_id: c.customer ?? null,
          status: 'open' as const,
          created_ms: nowMs,
        })),
        ['created_ms', 'status'],
      );
      await advancePastExisting(trx, 'case');
      // An activity without a case keeps the one it has, or gets a new one of its own.
      const caseless = activities.filter((a) => a.case === undefined && kept.get(a.id)?.caseId == null);
      const newCaseIds = await allocateIds(trx, 'case', caseless.length);
      const assignedCase = new Map(caseless.map((a, i) => [a.id, newCaseIds[i]] as const));
      const caseOf = (a: ActivityEntry): string =>
        a.case ?? kept.get(a.id)?.caseId ?? assignedCase.get(a.id)!;
      await upsert(
        trx,
        'cases',
        ['id'],
        caseless.map((a) => ({
          id: assignedCase.get(a.id)!,
          customer_id: a.customer ?? null,
          status: 'open' as const,
          created_ms: a.created !== undefined ? toEpochMs(a.created) : nowMs,
        })),
      );
      await upsert(
        trx,
        'activity_types',
        ['name'],
        types.map((t) => ({ name: t.name, display_name: t.displayName })),
      );
      await upsert(
        trx,
        'activities',
        ['id'],
        activities.map((a) => toActivityRow(a, nowMs, kept.get(a.id)?.lastModifiedMs, caseOf(a))),
      );
      await advancePastExisting(trx, 'activity');
      const touched = [...new Set([...cases.map((c) => c.id), ...activities.map((a) => caseOf(a))])];
      casesTouched = touched.length;
      await settleCaseStatus(trx, touched, nowMs);
    });
    return {
      departments: departments.length,
      users: users.length,
      queues: queues.length,
      activities: activities.length,
      customers: customers.length,
      cases: casesTouched,
    };
  }
}

export async function bumpOrganisationVersion(trx: Kysely<Database>): Promise<void> {
  await trx
    .updateTable('organisation_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

interface KeptFacts {
  readonly lastModifiedMs: number;
  readonly caseId: string | null;
}

/**
 * The service owns lastModified after the first import: a file without one keeps the stored value.
 * Likewise an activity the file gives no case keeps the case it already has.
 */
async function existingActivityFacts(
  trx: Kysely<Database>,
  activities: readonly ActivityEntry[],
): Promise<Map<string, KeptFacts>> {
  const kept = new Map<string, KeptFacts>();
  const ids = activities.filter((a) => a.lastModified === undefined || a.case === undefined).map((a) => a.id);
  for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
    const rows = await trx
      .selectFrom('activities')
      .select(['id', 'last_modified_ms', 'case_id'])
      .where('id', 'in', ids.slice(start, start + ROWS_PER_STATEMENT))
      .execute();
    for (const row of rows)
      kept.set(row.id, { lastModifiedMs: Number(row.last_modified_ms), caseId: row.case_id });
  }
  return kept;
}

function contactRows(c: CustomerEntry): Insertable<Database['customer_contacts']>[] {
  const department_key = c.department ?? '';
  const emails = [...new Set((c.contacts?.email ?? []).map((e) => e.toLowerCase()))];
  return [
    ...emails.map((value) => ({ customer_id: c.id, kind: 'email' as const, value, department_key })),
    ...(c.contacts?.phone ?? []).map((p) => ({
      customer_id: c.id,
      kind: p.kind,
      value: p.number,
      department_key,
    })),
  ];
}

/** A case is closed when it has activities and all of them are completed; otherwise open. */
async function settleCaseStatus(
  trx: Kysely<Database>,
  caseIds: readonly string[],
  nowMs: number,
): Promise<void> {
  const anyOpen = sql`EXISTS (SELECT 1 FROM activities a WHERE a.case_id = cases.id AND a.status <> 'completed')`;
  const anyAtAll = sql`EXISTS (SELECT 1 FROM activities a WHERE a.case_id = cases.id)`;
  for (let start = 0; start < caseIds.length; start += ROWS_PER_STATEMENT) {
    const chunk = caseIds.slice(start, start + ROWS_PER_STATEMENT);
    await sql`UPDATE cases SET
        status = CASE WHEN ${anyOpen} OR NOT ${anyAtAll} THEN 'open' ELSE 'closed' END,
        closed_ms = CASE WHEN ${anyOpen} OR NOT ${anyAtAll} THEN NULL ELSE COALESCE(closed_ms, ${nowMs}) END
      WHERE id IN (${sql.join(chunk)})`.execute(trx);
  }
}

function toActivityRow(
  a: ActivityEntry,
  nowMs: number,
  keptLastModifiedMs: number | undefined,
  caseId: string,
): Insertable<Database['activities']> {
  const lastModifiedMs =
    a.lastModified !== undefined ? toEpochMs(a.lastModified) : (keptLastModifiedMs ?? nowMs);
  return {
    id: a.id,
    department_id: a.department,
    type: a.type,
    subtype: a.subtype ?? null,
    mode: a.mode ?? null,
    subject: a.subject ?? '',
    priority: a.priority ?? null,
    status: a.status,
    substatus: a.substatus ?? null,
    queue_id: a.queue ?? null,
    assigned_user_id: a.assignedTo ?? null,
    pinned: a.pinned === true ? 1 : 0,
    locked: a.locked === true ? 1 : 0,
    is_draft_response: a.isDraftResponse === true ? 1 : 0,
    parent_activity_id: a.parentActivity ?? null,
    created_ms: a.created !== undefined ? toEpochMs(a.created) : lastModifiedMs,
    last_modified_ms: lastModifiedMs,
    last_modified_by: null,
    last_action: 'imported',
    customer_id: a.customer ?? null,
    case_id: caseId,
    due_date_ms: a.dueDate !== undefined ? toEpochMs(a.dueDate) : null,
  };
}
