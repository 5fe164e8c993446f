// The whole database as data: every table's rows, each table's rows sorted, so that two snapshots are
// equal exactly when no row anywhere was added, removed or changed. The tables are listed from the
// catalogue (sqlite_master / information_schema), not from the schema type, so that a table added
// by a later migration (the outbox, say) is compared without anyone remembering to list it.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import type { TestDialect } from './test-databases.js';

export type Row = Record<string, unknown>;

export interface DatabaseSnapshot {
  /** Table name → its rows as JSON text, sorted. */
  readonly tables: ReadonlyMap<string, readonly string[]>;
  /** The same content as one string: compare these for equality. */
  readonly text: string;
}

/** The base tables of the database the service uses, sorted by name. */
export async function listTables(db: Kysely<Database>, dialect: TestDialect): Promise<string[]> {
  const query =
    dialect === 'sqlite'
      ? // sqlite_sequence (AUTOINCREMENT's counters) is included: a rolled-back insert leaves it as it was.
        sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`
      : sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`;
  return (await query.execute(db)).rows.map((row) => row.name);
}

/** Every row of every table: as the driver returns them on SQLite, as PostgreSQL's json_agg spells them there. */
export async function snapshotDatabase(
  db: Kysely<Database>,
  dialect: TestDialect,
  tables: readonly string[],
): Promise<DatabaseSnapshot> {
  const content = new Map<string, string[]>();
  for (const [table, rows] of dialect === 'postgres'
    ? await allRowsAtOnce(db, tables)
    : await tableByTable(db, tables)) {
    content.set(table, rows.map((row) => JSON.stringify(row, jsonSafe)).sort());
  }
  return { tables: content, text: JSON.stringify([...content]) };
}

/** SQLite: one SELECT per table (in-process, so round trips cost next to nothing). */
async function tableByTable(db: Kysely<Database>, tables: readonly string[]): Promise<[string, Row[]][]> {
  const result: [string, Row[]][] = [];
  for (const table of tables) {
    result.push([table, (await sql<Row>`select * from ${sql.table(table)}`.execute(db)).rows]);
  }
  return result;
}

/**
 * PostgreSQL: every table in one statement, each as a JSON array, so that a snapshot is one round
 * trip and one consistent read rather than a couple of dozen (the property takes two per request).
 */
async function allRowsAtOnce(db: Kysely<Database>, tables: readonly string[]): Promise<[string, Row[]][]> {
  if (tables.length === 0) return [];
  const selects = tables.map(
    (table) =>
      sql`select ${table}::text as name, (select coalesce(json_agg(r), '[]'::json)::text from ${sql.table(table)} r) as rows`,
  );
  const { rows } = await sql<{ name: string; rows: string }>`${sql.join(selects, sql` union all `)}`.execute(
    db,
  );
  return rows.map((row) => [row.name, JSON.parse(row.rows) as Row[]]);
}

/** bigint and Buffer values as text: JSON.stringify would throw on the one and spell out the other. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

/** The rows of one table, parsed back (for reading facts such as the stored lastModified). */
export function rowsOf(snapshot: DatabaseSnapshot, table: string): Row[] {
  return (snapshot.tables.get(table) ?? []).map((text) => JSON.parse(text) as Row);
}

/**
 * What differs between two snapshots, table by table: rows only in `before` (`-`) and only in
 * `after` (`+`), a few per table — the part of a failure report that says what a refusal changed.
 */
export function describeDifference(before: DatabaseSnapshot, after: DatabaseSnapshot, perTable = 4): string {
  const lines: string[] = [];
  const names = new Set([...before.tables.keys(), ...after.tables.keys()]);
  for (const name of [...names].sort()) {
    const was = new Set(before.tables.get(name) ?? []);
    const is = new Set(after.tables.get(name) ?? []);
    const gone = [...was].filter((row) => !is.has(row));
    const added = [...is].filter((row) => !was.has(row));
    if (gone.length === 0 && added.length === 0) continue;
    lines.push(`table ${name}: ${gone.length} row(s) gone or changed, ${added.length} new or changed`);
    for (const row of gone.slice(0, perTable)) lines.push(`  - ${row}`);
    for (const row of added.slice(0, perTable)) lines.push(`  + ${row}`);
  }
  return lines.length > 0 ? lines.join('\n') : '(no row differs)';
}
