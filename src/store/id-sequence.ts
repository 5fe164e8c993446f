// Ids the service hands out (activities, cases, customers). Each kind has one counter row in
// id_sequences; a caller takes a block of ids with one UPDATE … RETURNING, run on its own (outside
// any business transaction) so that the row is locked for one statement only and creators on
// several instances never wait on each other's transactions. Like a PostgreSQL sequence, an id is
// never handed out twice; a rolled-back create leaves a gap.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export type SequenceName = 'activity' | 'case' | 'customer';

/** Ids are 1–18 digits: the counters stay far below 2^63 and 10^18. */
export async function allocateIds(
  db: Kysely<Database>,
  name: SequenceName,
  count: number,
): Promise<string[]> {
  if (count === 0) return [];
  const row = await sql<{ next_value: number | string }>`UPDATE id_sequences
    SET next_value = next_value + ${count} WHERE name = ${name} RETURNING next_value`.execute(db);
  const next = row.rows[0]?.next_value;
  if (next === undefined) throw new Error(`id sequence "${name}" is missing`);
  const end = BigInt(next);
  return Array.from({ length: count }, (_, i) => String(end - BigInt(count - i)));
}

/**
 * Moves a counter past every id already in its table (after an import brought ids of its own).
 * Run inside the import's transaction: the counter never goes back.
 */
export async function advancePastExisting(db: Kysely<Database>, name: SequenceName): Promise<void> {
  const table = { activity: 'activities', case: 'cases', customer: 'customers' }[name];
  // (CAST … AS bigint is an integer cast on SQLite too: the type name contains INT.)
  await sql`UPDATE id_sequences SET next_value = (
      SELECT CASE WHEN COALESCE(MAX(CAST(id AS bigint)), 0) + 1 > id_sequences.next_value
        THEN COALESCE(MAX(CAST(id AS bigint)), 0) + 1 ELSE id_sequences.next_value END
      FROM ${sql.table(table)})
    WHERE name = ${name}`.execute(db);
}
