// The organisation data of the activity lifecycle (docs/organisation-file.md): customers and their
// contact points, cases, aliases, department sharing and transfer queues, users' pull options,
// "Transfer activities" permissions, and the activity columns that name a customer, a case and a
// payload. An existing database upgrades in place: every activity it holds gets a case of its own
// (with the activity's id: no case existed before, so none can collide).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  const text = 'text' as const;
  await db.schema.alterTable('departments').addColumn('transfer_queue_id', text).execute();
  await db.schema
    .createTable('department_shares')
    .addColumn('department_id', text, (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('shared_with_id', text, (c) => c.notNull().references('departments.id'))
    .addPrimaryKeyConstraint('department_shares_pk', ['department_id', 'shared_with_id'])
    .execute();

  await db.schema
    .alterTable('users')
    .addColumn('max_pull', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('users').addColumn('password_hash', text).execute();
  await db.schema
    .createTable('user_pull_queues')
    .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('queue_id', text, (c) => c.notNull().references('queues.id'))
    // The user's order of preference: pull takes from the first queue that has work.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_pull_queues_pk', ['user_id', 'queue_id'])
    .execute();

  // "Transfer activities" on a queue or a user, granted to a user or a group: the shape of
  // pull_permissions, in a table of its own so that neither permission's lookups filter the other.
  await db.schema
    .createTable('transfer_permissions')
    .addColumn('target_kind', text, (c) => c.notNull())
    .addColumn('target_id', text, (c) => c.notNull())
    .addColumn('grantee_kind', text, (c) => c.notNull())
    .addColumn('grantee_id', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('transfer_permissions_pk', [
      'grantee_kind',
      'grantee_id',
      'target_kind',
      'target_id',
    ])
    .execute();

  await db.schema
    .createTable('aliases')
    // Stored lower-cased: mail addresses are matched without regard to case.
    .addColumn('address', text, (c) => c.primaryKey())
    .addColumn('department_id', text, (c) => c.notNull().references('departments.id'))
    .addColumn('queue_id', text, (c) => c.notNull().references('queues.id'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('first_name', text, (c) => c.notNull())
    .addColumn('last_name', text, (c) => c.notNull())
    // Null: a customer shared by every department (eGain without "Customer departmentalization").
    .addColumn('department_id', text, (c) => c.references('departments.id'))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('customer_contacts')
    .addColumn('customer_id', text, (c) => c.notNull().references('customers.id').onDelete('cascade'))
    // 'email', 'home', 'mobile' or 'office' (the phone kinds of searchContactOnAttribute).
    .addColumn('kind', text, (c) => c.notNull())
    // Email addresses lower-cased; phone numbers as given.
    .addColumn('value', text, (c) => c.notNull())
    // The customer's department, '' for a shared customer: a contact point is unique within it.
    .addColumn('department_key', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_contacts_pk', ['department_key', 'kind', 'value'])
    .execute();
  await db.schema
    .createIndex('customer_contacts_customer')
    .on('customer_contacts')
    .column('customer_id')
    .execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('customer_id', text, (c) => c.references('customers.id'))
    .addColumn('status', text, (c) => c.notNull().defaultTo('open'))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('closed_ms', 'bigint')
    .execute();

  await db.schema.alterTable('activities').addColumn('customer_id', text).execute();
  await db.schema.alterTable('activities').addColumn('case_id', text).execute();
  await db.schema.alterTable('activities').addColumn('due_date_ms', 'bigint').execute();
  await db.schema.alterTable('activities').addColumn('created_by', text).execute();
  // The activity's content and addresses as eGain's `payload` element, in JSON (returned with
  // $attribute=payload; never searched).
  await db.schema.alterTable('activities').addColumn('payload_json', text).execute();

  // Ids handed out by the service (activities, cases, customers): one counter per kind, moved past
  // every id an import brings (store/id-sequence.ts).
  await db.schema
    .createTable('id_sequences')
    .addColumn('name', text, (c) => c.primaryKey())
    .addColumn('next_value', 'bigint', (c) => c.notNull())
    .execute();

  // Every existing activity gets its own case, so that "every activity belongs to a case" holds.
  await sql`INSERT INTO cases (id, customer_id, status, created_ms, closed_ms)
    SELECT id, NULL,
      CASE WHEN status = 'completed' THEN 'closed' ELSE 'open' END,
      created_ms,
      CASE WHEN status = 'completed' THEN last_modified_ms ELSE NULL END
    FROM activities`.execute(db);
  await sql`UPDATE activities SET case_id = id`.execute(db);
  for (const [name, table] of [
    ['activity', 'activities'],
    ['case', 'cases'],
    ['customer', 'customers'],
  ] as const) {
    await sql`INSERT INTO id_sequences (name, next_value)
      SELECT ${name}, COALESCE(MAX(CAST(id AS bigint)), 0) + 1 FROM ${sql.table(table)}`.execute(db);
  }
}
