// The database answers but cannot take writes — SQLite's disk is full, or its file is read-only: a pick
// answers 503-100 with Retry-After (not 500-100), the log names the real cause (not "cannot rollback
// - no transaction is active"), nothing is written, /health/ready says not ready until a write
// succeeds again. The conditions are SQLite's own: `max_page_count` at the database's current size
// makes the next page it needs fail with SQLITE_FULL, exactly as a full disk does, and `query_only`
// refuses every write with SQLITE_READONLY. Both are set on the service's own connection.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { captureLog, LEVEL } from './support/captured-log.js';
import { startTestService, type TestService } from './support/test-service.js';

describe('SQLite cannot take writes', () => {
  const log = captureLog();
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', { logger: log.logger });
  });
  after(() => service.close());

  const ready = async () => (await service.request({ path: '/health/ready' })).status;

  /** Fills the database to `max_page_count` with history rows shaped like the pick's own. */
  async function fillToTheBrim(): Promise<number> {
    const db = service.database.db;
    const pages = await sql<{ page_count: number }>`pragma page_count`.execute(db);
    await sql.raw(`pragma max_page_count = ${pages.rows[0].page_count}`).execute(db);
    for (let rows = 0; rows < 100_000; rows++) {
      try {
        await db
          .insertInto('activity_history')
          .values({
            activity_id: '100001',
            pick_id: crypto.randomUUID(),
            from_kind: 'queue',
            from_id: '10',
            to_user_id: '1002',
            by_user_id: '1002',
            at_ms: Date.now(),
            unpinned: 0,
            action: 'filler',
          })
          .execute();
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'SQLITE_FULL');
        return rows;
      }
    }
    assert.fail('the database never filled up');
  }

  async function expectUnavailable(id: string, condition: string, message: RegExp) {
    const lastModified = await service.lastModified(id);
    const historyBefore = (await service.history(id)).length;
    const response = await service.pick('bob', [{ id, lastModified }]);
    assert.equal(response.status, 503, response.text);
    assert.equal(response.json().code, '503-100');
    assert.equal(response.headers['retry-after'], '5');
    assert.equal(await service.lastModified(id), lastModified, 'nothing was written');
    assert.equal((await service.history(id)).length, historyBefore);
    const failure = log.lines.filter((line) => line.level === LEVEL.error && line.cause === condition);
    assert.equal(failure.length, 1, `the log names the cause (${condition})`);
    assert.match(JSON.stringify(failure[0].err), message);
    assert.deepEqual(log.containing('cannot rollback'), [], 'the log is not about a second rollback');
    assert.equal(await ready(), 503, '/health/ready says not ready while writes fail');
    return lastModified;
  }

  it('disk full: 503-100 with Retry-After, SQLITE_FULL in the log, not ready until a write succeeds', async () => {
    assert.equal(await ready(), 200);
    const filler = await fillToTheBrim();
    assert.ok(filler >= 0);
    const lastModified = await expectUnavailable('100001', 'SQLITE_FULL', /database or disk is full/);

    // Room again (an operator freed disk space): the next pick succeeds and the instance is ready.
    await sql`pragma max_page_count = 4294967294`.execute(service.database.db);
    const response = await service.pick('bob', [{ id: '100001', lastModified }]);
    assert.equal(response.status, 204, response.text);
    assert.equal(await ready(), 200);
  });

  it('read-only: 503-100 with Retry-After, SQLITE_READONLY in the log, ready again after a write', async () => {
    await sql`pragma query_only = 1`.execute(service.database.db);
    try {
      await expectUnavailable('100002', 'SQLITE_READONLY', /readonly database/);
    } finally {
      await sql`pragma query_only = 0`.execute(service.database.db);
    }
    const response = await service.pick('bob', [
      { id: '100020', lastModified: await service.lastModified('100020') },
    ]);
    assert.equal(response.status, 204, response.text);
    assert.equal(await ready(), 200);
  });
});
