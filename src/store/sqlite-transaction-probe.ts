// Whether SQLite still holds a transaction open, as its driver knows it. SQLite rolls a transaction
// back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM…); a ROLLBACK after that
// fails with "cannot rollback - no transaction is active", and that message would replace the real
// cause in the log. Kysely hides the driver, so openDatabase registers the probe here per instance.
import type { Kysely } from 'kysely';

const probes = new WeakMap<Kysely<never>, () => boolean>();

export function registerSqliteTransactionProbe<DB>(db: Kysely<DB>, inTransaction: () => boolean): void {
  probes.set(db as unknown as Kysely<never>, inTransaction);
}

/** True when a transaction is open, or when nothing is known about this instance (roll back then). */
export function sqliteInTransaction<DB>(db: Kysely<DB>): boolean {
  return probes.get(db as unknown as Kysely<never>)?.() ?? true;
}
