// Retention of webhook deliveries through real parts: picks over HTTP, the service's deliverer on a
// real database, a real receiver. Delivered rows older than WEBHOOK_RETAIN_DELIVERED_MS are deleted
// by the deliverer, in batches; newer ones, dead letters and the events themselves (the activities'
// history) stay. On PostgreSQL one instance prunes at a time, through an advisory lock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTransactional } from '../src/store/transaction.js';
import { PRUNE_LOCK, WebhookStore } from '../src/store/webhook-store.js';
import { DEFAULT_DELIVERER, type DelivererSettings } from '../src/webhooks/deliverer.js';
import { ACTIVITY_PATH, itemsOf, patch } from './support/lifecycle-requests.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { WebhookReceiver, waitFor } from './support/webhook-receiver.js';
import { subscribe } from './support/webhook-subscriptions.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const RETAIN_MS = 3_600_000;
const SETTINGS: DelivererSettings = {
  ...DEFAULT_DELIVERER,
  pollMs: 20,
  privateAddresses: 'allow-loopback',
  retainDeliveredMs: RETAIN_MS,
  pruneIntervalMs: 50,
  // Smaller than what is due, so that a round takes several batches.
  pruneBatch: 2,
};
const PICKED = ['100001', '100002', '100003', '100004', '100005'];

for (const dialect of dialects) {
  describe(`webhook delivery retention on ${dialect}`, { timeout: 60_000 }, () => {
    let service: TestService;
    const receiver = new WebhookReceiver();
    before(async () => {
      service = await startTestService(dialect, { webhooks: SETTINGS });
    });
    after(async () => {
      await service.close();
      await receiver.stop();
    });

    const deliveries = (status: 'delivered' | 'dead') =>
      service.database.db
        .selectFrom('webhook_deliveries')
        .select(['id', 'event_id'])
        .where('status', '=', status)
        .orderBy('event_id')
        .execute();

    it('delivered rows past the retention go, in batches; newer ones, dead letters and the history stay', async () => {
      const port = await receiver.start();
      receiver.script = (a) => ({ status: a.path === '/gone' ? 404 : 200 });
      const ok = await subscribe(service, `http://127.0.0.1:${port}/crm`);
      await subscribe(service, `http://127.0.0.1:${port}/gone`);
      receiver.secret = ok.secret;
      for (const id of PICKED) {
        const response = await patch(service, '/pick', { as: 'alice', body: await itemsOf(service, [id]) });
        assert.equal(response.status, 204, response.text);
      }
      await waitFor(async () => (await deliveries('delivered')).length === PICKED.length);
      await waitFor(async () => (await deliveries('dead')).length === PICKED.length);
      const delivered = await deliveries('delivered');

      // The first three were delivered longer ago than the retention.
      const old = delivered.slice(0, 3).map((d) => Number(d.id));
      await service.database.db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ delivered_ms: eb('delivered_ms', '-', RETAIN_MS + 60_000) }))
        .where('id', 'in', old)
        .execute();
      await waitFor(async () => (await deliveries('delivered')).length === delivered.length - old.length);

      assert.deepEqual(
        (await deliveries('delivered')).map((d) => Number(d.id)),
        delivered.slice(3).map((d) => Number(d.id)),
        'the newer deliveries stay',
      );
      assert.equal((await deliveries('dead')).length, PICKED.length, 'dead letters stay');
      const events = await service.database.db
        .selectFrom('events')
        .select('id')
        .where('activity_id', 'in', PICKED)
        .execute();
      assert.equal(events.length, PICKED.length, 'the events stay');
      const history = await service.request({
        path: `${ACTIVITY_PATH}/${PICKED[0]}/history`,
        headers: { authorization: `Bearer ${service.token('alice')}`, accept: 'application/json' },
      });
      assert.equal(history.status, 200, history.text);
      assert.equal(history.json<{ event: unknown[] }>().event.length, 1, 'the history is whole');
      const metrics = await service.request({ path: '/metrics' });
      assert.match(metrics.text, new RegExp(`casemgr_webhooks_pruned_total ${old.length}\\b`));
    });

    if (dialect === 'postgres') {
      it('one instance prunes at a time: while another holds the prune lock, a prune does nothing', async () => {
        const { db } = service.database;
        await service.app.deliverer!.stop();
        await db
          .updateTable('webhook_deliveries')
          .set((eb) => ({ delivered_ms: eb('delivered_ms', '-', RETAIN_MS + 60_000) }))
          .where('status', '=', 'delivered')
          .execute();
        const due = (await deliveries('delivered')).length;
        assert.ok(due > 0);
        const store = new WebhookStore(db, dialect, createTransactional(db, dialect));
        const other = new pg.Client({ connectionString: service.databaseUrl });
        await other.connect();
        try {
          // The lock pruneDelivered takes, held by "another instance".
          await other.query('select pg_advisory_lock($1)', [PRUNE_LOCK]);
          assert.equal(await store.pruneDelivered(Date.now() - RETAIN_MS, 100), undefined);
          assert.equal((await deliveries('delivered')).length, due, 'nothing deleted meanwhile');
          await other.query('select pg_advisory_unlock($1)', [PRUNE_LOCK]);
          assert.equal(await store.pruneDelivered(Date.now() - RETAIN_MS, 100), due);
        } finally {
          await other.end();
        }
      });
    }
  });
}
