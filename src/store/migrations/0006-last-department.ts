// eGain's `lastDepartment`: the department an activity left when a transfer moved it to another one.
// Nullable, no index: it is only shown (search's $attribute), never searched on.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`ALTER TABLE activities ADD COLUMN last_department_id TEXT`.execute(db);
}
