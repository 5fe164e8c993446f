// Indexes for activity search (src/store/activity-search.ts). Each search shape finds its window in
// one index, already in the default order (numeric id: length, then text) and with the department
// the visibility filter needs, so that deep pages skip index entries and never visit the table
// (plans: docs/search-query-plans.md). The same statements run on SQLite and PostgreSQL; an
// expression in parentheses is valid in both.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Name → the indexed columns, in order. */
export const SEARCH_INDEXES: Readonly<Record<string, string>> = {
  // queueID (+ status, + substatus): agents looking at what waits in a queue.
  activities_search_queue: 'queue_id, status, (length(id)), id, substatus, department_id',
  // assignedTo / assignedUserName (+ status): what a colleague holds.
  activities_search_assignee: 'assigned_user_id, status, (length(id)), id, substatus, department_id',
  activities_search_case: 'case_id, (length(id)), id, department_id',
  activities_search_customer: 'customer_id, (length(id)), id, department_id',
  // Date ranges, and $sort=created / lastModified.
  activities_search_created: 'created_ms, (length(id)), id, department_id',
  activities_search_last_modified: 'last_modified_ms, (length(id)), id, department_id',
  // No selective filter (a client's type + status + department): walk ids in order.
  activities_search_id: '(length(id)), id, department_id, status',
};

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const [name, columns] of Object.entries(SEARCH_INDEXES)) {
    await sql`CREATE INDEX ${sql.id(name)} ON activities (${sql.raw(columns)})`.execute(db);
  }
}
