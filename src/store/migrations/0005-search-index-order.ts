// Search indexes, second round (plans: docs/search-query-plans.md). A queue searched without a
// status (or with status=open) was sorted whole, 33,000 activities for a queue of a 1,000,000 store:
// a queue index in id order serves it. A client application's required filters (department by
// name, status, type) walked every id in order reading rows: an index on them replaces the id-order
// index, which no other search shape used.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`DROP INDEX activities_search_id`.execute(db);
  await sql`CREATE INDEX activities_search_queue_order
    ON activities (queue_id, (length(id)), id, status, department_id)`.execute(db);
  await sql`CREATE INDEX activities_search_department
    ON activities (department_id, status, type, (length(id)), id)`.execute(db);
}
