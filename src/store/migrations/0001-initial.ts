// The initial schema. Portable types only; the one dialect difference (the history key) is passed in.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const text = 'text' as const;
  await db.schema
    .createTable('departments')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('roles')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('role_actions')
    .addColumn('role_id', text, (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('action', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('role_actions_pk', ['role_id', 'action'])
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('login_name', text, (c) => c.notNull().unique())
    .addColumn('first_name', text, (c) => c.notNull())
    .addColumn('last_name', text, (c) => c.notNull())
    .addColumn('home_department_id', text, (c) => c.notNull().references('departments.id'))
    .execute();
  for (const [table, column, target] of [
    ['user_foreign_departments', 'department_id', 'departments.id'],
    ['user_roles', 'role_id', 'roles.id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn(column, text, (c) => c.notNull().references(target))
      .addPrimaryKeyConstraint(`${table}_pk`, ['user_id', column])
      .execute();
  }
  await db.schema
    .createTable('user_licenses')
    .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('license', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('user_licenses_pk', ['user_id', 'license'])
    .execute();
  await db.schema
    .createTable('user_groups')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('department_id', text, (c) => c.notNull().references('departments.id'))
    .execute();
  await db.schema
    .createTable('group_members')
    .addColumn('group_id', text, (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
    .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();
  await db.schema
    .createTable('group_roles')
    .addColumn('group_id', text, (c) => c.notNull().references('user_groups.id').onDelete('cascade'))
    .addColumn('role_id', text, (c) => c.notNull().references('roles.id'))
    .addPrimaryKeyConstraint('group_roles_pk', ['group_id', 'role_id'])
    .execute();
  await db.schema
    .createTable('queues')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('department_id', text, (c) => c.notNull().references('departments.id'))
    .execute();
  await db.schema
    .createTable('pull_permissions')
    .addColumn('target_kind', text, (c) => c.notNull())
    .addColumn('target_id', text, (c) => c.notNull())
    .addColumn('grantee_kind', text, (c) => c.notNull())
    .addColumn('grantee_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('pull_permissions_pk', [
      'grantee_kind',
      'grantee_id',
      'target_kind',
      'target_id',
    ])
    .execute();
  await db.schema
    .createTable('activity_types')
    .addColumn('name', text, (c) => c.primaryKey())
    .addColumn('display_name', text, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('activities')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('department_id', text, (c) => c.notNull().references('departments.id'))
    .addColumn('type', text, (c) => c.notNull())
    .addColumn('subtype', text)
    .addColumn('mode', text)
    .addColumn('subject', text, (c) => c.notNull())
    .addColumn('priority', text)
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('substatus', text)
    .addColumn('queue_id', text, (c) => c.references('queues.id'))
    .addColumn('assigned_user_id', text, (c) => c.references('users.id'))
    .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_draft_response', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('parent_activity_id', text)
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_modified_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_modified_by', text)
    .addColumn('last_action', text)
    .execute();
  await db.schema
    .createTable('activity_history')
    .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('activity_id', text, (c) => c.notNull())
    // One id per pick: the rows one request wrote belong together (audits, the outage test).
    .addColumn('pick_id', text, (c) => c.notNull())
    .addColumn('from_kind', text, (c) => c.notNull())
    .addColumn('from_id', text, (c) => c.notNull())
    .addColumn('to_user_id', text, (c) => c.notNull())
    .addColumn('by_user_id', text, (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('unpinned', 'integer', (c) => c.notNull())
    .addColumn('action', text, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('activity_history_activity')
    .on('activity_history')
    .columns(['activity_id', 'id'])
    .execute();
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', text, (c) => c.primaryKey())
    .addColumn('algorithm', text, (c) => c.notNull())
    .addColumn('private_pem', text, (c) => c.notNull())
    .addColumn('public_pem', text, (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('settings')
    .addColumn('name', text, (c) => c.primaryKey())
    .addColumn('value', text, (c) => c.notNull())
    .execute();
}
