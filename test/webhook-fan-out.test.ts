// The fan-out in appendEvents: a delivery exists if and only if its event committed, one per active
// subscription of the event's type, none for inactive ones or other types.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appendEvents, type OutboxEvent } from '../src/store/outbox.js';
import { createTransactional } from '../src/store/transaction.js';
import { WebhookStore } from '../src/store/webhook-store.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

const event = (type: OutboxEvent['type'], activityId: string | null, caseId: string | null): OutboxEvent => ({
  type,
  activityId,
  caseId,
  departmentId: '1',
  actor: 'system',
  requestId: 'fan-out',
  atMs: 0,
  payload: {},
});

for (const dialect of dialects) {
  describe(`webhook fan-out on ${dialect}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    const deliveries = () =>
      service.database.db
        .selectFrom('webhook_deliveries')
        .select(['subscription_id', 'event_id', 'order_key'])
        .orderBy('event_id')
        .orderBy('subscription_id')
        .execute();

    it('nothing is written without subscriptions, nor by a transaction that rolled back', async () => {
      const { db } = service.database;
      const transactional = createTransactional(db, dialect);
      await transactional((trx) => appendEvents(trx, [event('activity_transition', '100001', null)]));
      assert.deepEqual(await deliveries(), []);
      const store = new WebhookStore(db, dialect, transactional);
      await store.add(
        { url: 'https://a.example', eventTypes: ['activity_transition'], secret: SECRET, active: true },
        0,
      );
      await assert.rejects(
        transactional(async (trx) => {
          await appendEvents(trx, [event('activity_transition', '100001', null)]);
          throw new Error('the change fails after its events were appended');
        }),
        /the change fails/,
      );
      assert.deepEqual(await deliveries(), []);
    });

    it('one delivery per active subscription of the type, keyed by activity, else by case', async () => {
      const { db } = service.database;
      const transactional = createTransactional(db, dialect);
      const store = new WebhookStore(db, dialect, transactional);
      const closing = await store.add(
        {
          url: 'https://b.example',
          eventTypes: ['case_closed', 'activity_transition'],
          secret: SECRET,
          active: true,
        },
        0,
      );
      await store.add(
        { url: 'https://c.example', eventTypes: ['case_closed'], secret: SECRET, active: false },
        0,
      );
      const before = (await deliveries()).length;
      await transactional((trx) =>
        appendEvents(trx, [event('case_closed', null, '555'), event('activity_created', '100002', '555')]),
      );
      const added = (await deliveries()).slice(before);
      assert.deepEqual(
        added.map((d) => [d.subscription_id, d.order_key]),
        [[closing, 'case:555']],
      );
      await transactional((trx) => appendEvents(trx, [event('activity_transition', '100003', '555')]));
      const transitions = (await deliveries()).slice(before + 1);
      assert.equal(transitions.length, 2, 'both subscriptions of activity_transition');
      assert.ok(transitions.every((d) => d.order_key === '100003'));
    });
  });
}
