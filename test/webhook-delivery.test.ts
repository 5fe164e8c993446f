// Webhook delivery through real parts: a real HTTP receiver (test/support/webhook-receiver.ts), the
// service's deliverer on a real database, subscriptions made through the admin API. Events are
// written by appendEvents inside a transaction on the service's database, as every write does.
// Whatever the receiver does — down, slow, 500 then 200, 429 with Retry-After, a closed connection —
// every event arrives, in order per activity, with a valid signature. Retry timings are configured
// short; no assertion reads a clock except the lower bound a Retry-After sets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appendEvents, type OutboxEvent } from '../src/store/outbox.js';
import { createTransactional } from '../src/store/transaction.js';
import { WebhookStore } from '../src/store/webhook-store.js';
import { DEFAULT_DELIVERER, type DelivererSettings } from '../src/webhooks/deliverer.js';
import { freePort } from './support/free-port.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { ADMIN_SCOPE, subscribe, WEBHOOK_PATH } from './support/webhook-subscriptions.js';
import { WebhookReceiver, waitFor, type Arrival, type Script } from './support/webhook-receiver.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const FAST: DelivererSettings = {
  ...DEFAULT_DELIVERER,
  baseMs: 5,
  maxDelayMs: 40,
  maxAgeMs: 600_000,
  // Long enough that a loaded machine answers in time (a timeout would send the event again).
  timeoutMs: 2_000,
  leaseMs: 10_000,
  pollMs: 10,
  concurrency: 8,
  privateAddresses: 'allow-loopback',
};
const ADMIN = ADMIN_SCOPE;
const ACTIVITIES = ['100001', '100002', '100003', '100004', '100005'];

function transition(activityId: string, seq: number, requestId: string): OutboxEvent {
  return {
    type: 'activity_transition',
    activityId,
    caseId: null,
    departmentId: '999',
    actor: 'system',
    requestId,
    atMs: Date.now(),
    payload: { activity: { id: activityId }, seq, transition: { type: 'user_assignment' } },
  };
}

/**
 * `rounds` events per activity: each round writes one transaction per activity, all at once (so ids
 * on PostgreSQL commit out of order across activities), and every third round writes all of them in
 * one transaction. One activity's events are written one after another, as its row lock makes them.
 * Returns every event id by activity, in id order.
 */
let batches = 0;

async function writeEvents(service: TestService, rounds: number): Promise<Map<string, string[]>> {
  const { db, dialect } = service.database;
  const tag = `batch${batches++}`;
  const transactional = createTransactional(db, dialect);
  for (let round = 0; round < rounds; round++) {
    if (round % 3 === 2) {
      await transactional((trx) =>
        appendEvents(
          trx,
          ACTIVITIES.map((a) => transition(a, round, `${tag}-r${round}`)),
        ),
      );
    } else {
      await Promise.all(
        ACTIVITIES.map((a) =>
          transactional((trx) => appendEvents(trx, [transition(a, round, `${tag}-r${round}-${a}`)])),
        ),
      );
    }
  }
  const rows = await db
    .selectFrom('events')
    .select(['id', 'activity_id'])
    .where('request_id', 'like', `${tag}-%`)
    .orderBy('id')
    .execute();
  const byActivity = new Map<string, string[]>();
  for (const row of rows) {
    const list = byActivity.get(row.activity_id!) ?? [];
    list.push(String(row.id));
    byActivity.set(row.activity_id!, list);
  }
  return byActivity;
}

/** Every event arrived, in id order per activity (a retry repeats the last, never goes back), all signed. */
function assertDeliveredInOrder(arrivals: readonly Arrival[], expected: Map<string, string[]>): void {
  for (const arrival of arrivals)
    assert.ok(arrival.verified, `signature of ${arrival.webhookId} does not verify`);
  for (const [activityId, ids] of expected) {
    const seen = arrivals.filter((a) => a.activityId === activityId).map((a) => a.eventId);
    const firsts = seen.filter((id, i) => seen.indexOf(id) === i);
    assert.deepEqual(firsts, ids, `activity ${activityId}: events arrived as ${seen.join(',')}`);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(
        Number(seen[i]) >= Number(seen[i - 1]),
        `activity ${activityId} went back: ${seen.join(',')}`,
      );
    }
  }
}

