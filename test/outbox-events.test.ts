// The outbox's write side through a real server on every dialect: each write adds exactly its events
// (type, eGain payload, routing columns) in its own transaction, a refused write adds none; and the
// history endpoint (GET /activity/{id}/history) reads them back: order, names, read rules, JSON, XML.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { expectError } from './support/expect-error.js';
import { clientToken, itemsOf, patch } from './support/lifecycle-requests.js';
import { TASK_PATH, createdId, post } from './support/intake-requests.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

interface EventRow {
  type: string;
  activity_id: string | null;
  case_id: string | null;
  department_id: string;
  previous_department_id: string | null;
  user_id: string | null;
  previous_user_id: string | null;
  actor: string;
  request_id: string;
  at_ms: number;
  payload: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HistoryBody = { event: any[] };

const WAITING = 'awaiting_assignment:ready_for_assignment';

for (const dialect of dialects) {
  describe(`outbox events and history (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    const lastEventId = async () =>
      Number(
        (
          await service.database.db
            .selectFrom('events')
            .select((eb) => eb.fn.max('id').as('max'))
            .executeTakeFirst()
        )?.max ?? 0,
      );

    /** The events written since `afterId`, in outbox order. */
    async function eventsAfter(afterId: number): Promise<EventRow[]> {
      const rows = await service.database.db
        .selectFrom('events')
        .selectAll()
        .where('id', '>', afterId)
        .orderBy('id')
        .execute();
      // `id` and PostgreSQL's `tx` are the stream's business, not the write's.
      return rows.map(({ payload_json, at_ms, id: _id, ...row }) => ({
        ...(Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'tx')) as Omit<
          EventRow,
          'at_ms' | 'payload'
        >),
        at_ms: Number(at_ms),
        payload: JSON.parse(payload_json),
      }));
    }

    /** Runs a write and answers the events it added. */
    async function eventsOf(write: () => Promise<{ status: number; text: string }>, status: number) {
      const from = await lastEventId();
      const response = await write();
      assert.equal(response.status, status, response.text);
      return eventsAfter(from);
    }

    const historyRows = (activityId: string) =>
      service.database.db
        .selectFrom('activity_history')
        .selectAll()
        .where('activity_id', '=', activityId)
        .orderBy('id')
        .execute();

    async function activity(id: string) {
      return service.database.db
        .selectFrom('activities')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    }

    describe('each write adds exactly its events', () => {
      it('pick from a queue: one user_assignment; the history row and the event share the request id', async () => {
        const events = await eventsOf(
          async () => patch(service, '/pick', { as: 'alice', body: await itemsOf(service, ['100001']) }),
          204,
        );
        assert.equal(events.length, 1);
        const [event] = events;
        const row = await activity('100001');
        assert.deepEqual(
          { ...event, at_ms: undefined, request_id: undefined },
          {
            type: 'activity_transition',
            activity_id: '100001',
            case_id: row.case_id,
            department_id: '999',
            previous_department_id: null,
            user_id: '1001',
            previous_user_id: null,
            actor: '1001',
            at_ms: undefined,
            request_id: undefined,
            payload: {
              activity: {
                id: '100001',
                type: 'email',
                subtype: 'complaint',
                ...(row.case_id ? { case: { id: row.case_id } } : {}),
              },
              transition: {
                type: 'user_assignment',
                actor: { type: 'user', user: { id: '1001' } },
                source: { user: null, status: WAITING },
                target: { user: { id: '1001' }, status: 'assigned:new' },
              },
            },
          },
        );
        assert.equal(event.at_ms, Number(row.last_modified_ms));
        const [history] = await historyRows('100001');
        assert.equal(event.request_id, history.pick_id);
      });

      it("a supervisor's pick names the agent it was taken from (previous_user_id)", async () => {
        const events = await eventsOf(
          async () =>
            patch(service, '/pick', {
              as: 'alice',
              query: '?unpin=yes',
              body: await itemsOf(service, ['100013']),
            }),
          204,
        );
        assert.equal(events.length, 1);
        assert.equal(events[0].user_id, '1001');
        assert.equal(events[0].previous_user_id, '1002');
        assert.deepEqual(events[0].payload.transition.source, {
          user: { id: '1002' },
          status: 'assigned:in_progress',
        });
        assert.deepEqual(events[0].payload.transition.target, {
          user: { id: '1001' },
          status: 'assigned:new',
        });
      });

      it('transfer to a user: user_transfer, the queue unchanged and so left out', async () => {
        const events = await eventsOf(
          async () =>
            patch(service, '/transfer/user/1002', { as: 'alice', body: await itemsOf(service, ['100003']) }),
          204,
        );
        assert.deepEqual(
          events.map((e) => [e.type, e.payload.transition.type, e.user_id, e.previous_user_id, e.actor]),
          [['activity_transition', 'user_transfer', '1002', null, '1001']],
        );
        assert.deepEqual(events[0].payload.transition.target, {
          user: { id: '1002' },
          status: 'assigned:new',
        });
      });

      it('transfer to a queue: queue_transfer taken from its holder; the draft that moves with the email has its own', async () => {
        const events = await eventsOf(
          async () =>
            patch(service, '/transfer/queue/10', {
              as: 'alice',
              query: '?unpin=yes',
              body: await itemsOf(service, ['100011']),
            }),
          204,
        );
        assert.deepEqual(
          events.map((e) => [e.activity_id, e.payload.transition.type, e.user_id, e.previous_user_id]),
          [
            ['100011', 'queue_transfer', null, '1002'],
            ['100015', 'queue_transfer', null, '1002'],
          ],
        );
        assert.deepEqual(events[0].payload.transition.source, {
          user: { id: '1002' },
          status: 'assigned:in_progress',
        });
        assert.deepEqual(events[0].payload.transition.target, { user: null, status: WAITING });
        assert.equal(new Set(events.map((e) => e.request_id)).size, 1, 'one request id for the request');
      });

      it('transfer to a department: department_transfer, routed to both departments', async () => {
        const events = await eventsOf(
          async () =>
            patch(service, '/transfer/department/1000', {
              as: 'alice',
              body: await itemsOf(service, ['100018']),
            }),
          204,
        );
        assert.equal(events.length, 1);
        const [event] = events;
        assert.equal(event.department_id, '1000');
        assert.equal(event.previous_department_id, '999');
        assert.deepEqual(event.payload.transition, {
          type: 'department_transfer',
          actor: { type: 'user', user: { id: '1001' } },
          source: { queue: { id: '10' }, department: { id: '999' } },
          target: { queue: { id: '11' }, department: { id: '1000' } },
        });
        const caseId = (await activity('100018')).case_id;
        assert.deepEqual(event.payload.activity, {
          id: '100018',
          type: 'task',
          subtype: 'follow_up',
          ...(caseId ? { case: { id: caseId } } : {}),
        });
      });

      it('complete: activity_completed, then case_closed for the case whose last open activity it was', async () => {
        const db = service.database.db;
        await db
          .insertInto('cases')
          .values({ id: '8100', customer_id: null, status: 'open', created_ms: 0, closed_ms: null })
          .execute();
        await db
          .updateTable('activities')
          .set({ status: 'assigned', substatus: 'new', assigned_user_id: '1002', case_id: '8100' })
          .where('id', '=', '100004')
          .execute();
        const events = await eventsOf(
          async () => patch(service, '/complete', { as: 'bob', body: await itemsOf(service, ['100004']) }),
          200,
        );
        assert.deepEqual(
          events.map((e) => [e.type, e.activity_id, e.case_id, e.department_id, e.user_id]),
          [
            ['activity_completed', '100004', '8100', '999', '1002'],
            ['case_closed', null, '8100', '999', '1002'],
          ],
        );
        assert.deepEqual(events[0].payload.transition.target, { status: 'completed:done' });
        assert.deepEqual(events[1].payload, { case: { id: '8100' } });
        assert.equal(events[0].request_id, events[1].request_id);
      });

      it('complete leaves a case with another open activity open: no case_closed', async () => {
        const db = service.database.db;
        await db
          .insertInto('cases')
          .values({ id: '8101', customer_id: null, status: 'open', created_ms: 0, closed_ms: null })
          .execute();
        await db
          .updateTable('activities')
          .set({ status: 'assigned', substatus: 'new', assigned_user_id: '1002', case_id: '8101' })
          .where('id', 'in', ['100008', '100009'])
          .execute();
        const events = await eventsOf(
          async () => patch(service, '/complete', { as: 'bob', body: await itemsOf(service, ['100008']) }),
          200,
        );
        assert.deepEqual(
          events.map((e) => [e.type, e.activity_id, e.case_id]),
          [['activity_completed', '100008', '8101']],
        );
      });

      it('create task: activity_created with where the activity starts; a client is the system', async () => {
        const from = await lastEventId();
        const id = createdId(
          await post(service, TASK_PATH, {
            as: { client: 'crm' },
            query: '?searchContactOnAttribute=email.emailAddress',
            body: {
              department: { name: 'service' },
              type: { value: 'task', subtype: { value: 'General' } },
              subject: 'Call Dana back',
              status: { assigned: { user: { id: '1003' } } },
              customer: {
                contacts: {
                  contact: [
                    { firstName: 'Dana', lastName: 'Diaz', email: [{ emailAddress: 'dana@example.net' }] },
                  ],
                },
              },
            },
          }),
        );
        const events = await eventsAfter(from);
        const row = await activity(id);
        assert.equal(events.length, 1);
        const [event] = events;
        assert.equal(event.type, 'activity_created');
        assert.equal(event.actor, 'client:crm');
        assert.equal(event.case_id, row.case_id);
        assert.equal(event.user_id, row.assigned_user_id);
        assert.deepEqual(event.payload.transition, {
          type: 'activity_created',
          actor: { type: 'system', client: { id: 'crm' } },
          source: {},
          target: {
            ...(row.assigned_user_id ? { user: { id: row.assigned_user_id } } : {}),
            ...(row.queue_id ? { queue: { id: row.queue_id } } : {}),
            department: { id: row.department_id },
            status: `${row.status}:${row.substatus}`,
          },
        });
        assert.deepEqual(event.payload.activity, {
          id,
          type: 'task',
          subtype: 'general',
          case: { id: row.case_id },
        });
      });

      it('a refused write adds no event: a pick without the action, a stale pick, a refused create', async () => {
        const from = await lastEventId();
        const items = await itemsOf(service, ['100005']);
        expectError(await patch(service, '/pick', { as: 'dave', body: items }), 403, '403-178');
        const stale = { activity: [{ id: '100005', lastModified: '2020-01-01T00:00:00.000Z' }] };
        expectError(await patch(service, '/pick', { as: 'bob', body: stale }), 409, '409-100');
        const refusedCreate = await post(service, TASK_PATH, {
          as: 'bob',
          body: {
            department: { name: 'nowhere' },
            type: { value: 'task' },
            subject: 'x',
            customer: {
              contacts: {
                contact: [{ firstName: 'A', lastName: 'B', email: [{ emailAddress: 'a@b.example' }] }],
              },
            },
          },
        });
        assert.equal(refusedCreate.status >= 400, true, refusedCreate.text);
        assert.deepEqual(await eventsAfter(from), []);
      });

      it('pull: user_assignment for the activity pulled', async () => {
        // The oldest task waiting in queue 10: carol (maxPull 1, no mail licence) pulls it.
        await service.database.db
          .insertInto('activities')
          .values({
            ...(await activity('100018')),
            id: '200001',
            department_id: '999',
            queue_id: '10',
            status: 'awaiting_assignment',
            substatus: 'ready_for_assignment',
            assigned_user_id: null,
            created_ms: 1,
            last_modified_ms: 1,
            last_department_id: null,
          })
          .execute();
        const events = await eventsOf(() => patch(service, '/pull', { as: 'carol' }), 200);
        assert.deepEqual(
          events.map((e) => [e.activity_id, e.payload.transition.type, e.user_id, e.actor]),
          [['200001', 'user_assignment', '1003', '1003']],
        );
      });

      it('counts the events written by type (casemgr_events_written_total)', async () => {
        const metrics = await service.app.metrics.registry.getSingleMetricAsString(
          'casemgr_events_written_total',
        );
        assert.match(metrics, /casemgr_events_written_total\{type="activity_transition"\} [1-9]/);
        assert.match(metrics, /casemgr_events_written_total\{type="case_closed"\} [1-9]/);
      });
    });

    describe('GET /activity/{id}/history', () => {
      const history = (id: string, as: string | { token: string }, accept = 'application/json') =>
        service.request({
          path: `/core/casemgr/v3/activity/${id}/history`,
          headers: {
            authorization: `Bearer ${typeof as === 'string' ? service.token(as, { scope: 'core.casemgr.read' }) : as.token}`,
            accept,
          },
        });

      it('every change, oldest first, with names beside the ids', async () => {
        await patch(service, '/pick', { as: 'bob', body: await itemsOf(service, ['100006']) });
        await patch(service, '/transfer/queue/10', { as: 'bob', body: await itemsOf(service, ['100006']) });
        await patch(service, '/pick', { as: 'alice', body: await itemsOf(service, ['100006']) });
        const response = await history('100006', 'bob');
        assert.equal(response.status, 200, response.text);
        const { event } = response.json<HistoryBody>();
        const row = await activity('100006');
        assert.deepEqual(event, [
          {
            type: 'user_assignment',
            at: event[0].at,
            actor: { type: 'user', user: { id: '1002', name: 'Bob Baker' } },
            source: { user: null, status: WAITING },
            target: { user: { id: '1002', name: 'Bob Baker' }, status: 'assigned:new' },
          },
          {
            type: 'queue_transfer',
            at: event[1].at,
            actor: { type: 'user', user: { id: '1002', name: 'Bob Baker' } },
            source: { user: { id: '1002', name: 'Bob Baker' }, status: 'assigned:new' },
            target: { user: null, status: WAITING },
          },
          {
            type: 'user_assignment',
            at: new Date(Number(row.last_modified_ms)).toISOString(),
            actor: { type: 'user', user: { id: '1001', name: 'Alice Archer' } },
            source: { user: null, status: WAITING },
            target: { user: { id: '1001', name: 'Alice Archer' }, status: 'assigned:new' },
          },
        ]);
        assert.ok(event[0].at <= event[1].at && event[1].at <= event[2].at);
      });

      it('a department transfer shows queue and department with their names; a client sees it', async () => {
        await patch(service, '/transfer/department/1000', {
          as: 'alice',
          body: await itemsOf(service, ['100020']),
        });
        const response = await history('100020', {
          token: await clientToken(service, 'crm', 'core.casemgr.read'),
        });
        assert.equal(response.status, 200, response.text);
        const [entry] = response.json<HistoryBody>().event;
        assert.deepEqual(entry.source, {
          queue: { id: '10', name: 'Billing' },
          department: { id: '999', name: 'Service' },
        });
        assert.deepEqual(entry.target, {
          queue: { id: '11', name: 'Sales Leads' },
          department: { id: '1000', name: 'Sales' },
        });
      });

      it('an activity without changes has an empty history', async () => {
        const response = await history('100010', 'bob');
        assert.equal(response.status, 200);
        assert.deepEqual(response.json(), { event: [] });
      });

      it('in XML: <history> of <event type at> with actor, source and target', async () => {
        await patch(service, '/pick', { as: 'bob', body: await itemsOf(service, ['100007']) });
        const response = await history('100007', 'bob', 'application/xml');
        assert.equal(response.status, 200, response.text);
        assert.match(String(response.headers['content-type']), /application\/xml/);
        const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
          response.text,
        );
        const event = parsed.history.event;
        assert.equal(event.type, 'user_assignment');
        assert.equal(event.actor.type, 'user');
        assert.deepEqual(event.actor.user, { id: '1002', name: 'Bob Baker' });
        assert.equal(event.source.user, '');
        assert.equal(event.target.status, 'assigned:new');
      });

      it('400-106 for a malformed id or a list', async () => {
        expectError(await history('abc', 'bob'), 400, '400-106');
        expectError(await history('100001,100002', 'bob'), 400, '400-106');
      });

      it("404-100 for an unknown activity and for one outside the user's departments", async () => {
        expectError(await history('999999', 'bob'), 404, '404-100', { ids: ['999999'] });
        // 100019 is in Sales: bob (Service only) may not see it, alice (foreign in Sales) may.
        expectError(await history('100019', 'bob'), 404, '404-100', { ids: ['100019'] });
        assert.equal((await history('100019', 'alice')).status, 200);
      });

      it('403-197 without a read or manage scope', async () => {
        const token = service.token('bob', { scope: 'openid' });
        expectError(await history('100001', { token }), 403, '403-197');
      });
    });
  });
}
