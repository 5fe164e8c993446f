// The organisation version: one row, bumped by every write that changes what a user may do (an
// organisation import). An instance caches users' facts tagged with the version they were read at,
// and a request compares the tag with this row (in a statement it makes anyway where it can), so a
// change made through any instance is seen by the very next request on every other one.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('organisation_version')
    // Always 1: the table holds one row, found by its primary key.
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO organisation_version (id, version) VALUES (1, 1)`.execute(db);
}
