// The transactional outbox: every write that changes an activity or a case adds its events to this
// table in the same transaction, so an event exists if and only if its change committed. History
// readers, the webhook deliverer and the live stream all read from here.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres';
  await db.schema
    .createTable('events')
    // The stream's event id and the global order. On PostgreSQL a bigserial is taken at INSERT, not at
    // commit, so readers only trust ids below the oldest running transaction (see outbox.ts).
    .addColumn('id', pg ? 'bigserial' : 'integer', (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text')
    .addColumn('case_id', 'text')
    // Who may see it: the department the activity is in after the change, and the one it left.
    .addColumn('department_id', 'text', (c) => c.notNull())
    .addColumn('previous_department_id', 'text')
    // Whom it concerns: the owner after the change and the owner before it (the agent it was taken from).
    .addColumn('user_id', 'text')
    .addColumn('previous_user_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .execute();
  if (pg) {
    // The writing transaction's id, so a reader can tell which ids may still be joined by a lower one.
    await sql`ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()`.execute(db);
  }
  await db.schema.createIndex('events_activity').on('events').columns(['activity_id', 'id']).execute();
}
