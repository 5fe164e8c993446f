// Runs the schema migrations on start. Kysely's migrator takes its own lock, so several instances
// starting together against one PostgreSQL database migrate once.
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Dialect } from './dialect.js';
import * as initial from './migrations/0001-initial.js';
import * as lifecycleOrganisation from './migrations/0002-lifecycle-organisation.js';
import * as searchIndexes from './migrations/0003-search-indexes.js';
import * as taskSubtypeIndex from './migrations/0004-task-subtype-index.js';
import * as searchIndexOrder from './migrations/0005-search-index-order.js';
import * as lastDepartment from './migrations/0006-last-department.js';
import * as outbox from './migrations/0007-outbox.js';
import * as webhooks from './migrations/0008-webhooks.js';
import * as moveIndexes from './migrations/0009-move-indexes.js';
import * as organisationVersion from './migrations/0010-organisation-version-search-indexes.js';
import * as oidcRecords from './migrations/0011-oidc-records.js';
import * as deliveryIndexes from './migrations/0012-delivery-indexes.js';

const MIGRATIONS: Record<string, { up: (db: Kysely<unknown>, dialect: Dialect) => Promise<void> }> = {
  '0001-initial': initial,
  '0002-lifecycle-organisation': lifecycleOrganisation,
  '0003-search-indexes': searchIndexes,
  '0004-task-subtype-index': taskSubtypeIndex,
  '0005-search-index-order': searchIndexOrder,
  '0006-last-department': lastDepartment,
  '0007-outbox': outbox,
  '0008-webhooks': webhooks,
  '0009-move-indexes': moveIndexes,
  '0010-organisation-version-search-indexes': organisationVersion,
  '0011-oidc-records': oidcRecords,
  '0012-delivery-indexes': deliveryIndexes,
};

/** Every migration's name, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  getMigrations(): Promise<Record<string, Migration>> {
    const entries = Object.entries(MIGRATIONS).map(([name, m]) => [
      name,
      { up: (db: Kysely<unknown>) => m.up(db, this.dialect) },
    ]);
    return Promise.resolve(Object.fromEntries(entries) as Record<string, Migration>);
  }
}

/**
 * Kysely's migration lock is a no-op on SQLite, so two processes opening a new file at once both try
 * to create the schema and one fails; rerunning then finds the migration recorded and does nothing.
 */
const SQLITE_MIGRATION_ATTEMPTS = 5;

/** Brings the schema up to date; returns the names of the migrations this call applied (none if current). */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect) });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (dialect !== 'sqlite' || attempt >= SQLITE_MIGRATION_ATTEMPTS) {
      throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    }
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
  }
}

/** Brings the schema to the named migration and no further (the upgrade tests start from an old schema). */
export async function migrateTo(db: Kysely<unknown>, dialect: Dialect, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: new StaticProvider(dialect) }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
}
