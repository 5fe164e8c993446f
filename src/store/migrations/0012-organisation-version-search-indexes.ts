// The organisation version: one row, bumped by every write that changes what a user may do (an
// organisation import). An instance caches users' facts tagged with the version they were read at,
// and a request compares the tag with this row (in a statement it makes anyway where it can), so a
// change made through any instance is seen by the very next request on every other one.
//
// And a narrow index for counting a queue's matches (docs/search-query-plans.md): a search's count
// reads every match, and the search indexes carry the id in each entry (50–60 MB, no two alike);
// (queue_id, status, department_id, substatus) is deduplicated into ~7 MB, so counting a queue of
// 44,000 activities reads 42 pages instead of 285 (PostgreSQL, 1M activities: 8.0 → 2.1 ms), a
// queue + status 16 instead of 65. It serves a queue alone, with a status, and with a substatus.
// And an assignee's activities in id order (as 0005 did for a queue): an assignee searched without a
// status sorted all of them (5,077 for the bench's busiest agent: 1.5 ms) to return 25 (0.02 ms).
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
  await sql`CREATE INDEX activities_count_queue
    ON activities (queue_id, status, department_id, substatus)`.execute(db);
  await sql`CREATE INDEX activities_search_assignee_order
    ON activities (assigned_user_id, (length(id)), id, status, department_id)`.execute(db);
}
