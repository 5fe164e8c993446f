// Kysely's SQLite driver prepares every statement anew; preparing was a fifth of the service's CPU
// time under load (bench/RESULTS.md, profile of scenario 1). The pick path issues a few dozen distinct
// SQL texts (one per batch size), so an LRU of prepared statements makes preparing a one-off.
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';
import { LRUCache } from 'lru-cache';

const STATEMENTS_KEPT = 500;

export function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new LRUCache<string, SqliteStatement>({ max: STATEMENTS_KEPT });
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}
