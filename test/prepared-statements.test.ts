// On PostgreSQL the read of activities by id (GET by ids, a search's rows) is a named prepared
// statement: one per number of ids and pooled connection (src/store/prepared-statements.ts), never
// one per call. The search's window stays unnamed (planned with its values on every call), as do
// other statements. Checked in pg_prepared_statements of the pool's only connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { SearchCriteria } from '../src/domain/search-criteria.js';
import { ActivitySearch } from '../src/store/activity-search.js';
import { ActivityStore } from '../src/store/activity-store.js';
import { DEFAULT_POOL, openDatabase, type OpenDatabase } from '../src/store/database.js';
import { createTransactional } from '../src/store/transaction.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';

const { dialects } = await dialectsUnderTest();

const byQueue = (queueId: string, pagenum: number): SearchCriteria => ({
  filters: { queueId, status: { kind: 'exact', status: 'awaiting_assignment' } },
  visibleDepartmentIds: ['1', '2'],
  sort: 'id',
  order: 'asc',
  window: { kind: 'page', pagenum, pagesize: 25 },
});

for (const dialect of dialects.filter((d) => d === 'postgres')) {
  describe(`named prepared statements (${dialect})`, () => {
    let target: TestDatabase;
    let database: OpenDatabase;
    let search: ActivitySearch;
    let store: ActivityStore;

    before(async () => {
      target = await createTestDatabase(dialect);
      // One connection: every statement below runs on it, so its prepared statements are all there.
      database = await openDatabase(target.target, { ...DEFAULT_POOL, poolMax: 1 });
      search = new ActivitySearch(database.db);
      store = new ActivityStore(database.db, dialect, createTransactional(database.db, dialect));
    });

    after(async () => {
      await database?.close();
      await target?.drop();
    });

    const prepared = async () =>
      (
        await sql<{
          name: string;
          statement: string;
        }>`select name, statement from pg_prepared_statements order by name`.execute(database.db)
      ).rows;

    it('one named statement per number of ids, whatever the ids; the window is not named', async () => {
      assert.deepEqual(await prepared(), []);
      await search.page(byQueue('10', 1), true, true);
      await search.page(byQueue('11', 3), true, true);
      await store.findViews(['100001', '100002']);
      await store.findViews(['100003', '100004']);
      const names = await prepared();
      assert.equal(names.length, 1, JSON.stringify(names));
      assert.match(names[0].name, /^casemgr_/);
      assert.match(names[0].statement, /"a"\."id" in \(\$\d+, \$\d+\)/);

      // Three ids are another statement; the window and plain statements leave no trace.
      await store.findViews(['100001', '100002', '100003']);
      await search.page(byQueue('10', 1), false, false);
      await sql`select 1`.execute(database.db);
      assert.equal((await prepared()).length, 2);
    });
  });
}
