// Another process holding SQLite's write lock longer than the busy timeout is a busy database, not a
// fault: the pick answers 503-100 with Retry-After, writes nothing, and succeeds once the lock goes.
// The other process is a real second connection to the same file in BEGIN IMMEDIATE.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';

describe('SQLite write lock held by another connection', () => {
  let testDb: TestDatabase;
  let service: TestService;
  before(async () => {
    testDb = await createTestDatabase('sqlite');
    service = await startTestService('sqlite', { shared: { database: testDb, seeded: false } });
    // The service waits 5 s for the lock; a short wait keeps the test short (the behaviour is the same).
    await sql`pragma busy_timeout = 50`.execute(service.database.db);
  });
  after(async () => {
    await service.close();
    await testDb.drop();
  });

  it('answers 503-100 with Retry-After while the lock is held, and 204 once it is released', async () => {
    assert.equal(testDb.target.dialect, 'sqlite');
    const lastModified = await service.lastModified('100007');
    const other = new SqliteDatabase(testDb.target.path);
    try {
      other.pragma('busy_timeout = 0');
      other.exec('BEGIN IMMEDIATE');
      const busy = await service.pick('bob', [{ id: '100007', lastModified }]);
      assert.equal(busy.status, 503, busy.text);
      assert.equal(busy.json<{ code: string }>().code, '503-100');
      assert.match(String(busy.headers['retry-after']), /^\d+$/);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    assert.equal(await service.lastModified('100007'), lastModified, 'the refused pick wrote nothing');
    assert.deepEqual(await service.history('100007'), []);
    const picked = await service.pick('bob', [{ id: '100007', lastModified }]);
    assert.equal(picked.status, 204, picked.text);
  });
});
