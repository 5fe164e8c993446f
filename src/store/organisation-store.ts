// Writes a validated organisation file in one transaction. Ids are the keys: a re-import updates rows
// in place and replaces the link tables (roles, licenses, members, permissions) of what the file names,
// so importing the same file twice leaves the same state.
import type { Insertable, Kysely } from 'kysely';
import { toEpochMs } from '../domain/pick-request.js';
import type { ActivityEntry, OrganisationDocument } from '../org/organisation-schema.js';
import type { Database } from './schema.js';
import type { Transactional } from './transaction.js';

// Well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const ROWS_PER_STATEMENT = 500;

export interface ImportCounts {
  readonly departments: number;
  readonly users: number;
  readonly queues: number;
  readonly activities: number;
}

type Table = keyof Database;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKysely = Kysely<any>;

async function upsert<T extends Table>(
  trx: Kysely<Database>,
  table: T,
  key: readonly string[],
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const columns = Object.keys(chunk[0] as object).filter((c) => !key.includes(c));
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
): Promise<void> {
  for (let start = 0; start < owners.length; start += ROWS_PER_STATEMENT) {
    await (trx as AnyKysely)
      .deleteFrom(table as string)
      .where(ownerColumn, 'in', owners.slice(start, start + ROWS_PER_STATEMENT))
      .execute();
  }
  const key = Object.keys(rows[0] ?? {});
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
    await this.transactional(async (trx) => {
      // Read inside the transaction, so a pick landing meanwhile cannot be overwritten by a stale value.
      const keptLastModified = await existingLastModified(trx, activities);
      await upsert(
        trx,
        'departments',
        ['id'],
        departments.map((d) => ({ id: d.id, name: d.name })),
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
        })),
      );
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
      // Permissions are the file's whole list: replaced for every grantee the file could name.
      await trx.deleteFrom('pull_permissions').execute();
      await upsert(
        trx,
        'pull_permissions',
        ['grantee_kind', 'grantee_id', 'target_kind', 'target_id'],
        permissions.map((p) => ({
          target_kind: 'queue' in p.on ? ('queue' as const) : ('user' as const),
          target_id: 'queue' in p.on ? p.on.queue : p.on.user,
          grantee_kind: 'user' in p.grantedTo ? ('user' as const) : ('group' as const),
          grantee_id: 'user' in p.grantedTo ? p.grantedTo.user : p.grantedTo.group,
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
        activities.map((a) => toActivityRow(a, nowMs, keptLastModified.get(a.id))),
      );
    });
    return {
      departments: departments.length,
      users: users.length,
      queues: queues.length,
      activities: activities.length,
    };
  }
}

/** The service owns lastModified after the first import: a file without one keeps the stored value. */
async function existingLastModified(
  trx: Kysely<Database>,
  activities: readonly ActivityEntry[],
): Promise<Map<string, number>> {
  const kept = new Map<string, number>();
  const ids = activities.filter((a) => a.lastModified === undefined).map((a) => a.id);
  for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
    const rows = await trx
      .selectFrom('activities')
      .select(['id', 'last_modified_ms'])
      .where('id', 'in', ids.slice(start, start + ROWS_PER_STATEMENT))
      .execute();
    for (const row of rows) kept.set(row.id, Number(row.last_modified_ms));
  }
  return kept;
}

function toActivityRow(
  a: ActivityEntry,
  nowMs: number,
  keptLastModifiedMs: number | undefined,
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
  };
}