const allArrived = (receiver: WebhookReceiver, expected: Map<string, string[]>) => () => {
  const accepted = new Set(receiver.accepted().map((a) => a.eventId));
  return [...expected.values()].flat().every((id) => accepted.has(id));
};

async function pendingCount(service: TestService): Promise<number> {
  const row = await service.database.db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const dialect of dialects) {
  describe(`webhook delivery on ${dialect}`, { timeout: 60_000 }, () => {
    let service: TestService;
    const receivers: WebhookReceiver[] = [];
    before(async () => {
      service = await startTestService(dialect, { webhooks: FAST });
    });
    after(async () => {
      await service.close();
      for (const receiver of receivers) await receiver.stop();
    });

    /** A fresh receiver and subscription per scenario; the events of earlier scenarios are delivered already. */
    async function scenario(script: Script, options: { startLater?: boolean } = {}) {
      const receiver = new WebhookReceiver();
      receivers.push(receiver);
      receiver.script = script;
      const port = options.startLater ? await freePort() : await receiver.start();
      const { id, secret } = await subscribe(service, `http://127.0.0.1:${port}/hook`);
      receiver.secret = secret;
      return { receiver, port, subscriptionId: id };
    }

    async function finish(receiver: WebhookReceiver, subscriptionId: string) {
      await service.request({
        method: 'DELETE',
        path: `${WEBHOOK_PATH}/${subscriptionId}`,
        headers: { authorization: `Bearer ${service.token('alice', { scope: ADMIN })}` },
      });
      await receiver.stop();
    }

    it('a receiver that answers at once gets every event once, in order, signed, in eGain’s envelope', async () => {
      const { receiver, subscriptionId } = await scenario(() => ({ status: 200 }));
      const expected = await writeEvents(service, 4);
      await waitFor(allArrived(receiver, expected));
      await waitFor(async () => (await pendingCount(service)) === 0);
      assertDeliveredInOrder(receiver.arrivals, expected);
      assert.equal(receiver.arrivals.length, [...expected.values()].flat().length, 'an event came twice');
      const first = receiver.arrivals[0];
      assert.equal(first.notificationId, first.webhookId);
      assert.equal(first.payloadVersion, 'v3');
      assert.equal(first.eventType, 'activity_transition');
      assert.equal(first.path, '/hook');
      const metrics = await service.request({ path: '/metrics' });
      assert.match(metrics.text, /casemgr_webhooks_delivered_total \d+/);
      assert.match(metrics.text, /casemgr_webhook_delivery_latency_seconds_count \d+/);
      await finish(receiver, subscriptionId);
    });

    it('a receiver that is down at first: the events are retried until it is up, none lost', async () => {
      const { receiver, port, subscriptionId } = await scenario(() => ({ status: 200 }), {
        startLater: true,
      });
      const expected = await writeEvents(service, 3);
      // Every activity's first event has failed at least once before the receiver comes up.
      await waitFor(async () => {
        const tried = await service.database.db
          .selectFrom('webhook_deliveries')
          .select('order_key')
          .where('subscription_id', '=', subscriptionId)
          .where('attempts', '>', 0)
          .distinct()
          .execute();
        return tried.length === ACTIVITIES.length;
      });
      await receiver.start(port);
      await waitFor(allArrived(receiver, expected));
      assertDeliveredInOrder(receiver.arrivals, expected);
      const metrics = await service.request({ path: '/metrics' });
      assert.match(metrics.text, /casemgr_webhooks_retried_total [1-9]/);
      await finish(receiver, subscriptionId);
    });

    it('a slow receiver (no answer within the timeout) gets each event again, in order', async () => {
      const { receiver, subscriptionId } = await scenario((a) =>
        a.attempt === 1 ? { delayMs: FAST.timeoutMs + 500, status: 200 } : { status: 200 },
      );
      const expected = await writeEvents(service, 2);
      await waitFor(allArrived(receiver, expected));
      assertDeliveredInOrder(receiver.arrivals, expected);
      assert.ok(
        receiver.arrivals.every((a) => a.attempt <= 2 || a.eventId === ''),
        'more attempts than needed',
      );
      await finish(receiver, subscriptionId);
    });

    it('500 then 200: each event is retried after the 500 and arrives in order', async () => {
      const { receiver, subscriptionId } = await scenario((a) => ({ status: a.attempt === 1 ? 500 : 200 }));
      const expected = await writeEvents(service, 3);
      await waitFor(allArrived(receiver, expected));
      assertDeliveredInOrder(receiver.arrivals, expected);
      // The next event of an activity waits for the one before it: each was sent exactly twice.
      for (const id of [...expected.values()].flat()) {
        assert.equal(receiver.arrivals.filter((a) => a.eventId === id).length, 2, `event ${id}`);
      }
      await finish(receiver, subscriptionId);
    });

    it('429 with Retry-After: the receiver is not asked again before the time it named', async () => {
      const { receiver, subscriptionId } = await scenario((a) =>
        a.index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
      );
      const expected = await writeEvents(service, 2);
      await waitFor(allArrived(receiver, expected));
      assertDeliveredInOrder(receiver.arrivals, expected);
      const refused = receiver.arrivals[0];
      const again = receiver.arrivals.find((a) => a.index > 0 && a.webhookId === refused.webhookId)!;
      assert.ok(
        again.atMs - receiver.answeredAtMs.get(0)! >= 1000,
        `asked again ${again.atMs - receiver.answeredAtMs.get(0)!} ms after Retry-After: 1`,
      );
      await finish(receiver, subscriptionId);
    });

    it('a receiver that closes the connection without answering gets each event again', async () => {
      const { receiver, subscriptionId } = await scenario((a) =>
        a.attempt === 1 ? { destroy: true } : { status: 200 },
      );
      const expected = await writeEvents(service, 2);
      await waitFor(allArrived(receiver, expected));
      assertDeliveredInOrder(receiver.arrivals, expected);
      await finish(receiver, subscriptionId);
    });
  });
}

