// The HTTP contract of PATCH /core/casemgr/v3/activity/complete (docs/api/complete-activities.md)
// through a real server on every dialect: rules 1–7 with the Complete action, C1–C6 in their order,
// all or nothing, completed:done with history, the case closed by the complete that finishes its last
// open activity (and only then), the 200 body in JSON and XML, a French error. On PostgreSQL: two
// agents completing the last two open activities of one case at once leave it closed exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { sql } from 'kysely';
import { DEFAULT_TRANSACTIONS, type IsolationLevel } from '../src/store/transaction.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { expectError } from './support/expect-error.js';
import {
  activityRow,
  caseRow,
  itemsOf,
  patch,
  snapshot,
  type LifecycleCall,
} from './support/lifecycle-requests.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const COMPLETE = '/complete';

/** Arranges an activity as held by a user (what an agent's pick would have done). */
async function holdAs(service: TestService, userId: string, ids: readonly string[]) {
  await service.database.db
    .updateTable('activities')
    .set({ status: 'assigned', substatus: 'new', assigned_user_id: userId })
    .where('id', 'in', ids)
    .execute();
}

async function putInCase(service: TestService, caseId: string, ids: readonly string[]) {
  await service.database.db
    .insertInto('cases')
    .values({ id: caseId, customer_id: null, status: 'open', created_ms: 0, closed_ms: null })
    .execute();
  await service.database.db
    .updateTable('activities')
    .set({ case_id: caseId })
    .where('id', 'in', ids)
    .execute();
}

