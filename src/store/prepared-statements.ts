// Named prepared statements on PostgreSQL for the hot read paths' fixed shapes. Kysely's pg driver
// sends every statement unnamed, so the server parses, analyses and rewrites it on every call, and
// plans it anew; a named statement is parsed once per connection, and after five executions the
// server may keep a generic plan. Kysely passes only the SQL text and values to the driver, so a
// statement is marked by its text: `prepared(query)` records the text, and the pool's clients
// (sendPreparedByName, installed by database.ts) send a recorded text under its name. SQLite needs
// none of this: its statements are prepared once and kept (sqlite-statement-cache.ts).
//
// Each name holds a parsed statement and its plans on every connection of the pool for as long as
// the connection lives, so the names are capped: past MAX_NAMED texts (far more than the searches
// and reads by id that are actually sent: one per shape), further texts are sent unnamed as before.
import { hash } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';

const MAX_NAMED = 500;
const names = new Map<string, string>();

/** The query, with its text to be sent as a named prepared statement on PostgreSQL. */
export function prepared<R>(query: CompiledQuery<R>): CompiledQuery<R> {
  if (names.size < MAX_NAMED && !names.has(query.sql)) {
    // Named by its text: a name never stands for two texts, on any connection (pg refuses that).
    names.set(query.sql, `casemgr_${hash('sha256', query.sql, 'hex').slice(0, 32)}`);
  }
  return query;
}

/** Makes the client send the texts `prepared` recorded as named statements, every other as before. */
export function sendPreparedByName(client: pg.PoolClient): void {
  const plain = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length <= 2 ? names.get(text) : undefined;
    return name === undefined ? plain(...args) : plain({ name, text, values });
  }) as typeof client.query;
}