async function deliveriesOf(service: TestService, subscriptionId: string) {
  return service.database.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .orderBy('event_id')
    .execute();
}

const deliveredCount = async (service: TestService) =>
  (await service.app.metrics.registry.getSingleMetric('casemgr_webhooks_delivered_total')!.get()).values[0]
    ?.value ?? 0;

for (const dialect of dialects) {
  const count = dialect === 'postgres' ? 3 : 2;
  describe(`webhook delivery by ${count} instances on one ${dialect} database`, { timeout: 60_000 }, () => {
    let database: TestDatabase;
    const instances: TestService[] = [];
    const receiver = new WebhookReceiver();
    before(async () => {
      database = await createTestDatabase(dialect);
      for (let i = 0; i < count; i++) {
        instances.push(
          await startTestService(dialect, { shared: { database, seeded: i > 0 }, webhooks: FAST }),
        );
      }
    });
    after(async () => {
      for (const instance of instances) await instance.close();
      await receiver.stop();
      await database.drop();
    });

    it('each event is delivered once between them, in order per activity, signed', async () => {
      const port = await receiver.start();
      receiver.secret = (await subscribe(instances[0], `http://127.0.0.1:${port}/hook`)).secret;
      const expected = await writeEvents(instances[1], 12);
      const total = [...expected.values()].flat().length;
      await waitFor(allArrived(receiver, expected));
      await waitFor(async () => (await pendingCount(instances[0])) === 0);
      assertDeliveredInOrder(receiver.arrivals, expected);
      assert.equal(receiver.arrivals.length, total, 'an event was delivered twice');
      // Each deliverer counts a delivery just after recording it.
      const deliveredSoFar = async () =>
        (await Promise.all(instances.map(deliveredCount))).reduce((a, b) => a + b, 0);
      await waitFor(async () => (await deliveredSoFar()) >= total);
      const byInstance = await Promise.all(instances.map(deliveredCount));
      assert.equal(
        byInstance.reduce((a, b) => a + b, 0),
        total,
        `delivered by instance: ${byInstance.join(', ')}`,
      );
    });

    it("a crashed deliverer's claims are taken over once its lease runs out", async () => {
      const stranded = new WebhookReceiver();
      const port = await stranded.start();
      // The instances' deliverers stop, so the claims below are taken by the "crashed" one alone.
      const store = new WebhookStore(
        instances[0].database.db,
        dialect,
        createTransactional(instances[0].database.db, dialect),
      );
      for (const instance of instances) await instance.app.deliverer!.stop();
      try {
        const subscription = await subscribe(instances[0], `http://127.0.0.1:${port}/hook`);
        stranded.secret = subscription.secret;
        const expected = await writeEvents(instances[0], 2);
        const claimed = await store.claim('crashed-instance', 100, Date.now(), 300);
        assert.equal(
          claimed.filter((d) => d.subscriptionId === subscription.id).length,
          ACTIVITIES.length,
          'the head of every activity is claimed',
        );
        // A live deliverer (a new instance on the same database) waits for the lease, then sends them.
        const rescuer = await startTestService(dialect, {
          shared: { database, seeded: true },
          webhooks: FAST,
        });
        try {
          await waitFor(allArrived(stranded, expected));
          assertDeliveredInOrder(stranded.arrivals, expected);
        } finally {
          await rescuer.close();
        }
      } finally {
        await stranded.stop();
      }
    });
  });
}

