// GET /core/casemgr/v3/events through real HTTP on real databases: a stream on instance B hears an
// event committed through instance A (PostgreSQL LISTEN/NOTIFY), an agent hears of the activity taken
// from them and an agent of another department does not, Last-Event-ID resumes with nothing lost and
// nothing twice (also across ids committed out of order), a client that does not read is dropped,
// and SQLite delivers in-process.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PostgresAdapter, type Kysely } from 'kysely';
import { DEFAULT_EVENT_STREAM, type EventStreamSettings } from '../src/events/stream-settings.js';
import { itemsOf, patch } from './support/lifecycle-requests.js';
import { notifyEventsCommitted } from '../src/events/commit-notifier.js';
import { appendEvents, type OutboxEvent } from '../src/store/outbox.js';
import type { Database } from '../src/store/schema.js';
import { clientToken } from './support/intake-requests.js';
import { SseClient } from './support/sse-client.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const SERVICE = '999';
const SALES = '1000';
const BILLING_OPS = '1001';
const BOB = '1002';
const ALICE = '1001';

/** The fixture world plus zoe, an agent of Sales only (no foreign department). */
function organisation() {
  const file = fixtureOrganisation();
  return {
    ...file,
    users: [
      ...file.users,
      {
        id: '1990',
        loginName: 'zoe',
        firstName: 'Zoe',
        lastName: 'Zimmer',
        homeDepartment: SALES,
        licenses: ['eGain MailPlus' as const],
        roles: ['1'],
      },
    ],
  };
}

/**
 * SQLite: the test's own transactions are another writer's, seen by the poll. PostgreSQL: no poll in
 * the time of a test, so only NOTIFY (and the listener's own catch-up) can deliver.
 */
const streamSettings = (dialect: string): EventStreamSettings => ({
  ...DEFAULT_EVENT_STREAM,
  pollMs: dialect === 'sqlite' ? 200 : 600_000,
});

function event(fields: Partial<OutboxEvent> = {}): OutboxEvent {
  return {
    type: 'activity_transition',
    activityId: '100001',
    caseId: null,
    departmentId: SERVICE,
    actor: ALICE,
    requestId: randomUUID(),
    atMs: Date.now(),
    payload: { activity: { id: fields.activityId ?? '100001' }, note: fields.requestId ?? 'test' },
    ...fields,
  };
}

/**
 * What the service does after a commit that added events, on PostgreSQL (src/events/commit-notifier.ts):
 * these tests write the outbox themselves, so they wake the listeners themselves.
 */
async function wakeListeners(db: Kysely<Database>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await notifyEventsCommitted(db);
}

