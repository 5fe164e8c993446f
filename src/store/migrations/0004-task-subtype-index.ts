// Creating a task checks that its subtype is `general` or one that some task already carries (any
// letter case). Without an index that check reads every activity of a large store when the subtype
// is unknown; with this one it is a single index probe on both stores.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`CREATE INDEX activities_type_subtype ON activities (type, (lower(subtype)))`.execute(db);
}