for (const dialect of dialects) {
  describe(`complete activities (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    const complete = async (as: LifecycleCall['as'], ids: string[], extra: Partial<LifecycleCall> = {}) =>
      patch(service, COMPLETE, { as, body: await itemsOf(service, ids), ...extra });

    async function refused(
      as: LifecycleCall['as'],
      ids: string[],
      status: number,
      code: string,
      named?: string[],
      extra: Partial<LifecycleCall> = {},
    ) {
      const before = await snapshot(service);
      const response = await complete(as, ids, extra);
      expectError(response, status, code, named ? { ids: named } : {});
      assert.equal(await snapshot(service), before, 'a refused complete changes nothing');
      return response;
    }

    describe('the caller and the request', () => {
      it('401-101 for a client application', async () => {
        await refused({ client: 'crm' }, ['100012'], 401, '401-101');
      });
      it('400-101 for any query parameter', async () => {
        await refused('bob', ['100012'], 400, '400-101', undefined, { query: '?unpin=yes' });
      });
      it('400-264 without a body', async () => {
        expectError(await patch(service, COMPLETE, { as: 'bob' }), 400, '400-264');
      });
      it('403-197 without the manage scope, then 403-178 without the Complete action', async () => {
        await refused('bob', ['100012'], 403, '403-197', undefined, { scope: 'core.casemgr.read' });
        const body = (await refused('dave', ['100012'], 403, '403-178')).json();
        assert.match(body.developerMessage, /Complete/);
      });
      it('400-194 for ids that do not exist', async () => {
        const response = await patch(service, COMPLETE, {
          as: 'bob',
          body: { activity: [{ id: '123', lastModified: '2026-01-01T00:00:00.000Z' }] },
        });
        expectError(response, 400, '400-194', { ids: ['123'] });
      });
    });

    describe('C1–C6 in order, naming every offending id', () => {
      it('C1 403-179: outside the caller departments, before C2', async () => {
        await refused('bob', ['100019', '100006'], 403, '403-179', ['100019']);
      });
      it('C2 400-312: only what the caller holds', async () => {
        await refused('bob', ['100006', '100021', '100012'], 400, '400-312', ['100006', '100021']);
      });
      it('C3 400-302: not a chat', async () => {
        await holdAs(service, '1002', ['100016']);
        await refused('bob', ['100016'], 400, '400-302', ['100016']);
      });
      it('C4 400-301: a draft is not completed on its own', async () => {
        await refused('bob', ['100015'], 400, '400-301', ['100015']);
      });
      it('C5 403-180: a licence for the type', async () => {
        await holdAs(service, '1005', ['100018']);
        await refused('erin', ['100018'], 403, '403-180', ['100018']);
      });
      it('C6 409-100: a stale lastModified', async () => {
        const before = await snapshot(service);
        const response = await patch(service, COMPLETE, {
          as: 'bob',
          body: { activity: [{ id: '100012', lastModified: '2020-01-01T00:00:00.000Z' }] },
        });
        expectError(response, 409, '409-100', { ids: ['100012'] });
        assert.equal(await snapshot(service), before);
      });
      it('French error message', async () => {
        const response = await complete('bob', ['100006'], { headers: { 'accept-language': 'fr-FR' } });
        assert.equal(response.status, 400);
        assert.equal(response.json().code, '400-312');
        assert.notEqual(response.json().developerMessage, '');
        const english = (await complete('bob', ['100006'])).json().developerMessage;
        assert.notEqual(response.json().developerMessage, english);
      });
    });

    describe('effects', () => {
      it('completed:done, history, lastModified bumped; the case of its only activity closes', async () => {
        const before = await activityRow(service, '100013');
        const caseId = before.case_id!;
        const response = await complete('bob', ['100013']);
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(response.json(), {
          activity: [
            {
              id: '100013',
              link: [{ rel: 'self', href: '/core/casemgr/v3/activity/100013' }],
              case: {
                id: caseId,
                link: [{ rel: 'case', href: `/core/casemgr/v3/case/${caseId}` }],
                status: { value: 'closed', displayValue: 'Closed' },
              },
            },
          ],
        });
        const row = await activityRow(service, '100013');
        assert.deepEqual([row.status, row.substatus, row.assigned_user_id], ['completed', 'done', '1002']);
        assert.ok(Number(row.last_modified_ms) > Number(before.last_modified_ms));
        const history = await service.history('100013');
        assert.deepEqual(
          [history.at(-1)?.action, history.at(-1)?.by_user_id, history.at(-1)?.to_user_id],
          ['completed', '1002', '1002'],
        );
        const closed = await caseRow(service, caseId);
        assert.equal(closed.status, 'closed');
        assert.notEqual(closed.closed_ms, null);
      });

      it('a case stays open while one of its activities is open, and closes with the last', async () => {
        await holdAs(service, '1002', ['100001', '100002', '100003', '100004', '100005']);
        const first = await complete('bob', ['100001', '100002']);
        assert.equal(first.status, 200, first.text);
        const statuses = first
          .json()
          .activity.map((a: { case: { status: { value: string } } }) => a.case.status.value);
        assert.deepEqual(statuses, ['open', 'open']);
        assert.equal((await caseRow(service, '8001')).status, 'open');
        const last = await complete('bob', ['100005', '100003', '100004'], {
          headers: { accept: 'application/xml' },
        });
        assert.equal(last.status, 200, last.text);
        assert.match(String(last.headers['content-type']), /^application\/xml/);
        const parsed = new XMLParser({ ignoreAttributes: false }).parse(last.text);
        const activities = parsed.activities.activity;
        assert.deepEqual(
          activities.map((a: { '@_id': string }) => a['@_id']),
          ['100005', '100003', '100004'],
        );
        assert.equal(activities[0].case['@_id'], '8001');
        assert.equal(activities[0].case.status.value, 'closed');
        assert.equal((await caseRow(service, '8001')).status, 'closed');
      });

      it('all or nothing: one refused activity completes none', async () => {
        await refused('bob', ['100012', '100006'], 400, '400-312', ['100006']);
      });

      it('localized case status in the answer', async () => {
        await holdAs(service, '1002', ['100009']);
        const response = await complete('bob', ['100009'], { headers: { 'accept-language': 'fr-FR' } });
        assert.equal(response.status, 200, response.text);
        assert.equal(response.json().activity[0].case.status.value, 'closed');
        assert.notEqual(response.json().activity[0].case.status.displayValue, 'Closed');
      });
    });
  });
}

if (dialects.includes('postgres')) {
  for (const isolation of ['read committed', 'serializable'] as IsolationLevel[]) {
    describe(`complete: the last two activities of a case at once (postgres, ${isolation})`, () => {
      let service: TestService;
      before(async () => {
        service = await startTestService('postgres', {
          transactions: { ...DEFAULT_TRANSACTIONS, isolation },
        });
      });
      after(() => service.close());

      it('leaves the case closed exactly once, whatever the interleaving', async () => {
        // Pairs of queued activities of queue 10: 100001–100010 less the one test above never held.
        const pairs = [
          ['100001', '100002'],
          ['100003', '100004'],
          ['100005', '100006'],
          ['100007', '100008'],
          ['100009', '100010'],
        ];
        for (const [index, [bobs, alices]] of pairs.entries()) {
          const caseId = String(9100 + index);
          await putInCase(service, caseId, [bobs, alices]);
          await holdAs(service, '1002', [bobs]);
          await holdAs(service, '1001', [alices]);
          // The case row is held from outside, so that both completes have written their activity and
          // wait to settle the case at the same time; then it is let go.
          const [b, a] = await withCaseHeld(service, caseId, () =>
            Promise.all([complete2(service, 'bob', bobs), complete2(service, 'alice', alices)]),
          );
          assert.equal(b.status, 200, b.text);
          assert.equal(a.status, 200, a.text);
          const reported: string[] = [b, a].map((r) => r.json().activity[0].case.status.value);
          assert.deepEqual(
            reported.filter((s: string) => s === 'closed').length,
            1,
            `case ${caseId}: ${reported.join()}`,
          );
          const row = await caseRow(service, caseId);
          assert.equal(row.status, 'closed', `case ${caseId}`);
          assert.notEqual(row.closed_ms, null);
        }
      });
    });
  }
}

/** Runs `requests` while a transaction of the test holds the case row; lets go once two wait on it. */
async function withCaseHeld<T>(service: TestService, caseId: string, requests: () => Promise<T>): Promise<T> {
  const db = service.database.db;
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked = () => undefined as void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = db.transaction().execute(async (trx) => {
    await sql`select id from cases where id = ${caseId} for update`.execute(trx);
    locked();
    await released;
  });
  await isLocked;
  const answers = requests();
  const deadline = Date.now() + 3000;
  for (;;) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    if (Number(rows[0]?.n) >= 2 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  release();
  await holder;
  return answers;
}

async function complete2(service: TestService, as: string, id: string) {
  return patch(service, COMPLETE, { as, body: await itemsOf(service, [id]) });
}
