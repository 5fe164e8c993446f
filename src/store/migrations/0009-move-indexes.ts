// Indexes for transfer and pull (plans: docs/lifecycle-query-plans.md).
//   - A transfer of emails locks their draft responses (parent_activity_id IN …): with no index that
//     read every activity (815 ms at 1,000,000 on PostgreSQL). Only drafts have a parent, so the
//     index holds only them.
//   - Pull takes, per pull queue, the oldest waiting activity: one index in that order, holding only
//     waiting activities (a write that leaves a row in any other status adds no entry), replaces a
//     sort of the whole queue (33,000 rows, 1.4 s, spilled to disk) by reading its first entries.
// Both are partial; the queries name the predicates' values as literals (pull-store.ts) or imply
// them (IN implies NOT NULL), so SQLite and PostgreSQL both use them.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`CREATE INDEX activities_draft_parent ON activities (parent_activity_id)
    WHERE parent_activity_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX activities_pull_order
    ON activities (queue_id, last_modified_ms, created_ms, (length(id)), id)
    WHERE status = 'awaiting_assignment'`.execute(db);
}
