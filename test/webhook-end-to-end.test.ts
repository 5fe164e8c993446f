// Webhooks end to end, every part real: a subscription made through the admin API, lifecycle writes
// made over HTTP (a queue pick, a supervisor's pick from an agent, a transfer, a complete), the
// service's own deliverer, and a real HTTP receiver that checks each request's Standard Webhooks
// signature with the standardwebhooks library. What the receiver gets must be exactly the outbox's
// events, in eGain's envelope, in order per activity — and /metrics must count them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DelivererSettings } from '../src/webhooks/deliverer.js';
import { DEFAULT_DELIVERER } from '../src/webhooks/deliverer.js';
import { itemsOf, patch } from './support/lifecycle-requests.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { WebhookReceiver, waitFor } from './support/webhook-receiver.js';
import { subscribe } from './support/webhook-subscriptions.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const DELIVERER: DelivererSettings = {
  ...DEFAULT_DELIVERER,
  pollMs: 20,
  privateAddresses: 'allow-loopback',
};

for (const dialect of dialects) {
  describe(`webhooks end to end on ${dialect}`, { timeout: 60_000 }, () => {
    let service: TestService;
    const receiver = new WebhookReceiver();
    before(async () => {
      service = await startTestService(dialect, { webhooks: DELIVERER });
    });
    after(async () => {
      await service.close();
      await receiver.stop();
    });

    /** A sample's value on GET /metrics; it fails when the metric is missing. */
    async function metric(sample: string): Promise<number> {
      const text = (await service.request({ path: '/metrics' })).text;
      const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
      assert.ok(line, `${sample} is not on /metrics`);
      return Number(line.slice(sample.length + 1));
    }

    it('pick, supervisor pick, transfer and complete over HTTP reach the receiver signed, in order, as eGain envelopes, and are counted', async () => {
      const port = await receiver.start();
      const subscription = await subscribe(service, `http://127.0.0.1:${port}/crm`, [
        'activity_transition',
        'activity_completed',
      ]);
      receiver.secret = subscription.secret;

      const writes: [string, Parameters<typeof patch>[2]['as'], string, string?][] = [
        ['/pick', 'alice', '100001'],
        ['/pick', 'alice', '100013', '?unpin=yes'],
        ['/transfer/user/1002', 'alice', '100001'],
        ['/complete', 'bob', '100001'],
      ];
      for (const [path, as, id, query] of writes) {
        const response = await patch(service, path, {
          as,
          body: await itemsOf(service, [id]),
          ...(query ? { query } : {}),
        });
        assert.ok(response.status === 200 || response.status === 204, `${path} ${id}: ${response.text}`);
      }

      const stored = await service.database.db
        .selectFrom('events')
        .select(['id', 'type', 'activity_id', 'payload_json'])
        .where('activity_id', 'in', ['100001', '100013'])
        .orderBy('id')
        .execute();
      await waitFor(() => receiver.accepted().length >= stored.length);

      assert.ok(
        receiver.arrivals.every((a) => a.verified),
        'a signature did not verify',
      );
      for (const arrival of receiver.arrivals) {
        assert.equal(arrival.notificationId, arrival.webhookId, 'notificationId names the delivery');
        assert.equal(arrival.payloadVersion, 'v3');
        assert.equal(arrival.path, '/crm');
      }
      // Exactly the outbox's events, each once, with the payload the outbox holds.
      const firsts = receiver.arrivals.filter((a) => a.attempt === 1);
      assert.deepEqual(firsts.map((a) => a.eventId).sort(), stored.map((e) => String(e.id)).sort());
      for (const event of stored) {
        const arrival = firsts.find((a) => a.eventId === String(event.id))!;
        assert.equal(arrival.eventType, event.type);
        assert.deepEqual(arrival.payload, JSON.parse(event.payload_json));
      }
      // In order per activity: the pick, then the transfer, then the completion.
      const steps = (activityId: string) =>
        firsts
          .filter((a) => a.activityId === activityId)
          .map((a) => {
            const payload = a.payload as { transition?: { type: string } };
            return `${a.eventType}/${payload.transition?.type}`;
          });
      assert.deepEqual(steps('100001'), [
        'activity_transition/user_assignment',
        'activity_transition/user_transfer',
        'activity_completed/status_change',
      ]);
      const taken = firsts.find((a) => a.activityId === '100013')!.payload as {
        transition: { source: { user: { id: string } } };
      };
      assert.equal(taken.transition.source.user.id, '1002', 'the agent it was taken from is named');

      // /metrics counts it all.
      const delivered = receiver.accepted().length;
      // The deliverer counts a delivery once it has recorded it, just after the receiver answered.
      await waitFor(async () => (await metric('casemgr_webhooks_delivered_total')) === delivered);
      assert.equal(await metric('casemgr_webhook_delivery_latency_seconds_count'), delivered);
      assert.equal(await metric('casemgr_events_written_total{type="activity_transition"}'), 3);
      assert.equal(await metric('casemgr_events_written_total{type="activity_completed"}'), 1);
      // Nothing failed here; the failures are counted by test/webhook-delivery.test.ts.
      assert.equal(await metric('casemgr_webhooks_retried_total'), 0);
      assert.equal(await metric('casemgr_webhooks_dead_lettered_total'), 0);
      assert.equal(await metric('casemgr_stream_clients'), 0);
    });
  });
}