describe('dead letters, refusals and redelivery', { timeout: 60_000 }, () => {
  const dialect = dialects[dialects.length - 1];
  let service: TestService;
  const receiver = new WebhookReceiver();
  let port = 0;
  before(async () => {
    service = await startTestService(dialect, { webhooks: { ...FAST, maxAgeMs: 300 } });
    port = await receiver.start();
  });
  after(async () => {
    await service.close();
    await receiver.stop();
  });

  it('failing past the max age makes a dead letter with the last error; redeliver sends it again', async () => {
    receiver.script = (a) => (a.path === '/dead' ? { status: 503 } : { status: 200 });
    const { id, secret } = await subscribe(service, `http://127.0.0.1:${port}/dead`);
    receiver.secret = secret;
    const expected = await writeEvents(service, 1);
    await waitFor(async () => (await deliveriesOf(service, id)).every((d) => d.status === 'dead'));
    for (const delivery of await deliveriesOf(service, id)) {
      assert.match(delivery.last_error ?? '', /^HTTP 503 \(undelivered for 300 ms\)$/);
      assert.ok(delivery.attempts >= 1);
    }
    const metrics = await service.request({ path: '/metrics' });
    assert.match(metrics.text, /casemgr_webhooks_dead_lettered_total [1-9]/);
    receiver.script = () => ({ status: 200 });
    const redeliver = await service.request({
      method: 'POST',
      path: `${WEBHOOK_PATH}/${id}/redeliver`,
      headers: { authorization: `Bearer ${service.token('alice', { scope: ADMIN })}` },
    });
    assert.equal(redeliver.status, 200, redeliver.text);
    assert.deepEqual(redeliver.json(), { redelivered: ACTIVITIES.length });
    await waitFor(allArrived(receiver, expected));
    // The receiver has answered; the deliverer records it just after.
    await waitFor(async () => (await deliveriesOf(service, id)).every((d) => d.status === 'delivered'));
  });

  it('a 404 is not retried, and a redirect is not followed: both become dead letters at once', async () => {
    receiver.script = (a) =>
      a.path === '/gone'
        ? { status: 404 }
        : a.path === '/moved'
          ? { status: 302, headers: { location: `http://127.0.0.1:${port}/elsewhere` } }
          : { status: 200 };
    const gone = await subscribe(service, `http://127.0.0.1:${port}/gone`);
    const moved = await subscribe(service, `http://127.0.0.1:${port}/moved`);
    await writeEvents(service, 1);
    for (const [subscription, error] of [
      [gone.id, 'HTTP 404, not retried'],
      [moved.id, 'HTTP 302, not retried'],
    ] as const) {
      await waitFor(async () =>
        (await deliveriesOf(service, subscription)).every((d) => d.status === 'dead'),
      );
      for (const delivery of await deliveriesOf(service, subscription)) {
        assert.equal(delivery.last_error, error);
        assert.equal(delivery.attempts, 1);
      }
    }
    assert.equal(
      receiver.arrivals.filter((a) => a.path === '/elsewhere').length,
      0,
      'a redirect was followed',
    );
  });
});

