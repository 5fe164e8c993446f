// An existing database upgrades in place: a database at the first schema, holding activities, is
// opened by today's service. Every activity gets a case of its own (closed when the activity is
// completed) and the id counters start past every id the database holds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/store/database.js';
import { allocateIds } from '../src/store/id-sequence.js';
import { migrateTo } from '../src/store/migrator.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';

const { dialects } = await dialectsUnderTest();

function rawKysely(testDb: TestDatabase): Kysely<unknown> {
  const target = testDb.target;
  return target.dialect === 'sqlite'
    ? new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(target.path) }) })
    : new Kysely({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: target.url, max: 1 }) }),
      });
}

for (const dialect of dialects) {
  describe(`upgrading a database of the first schema (${dialect})`, () => {
    let testDb: TestDatabase;
    before(async () => {
      testDb = await createTestDatabase(dialect);
      const old = rawKysely(testDb);
      try {
        await migrateTo(old, dialect, '0001-initial');
        await sql`INSERT INTO departments (id, name) VALUES ('999', 'Service')`.execute(old);
        await sql`INSERT INTO queues (id, name, department_id) VALUES ('10', 'Billing', '999')`.execute(old);
        for (const [id, status, at] of [
          ['100001', 'awaiting_assignment', 1_000],
          ['987654321012', 'completed', 2_000],
        ] as const) {
          await sql`INSERT INTO activities (id, department_id, type, subject, status, queue_id, created_ms,
              last_modified_ms) VALUES (${id}, '999', 'email', 's', ${status}, '10', ${at}, ${at + 5})`.execute(
            old,
          );
        }
      } finally {
        await old.destroy();
      }
    });
    after(async () => {
      await testDb.drop();
    });

    it('applies the lifecycle migration, gives each activity its own case, and counts ids past the old ones', async () => {
      const database = await openDatabase(testDb.target);
      try {
        assert.deepEqual(database.migrationsApplied, [
          '0002-lifecycle-organisation',
          '0003-search-indexes',
          '0004-task-subtype-index',
          '0005-search-index-order',
          '0006-last-department',
          '0007-outbox',
          '0013-oidc-records',
        ]);
        const activities = await database.db
          .selectFrom('activities')
          .select(['id', 'case_id'])
          .orderBy('id')
          .execute();
        assert.deepEqual(
          activities.map((a) => [a.id, a.case_id]),
          [
            ['100001', '100001'],
            ['987654321012', '987654321012'],
          ],
        );
        const cases = await database.db
          .selectFrom('cases')
          .select(['id', 'status', 'closed_ms'])
          .orderBy('id')
          .execute();
        assert.deepEqual(
          cases.map((c) => [c.id, c.status, c.closed_ms === null ? null : Number(c.closed_ms)]),
          [
            ['100001', 'open', null],
            ['987654321012', 'closed', 2_005],
          ],
        );
        assert.deepEqual(await allocateIds(database.db, 'activity', 2), ['987654321013', '987654321014']);
        assert.deepEqual(await allocateIds(database.db, 'case', 1), ['987654321013']);
        assert.deepEqual(await allocateIds(database.db, 'customer', 1), ['1']);
      } finally {
        await database.close();
      }
    });
  });
}