/** Appends events in one transaction of their own and returns their ids, in order. */
async function append(db: Kysely<Database>, events: readonly OutboxEvent[]): Promise<number[]> {
  const requestIds = new Set(events.map((e) => e.requestId));
  await db.transaction().execute((trx) => appendEvents(trx, events));
  await wakeListeners(db);
  const rows = await db
    .selectFrom('events')
    .select('id')
    .where('request_id', 'in', [...requestIds])
    .orderBy('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

async function metric(service: TestService, name: string): Promise<number> {
  const text = (await service.request({ path: '/metrics' })).text;
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

for (const dialect of dialects) {
  describe(`event stream on ${dialect}`, () => {
    let database: TestDatabase;
    let a: TestService;
    let b: TestService;
    before(async () => {
      database = await createTestDatabase(dialect);
      const shared = (seeded: boolean) => ({ database, seeded });
      a = await startTestService(dialect, {
        organisation: organisation(),
        shared: shared(false),
        eventStream: streamSettings(dialect),
      });
      b = await startTestService(dialect, { shared: shared(true), eventStream: streamSettings(dialect) });
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await database?.drop();
    });

    it(`a pick made over HTTP on instance A reaches a stream on instance B`, async () => {
      // On PostgreSQL B polls every 10 minutes here: only A's wake-up after its commit can bring it.
      const stream = await SseClient.open(b.baseUrl, b.token('bob'));
      try {
        const picked = await patch(a, '/pick', { as: 'alice', body: await itemsOf(a, ['100001']) });
        assert.equal(picked.status, 204, picked.text);
        await stream.until((events) =>
          events.some((e) => JSON.parse(e.data).messages[0].payload.activity?.id === '100001'),
        );
      } finally {
        stream.close();
      }
    });

    it(`a stream on instance B hears an event committed through instance A`, async () => {
      const stream = await SseClient.open(b.baseUrl, b.token('bob'));
      try {
        assert.equal(stream.response.headers['content-type'], 'text/event-stream; charset=utf-8');
        const started = performance.now();
        const [id] = await append(a.database.db, [event({ previousUserId: BOB, userId: ALICE })]);
        await stream.until((events) => events.some((e) => Number(e.id) === id));
        const received = stream.events.find((e) => Number(e.id) === id)!;
        console.log(`# ${dialect}: A commit → B stream: ${(received.receivedAt - started).toFixed(1)} ms`);
        assert.equal(received.event, 'activity_transition');
        const envelope = JSON.parse(received.data);
        assert.deepEqual(envelope.metadata, { notificationId: `evt_${id}`, payloadVersion: 'v3' });
        assert.equal(envelope.messages[0].id, String(id));
        assert.equal(envelope.messages[0].type, 'activity_transition');
        assert.equal(envelope.messages[0].payload.activity.id, '100001');
      } finally {
        stream.close();
      }
    });

    it('an agent hears of what concerns them, an agent of another department does not', async () => {
      const bob = await SseClient.open(a.baseUrl, a.token('bob'));
      const zoe = await SseClient.open(b.baseUrl, b.token('zoe'));
      try {
        const ids = await append(a.database.db, [
          // A supervisor took bob's activity: Service, bob's home.
          event({ previousUserId: BOB, userId: ALICE, requestId: 'taken' }),
          // Taken from bob in a department he cannot see: he is named, so he hears of it.
          event({ departmentId: BILLING_OPS, previousUserId: BOB, userId: ALICE, requestId: 'named' }),
          // Moved from Service to Sales: both departments' users hear of it.
          event({ departmentId: SALES, previousDepartmentId: SERVICE }),
          // Billing Ops, nobody of theirs named: neither.
          event({ departmentId: BILLING_OPS }),
          // Sales only: zoe.
          event({ departmentId: SALES }),
          // Given to bob in a department he cannot see: he is the new owner.
          event({ departmentId: BILLING_OPS, userId: BOB, requestId: 'given' }),
        ]);
        const [taken, named, moved, , sales, given] = ids;
        await bob.until((events) => events.some((e) => Number(e.id) === moved));
        await zoe.until((events) => events.some((e) => Number(e.id) === sales));
        // A last event both see, so that whatever else either would get has arrived by then.
        const [last] = await append(a.database.db, [
          event({ departmentId: SALES, previousDepartmentId: SERVICE }),
        ]);
        await bob.until((events) => events.some((e) => Number(e.id) === last));
        await zoe.until((events) => events.some((e) => Number(e.id) === last));
        // (Events of earlier tests may still reach a stream opened before its instance read them.)
        const ofThisTest = (stream: SseClient) => stream.eventIds().filter((id) => id >= taken);
        assert.deepEqual(ofThisTest(bob), [taken, named, moved, given, last]);
        assert.deepEqual(ofThisTest(zoe), [moved, sales, last]);
      } finally {
        bob.close();
        zoe.close();
      }
    });

    it('streams of different departments on one instance each get their share of one batch', async () => {
      // One instance, one read: the batch's frames are encoded once and shared (sse-frame.ts framesOf);
      // each stream must still get exactly its own events.
      const bob = await SseClient.open(a.baseUrl, a.token('bob'));
      const bobAgain = await SseClient.open(a.baseUrl, a.token('bob'));
      const zoe = await SseClient.open(a.baseUrl, a.token('zoe'));
      try {
        const [service, sales, moved, elsewhere] = await append(a.database.db, [
          event(),
          event({ departmentId: SALES }),
          event({ departmentId: SALES, previousDepartmentId: SERVICE }),
          event({ departmentId: BILLING_OPS }),
        ]);
        const [last] = await append(a.database.db, [
          event({ departmentId: SALES, previousDepartmentId: SERVICE }),
        ]);
        for (const stream of [bob, bobAgain, zoe]) {
          await stream.until((events) => events.some((e) => Number(e.id) === last));
        }
        const ofThisTest = (stream: SseClient) => stream.eventIds().filter((id) => id >= service);
        assert.deepEqual(ofThisTest(bob), [service, moved, last]);
        assert.deepEqual(ofThisTest(bobAgain), [service, moved, last]);
        assert.deepEqual(ofThisTest(zoe), [sales, moved, last]);
        assert.ok(!ofThisTest(bob).includes(elsewhere) && !ofThisTest(zoe).includes(elsewhere));
        const payloadOf = (stream: SseClient, id: number) =>
          JSON.parse(stream.events.find((e) => Number(e.id) === id)!.data).messages[0].payload;
        assert.deepEqual(payloadOf(zoe, moved), payloadOf(bob, moved));
        assert.deepEqual(payloadOf(zoe, sales), { activity: { id: '100001' }, note: 'test' });
      } finally {
        bob.close();
        bobAgain.close();
        zoe.close();
      }
    });

    it('Last-Event-ID resumes with nothing lost and nothing twice', async () => {
      const first = await SseClient.open(b.baseUrl, b.token('bob'));
      const before = await append(a.database.db, [event(), event(), event()]);
      await first.until(() => first.eventIds().includes(before[2]));
      const lastEventId = first.lastEventId!;
      first.close();
      await first.ended;
      // Written while bob's stream was closed, in several transactions and both instances. (alice's
      // stream on A only shows when A has read them, so that bob's reconnection replays them all
      // from the database rather than getting some live.)
      const probe = await SseClient.open(a.baseUrl, a.token('alice'));
      const missed = [
        ...(await append(a.database.db, [
          event(),
          event({ departmentId: BILLING_OPS }),
          event({ departmentId: BILLING_OPS, previousUserId: BOB }),
        ])),
        ...(await append(b.database.db, [event({ departmentId: SALES })])),
        ...(await append(a.database.db, [event(), event()])),
      ];
      await probe.until(() => probe.eventIds().includes(missed[5]));
      probe.close();
      const second = await SseClient.open(a.baseUrl, a.token('bob'), { lastEventId });
      try {
        const live = await append(b.database.db, [event()]);
        await second.until(() => second.eventIds().includes(live[0]));
        const expected = [missed[0], missed[2], missed[4], missed[5], live[0]];
        assert.deepEqual(second.eventIds(), expected);
        assert.deepEqual(
          [...first.eventIds(), ...second.eventIds()].filter((id, i, all) => all.indexOf(id) !== i),
          [],
        );
      } finally {
        second.close();
      }
    });

    it("the stream ends when the caller's token expires; a fresh token and Last-Event-ID lose nothing", async () => {
      // A token with two to three seconds left (exp is in whole seconds).
      const expiring = b.token('bob', { expiresInSeconds: 3 });
      const first = await SseClient.open(b.baseUrl, expiring);
      const ended = await metric(b, 'casemgr_stream_ends_total{reason="token_expired"}');
      const [got] = await append(a.database.db, [event()]);
      await first.until(() => first.eventIds().includes(got));
      await first.ended;
      const last = first.events[first.events.length - 1];
      assert.equal(last.event, 'end', 'the last thing sent says why the stream ended');
      assert.deepEqual(JSON.parse(last.data), { reason: 'token-expired' });
      assert.equal(last.id, undefined, 'the end event leaves the last event id as it was');
      assert.equal(first.lastEventId, String(got));
      assert.equal(await metric(b, 'casemgr_stream_ends_total{reason="token_expired"}'), ended + 1);
      // Written while the client had no stream; its old token no longer opens one.
      const missed = await append(a.database.db, [event()]);
      await assert.rejects(SseClient.open(b.baseUrl, expiring, { lastEventId: first.lastEventId }), {
        status: 401,
      });
      const second = await SseClient.open(b.baseUrl, b.token('bob'), { lastEventId: first.lastEventId });
      try {
        await second.until(() => second.eventIds().includes(missed[0]));
        assert.equal(second.eventIds()[0], missed[0], 'nothing lost, nothing twice');
      } finally {
        second.close();
      }
    });

    it('a Last-Event-ID the outbox does not hold, or older than the window, gets a reset', async () => {
      const [old] = await append(a.database.db, [
        event({ atMs: Date.now() - DEFAULT_EVENT_STREAM.resumeWindowMs - 60_000 }),
      ]);
      for (const [lastEventId, reason] of [
        ['999999999', 'unknown-id'],
        ['x1', 'unknown-id'],
        [String(old), 'too-old'],
      ] as const) {
        const stream = await SseClient.open(a.baseUrl, a.token('bob'), { lastEventId });
        try {
          await stream.until((events) => events.length > 0);
          const reset = stream.events[0];
          assert.equal(reset.event, 'reset');
          assert.equal(JSON.parse(reset.data).reason, reason);
          // The stream goes on live after the reset's id.
          const [next] = await append(a.database.db, [event()]);
          await stream.until(() => stream.eventIds().includes(next));
          assert.ok(Number(reset.id) < next);
        } finally {
          stream.close();
        }
      }
    });

    it('a client that does not read is dropped; it resumes from what it got', async () => {
      const slow = await startTestService(dialect, {
        shared: { database, seeded: true },
        eventStream: { ...streamSettings(dialect), bufferBytes: 64 * 1024 },
      });
      const socket = connect(slow.port, '127.0.0.1');
      // The drop may reset the connection while the client is paused: listen for the end from the start.
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      try {
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        socket.write(
          `GET /core/casemgr/v3/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${slow.token('bob')}\r\nAccept: text/event-stream\r\n\r\n`,
        );
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
        await new Promise<void>((resolve) => {
          const check = () => (received.includes('retry:') ? resolve() : setTimeout(check, 10));
          check();
        });
        socket.pause();
        const big = 'x'.repeat(16 * 1024);
        const written: number[] = [];
        let batches = 0;
        while ((await metric(slow, 'casemgr_stream_ends_total{reason="slow_consumer"}')) === 0) {
          assert.ok(batches++ < 100, 'the slow stream was never dropped');
          written.push(
            ...(await append(
              slow.database.db,
              Array.from({ length: 50 }, () => event({ payload: { big } })),
            )),
          );
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        console.log(`# ${dialect}: dropped after ${written.length} events of ~16 KiB unread`);
        assert.equal(await metric(slow, 'casemgr_stream_clients'), 0);
        // What reached the client before the drop ends on a whole event or mid-way; it resumes after
        // the last whole one.
        socket.resume();
        await closed;
        const ids = [...received.matchAll(/^id: (\d+)\n[^]*?\n\n/gm)].map((m) => Number(m[1]));
        const lastWhole = ids.filter((id) => written.includes(id)).pop() ?? written[0] - 1;
        const again = await SseClient.open(slow.baseUrl, slow.token('bob'), {
          lastEventId: String(lastWhole),
        });
        try {
          await again.until(() => again.eventIds().includes(written[written.length - 1]), 30_000);
          assert.deepEqual(
            again.eventIds(),
            written.filter((id) => id > lastWhole),
          );
        } finally {
          again.close();
        }
      } finally {
        socket.destroy();
        await slow.close();
      }
    });

    it(
      'streams per user are bounded; a client-application token is refused; shutdown ends streams',
      { timeout: 60_000 },
      async () => {
        const limited = await startTestService(dialect, {
          shared: { database, seeded: true },
          eventStream: { ...streamSettings(dialect), maxPerUser: 2, heartbeatMs: 50 },
        });
        const open: SseClient[] = [];
        try {
          open.push(await SseClient.open(limited.baseUrl, limited.token('bob')));
          open.push(await SseClient.open(limited.baseUrl, limited.token('bob')));
          await assert.rejects(
            SseClient.open(limited.baseUrl, limited.token('bob')),
            (error: { status: number; body: string }) => {
              assert.equal(error.status, 429);
              assert.equal(JSON.parse(error.body).code, '429-001');
              return true;
            },
          );
          // Another user still gets one, and heartbeats arrive as comment lines.
          open.push(await SseClient.open(limited.baseUrl, limited.token('alice')));
          await open[2].until(() => open[2].comments >= 2);
          assert.equal(await metric(limited, 'casemgr_stream_clients'), 3);
          const crm = await limited.request({
            path: '/core/casemgr/v3/events',
            headers: { authorization: `Bearer ${await clientToken(limited, 'crm')}` },
          });
          assert.equal(crm.status, 401);
          // Shutdown with the streams open: close() returns because it ends them, and the clients
          // see the end (without it, close() would wait for the clients for ever).
          await limited.close();
          await Promise.all(open.map((stream) => stream.ended));
        } finally {
          for (const stream of open) stream.close();
          await limited.close();
        }
      },
    );

    if (dialect === 'sqlite') {
      it('a commit through the instance wakes its reader at once (no poll)', async () => {
        const quiet = await startTestService(dialect, {
          shared: { database, seeded: true },
          eventStream: { ...streamSettings(dialect), pollMs: 600_000 },
        });
        const stream = await SseClient.open(quiet.baseUrl, quiet.token('bob'));
        try {
          // Written by another connection: this instance has no reason to read yet.
          const [id] = await append(quiet.database.db, [event()]);
          // A pick through the instance commits, and its commit observer wakes the reader.
          const picked = await quiet.pick('bob', [
            { id: '100002', lastModified: await quiet.lastModified('100002') },
          ]);
          assert.equal(picked.status, 204);
          await stream.until(() => stream.eventIds().includes(id));
        } finally {
          stream.close();
          await quiet.close();
        }
      });
    }

    if (dialect === 'postgres') {
      it('ids committed out of order are sent in order, none skipped; a rolled-back id holds nothing for ever', async () => {
        const stream = await SseClient.open(b.baseUrl, b.token('bob'));
        try {
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          let tookId!: () => void;
          const took = new Promise<void>((resolve) => (tookId = resolve));
          // T1 takes the lower id and stays open; T2 takes the next and commits first.
          const t1 = a.database.db.transaction().execute(async (trx) => {
            await appendEvents(trx, [event({ requestId: 'early' })]);
            tookId();
            await held;
          });
          await took;
          const [later] = await append(a.database.db, [event({ requestId: 'late' })]);
          // A marker committed after T2: once it arrives, T2's event could have too.
          release();
          await t1;
          await wakeListeners(a.database.db);
          const [early] = (
            await a.database.db.selectFrom('events').select('id').where('request_id', '=', 'early').execute()
          ).map((r) => Number(r.id));
          assert.ok(early < later);
          await stream.until(() => stream.eventIds().includes(later));
          assert.deepEqual(stream.eventIds(), [early, later]);

          // A writer that rolls back leaves a gap that must not hold the stream back.
          await assert.rejects(
            a.database.db.transaction().execute(async (trx) => {
              await appendEvents(trx, [event()]);
              throw new Error('roll back');
            }),
          );
          const [after] = await append(a.database.db, [event()]);
          await stream.until(() => stream.eventIds().includes(after));
          assert.deepEqual(stream.eventIds(), [early, later, after]);
        } finally {
          stream.close();
        }
      });

      it('many concurrent writers committing out of order: every event, in id order, once', async () => {
        const stream = await SseClient.open(b.baseUrl, b.token('bob'));
        try {
          const { sql } = await import('kysely');
          // Each writer sleeps a random moment between taking its id and committing.
          await Promise.all(
            Array.from({ length: 200 }, (_, n) =>
              (n % 2 === 0 ? a : b).database.db.transaction().execute(async (trx) => {
                await appendEvents(trx, [event({ requestId: `burst-${n}` })]);
                await sql`select pg_sleep(${Math.random() * 0.01})`.execute(trx);
              }),
            ),
          );
          await wakeListeners(a.database.db);
          const written = (
            await a.database.db
              .selectFrom('events')
              .select('id')
              .where('request_id', 'like', 'burst-%')
              .execute()
          )
            .map((r) => Number(r.id))
            .sort((x, y) => x - y);
          await stream.until(() => stream.eventIds().includes(written[written.length - 1]));
          assert.deepEqual(stream.eventIds(), written);
        } finally {
          stream.close();
        }
      });

      it('the listening connection comes back after it is killed', async () => {
        const stream = await SseClient.open(b.baseUrl, b.token('bob'));
        try {
          const admin = a.database.db;
          const { sql } = await import('kysely');
          await sql`select pg_terminate_backend(pid) from pg_stat_activity
                    where application_name = 'casemgr-event-listener' and datname = current_database()`.execute(
            admin,
          );
          const [id] = await append(admin, [event()]);
          await stream.until(() => stream.eventIds().includes(id));
        } finally {
          stream.close();
        }
      });
    }
  });
}