describe('private addresses are refused by default (SSRF)', { timeout: 60_000 }, () => {
  const dialect = dialects[0];
  let service: TestService;
  const receiver = new WebhookReceiver();
  before(async () => {
    service = await startTestService(dialect, { webhooks: { ...FAST, privateAddresses: 'deny' } });
  });
  after(async () => {
    await service.close();
    await receiver.stop();
  });

  it('a loopback target, by address or by a name resolving to it, gets nothing: dead letters saying why', async () => {
    const port = await receiver.start();
    const literal = await subscribe(service, `http://127.0.0.1:${port}/hook`);
    const named = await subscribe(service, `http://localhost:${port}/hook`);
    await writeEvents(service, 1);
    for (const subscription of [literal.id, named.id]) {
      await waitFor(async () =>
        (await deliveriesOf(service, subscription)).every((d) => d.status === 'dead'),
      );
      for (const delivery of await deliveriesOf(service, subscription)) {
        assert.match(delivery.last_error ?? '', /loopback address \(WEBHOOK_PRIVATE_ADDRESSES=deny\)/);
      }
    }
    assert.equal(receiver.arrivals.length, 0, 'a request reached the loopback receiver');
  });
});

describe('graceful shutdown stops the deliverer', { timeout: 60_000 }, () => {
  const dialect = dialects[dialects.length - 1];

  it('a request in flight is abandoned and its claim given back, uncounted; the next instance sends it', async () => {
    const database = await createTestDatabase(dialect);
    const receiver = new WebhookReceiver();
    try {
      const port = await receiver.start();
      // The first request is never answered in time: it is in flight when the instance stops.
      receiver.script = (a) => (a.index === 0 ? { delayMs: 30_000, status: 200 } : { status: 200 });
      const first = await startTestService(dialect, {
        shared: { database, seeded: false },
        webhooks: { ...FAST, timeoutMs: 40_000, leaseMs: 60_000 },
      });
      const { id, secret } = await subscribe(first, `http://127.0.0.1:${port}/hook`);
      receiver.secret = secret;
      const expected = await writeEvents(first, 1);
      await waitFor(() => receiver.arrivals.length > 0);
      await first.close();
      // An instance without a deliverer reads what the stopped one left.
      const reader = await startTestService(dialect, { shared: { database, seeded: true } });
      const stopped = await deliveriesOf(reader, id);
      await reader.close();
      const abandoned = stopped.find((d) => `msg_${d.id}` === receiver.arrivals[0].webhookId)!;
      assert.equal(abandoned.status, 'pending');
      assert.equal(abandoned.claimed_by, null, 'the claim is given back at shutdown, not left to its lease');
      assert.equal(abandoned.attempts, 0, 'an abandoned request is not an attempt');
      const second = await startTestService(dialect, { shared: { database, seeded: true }, webhooks: FAST });
      try {
        await waitFor(allArrived(receiver, expected));
      } finally {
        await second.close();
      }
    } finally {
      await receiver.stop();
      await database.drop();
    }
  });
});
