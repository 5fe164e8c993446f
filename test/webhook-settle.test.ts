// Recording delivery outcomes (WebhookStore.settle) on a real database of each dialect: one
// statement records a whole batch — delivered, retried, dead and released side by side — and only
// for claims the recorder still holds: once a lease has run out and another deliverer has claimed
// the row, the first one's late outcome changes nothing. Claims take the time as an argument, so
// lease expiry is shown without waiting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type OpenDatabase } from '../src/store/database.js';
import { appendEvents } from '../src/store/outbox.js';
import { createTransactional } from '../src/store/transaction.js';
import { WebhookStore } from '../src/store/webhook-store.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const ACTIVITIES = ['200001', '200002', '200003', '200004'];

for (const dialect of dialects) {
  describe(`recording webhook outcomes on ${dialect}`, () => {
    let testDatabase: TestDatabase;
    let database: OpenDatabase;
    let store: WebhookStore;
    before(async () => {
      testDatabase = await createTestDatabase(dialect);
      database = await openDatabase(testDatabase.target);
      const transactional = createTransactional(database.db, dialect);
      store = new WebhookStore(database.db, dialect, transactional);
      await store.add(
        {
          url: 'http://127.0.0.1:9/hook',
          eventTypes: ['activity_transition'],
          secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
          active: true,
        },
        0,
      );
      await transactional((trx) =>
        appendEvents(
          trx,
          ACTIVITIES.map((activityId) => ({
            type: 'activity_transition' as const,
            activityId,
            caseId: null,
            departmentId: '1',
            actor: 'test',
            requestId: `settle-${activityId}`,
            atMs: 0,
            payload: { activity: { id: activityId } },
          })),
        ),
      );
    });
    after(async () => {
      await database.close();
      await testDatabase.drop();
    });

    const rows = () =>
      database.db
        .selectFrom('webhook_deliveries')
        .select(['id', 'status', 'attempts', 'next_attempt_ms', 'delivered_ms', 'last_error', 'claimed_by'])
        .orderBy('id')
        .execute();

    it('one batch records each outcome; a claim taken over is the new holder’s to record', async () => {
      const now = Date.now();
      const first = await store.claim('first', 10, now, 100);
      assert.equal(first.length, ACTIVITIES.length);
      // The first holder's lease ran out; a second deliverer claims them all again.
      const second = await store.claim('second', 10, now + 1_000, 60_000);
      assert.equal(second.length, ACTIVITIES.length);
      const [a, b, c, d] = second.map((delivery) => delivery.id);
      // Late: changes nothing, the rows are the second deliverer's.
      await store.settle(
        'first',
        first.map((delivery) => ({ id: delivery.id, outcome: { kind: 'delivered', atMs: now } })),
      );
      assert.ok((await rows()).every((row) => row.status === 'pending' && row.claimed_by === 'second'));

      await store.settle('second', [
        { id: a, outcome: { kind: 'delivered', atMs: now + 2 } },
        { id: b, outcome: { kind: 'retry', atMs: now + 2, nextAttemptMs: now + 5_000, error: 'HTTP 503' } },
        { id: c, outcome: { kind: 'dead', atMs: now + 2, error: 'HTTP 404, not retried' } },
        { id: d, outcome: { kind: 'released' } },
      ]);
      const byId = new Map((await rows()).map((row) => [String(row.id), row]));
      const view = (id: string) => {
        const row = byId.get(id)!;
        return {
          status: row.status,
          attempts: Number(row.attempts),
          delivered: row.delivered_ms === null ? null : Number(row.delivered_ms),
          next: Number(row.next_attempt_ms),
          error: row.last_error,
          claimedBy: row.claimed_by,
        };
      };
      const created = view(d).next;
      assert.deepEqual(view(a), {
        status: 'delivered',
        attempts: 1,
        delivered: now + 2,
        next: created,
        error: null,
        claimedBy: null,
      });
      assert.deepEqual(view(b), {
        status: 'pending',
        attempts: 1,
        delivered: null,
        next: now + 5_000,
        error: 'HTTP 503',
        claimedBy: null,
      });
      assert.deepEqual(view(c), {
        status: 'dead',
        attempts: 1,
        delivered: null,
        next: created,
        error: 'HTTP 404, not retried',
        claimedBy: null,
      });
      assert.deepEqual(view(d), {
        status: 'pending',
        attempts: 0,
        delivered: null,
        next: created,
        error: null,
        claimedBy: null,
      });
    });
  });
}
