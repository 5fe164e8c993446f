// The HTTP contract of PATCH /core/casemgr/v3/activity/transfer/{user|queue|department}/{id}
// (docs/api/transfer-activities.md) through a real server on every dialect: the target (404-100),
// T1–T12 in their order, every offending id named, all or nothing (the whole database compared before
// and after a refusal), the effects and history rows, drafts moving with their email, client
// applications, JSON, XML and French error bodies.
//
// Activities moved successfully (each once): 100007 (to Sales), 100008 (client → bob), 100011 with
// its draft 100015 (unpin → queue 10), 100020 (bob → carol). Every other one is only refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { dialectsUnderTest } from './support/test-databases.js';
import { FIXTURE_NOW, startTestService, type TestService } from './support/test-service.js';
import { expectError } from './support/expect-error.js';
import { activityRow, itemsOf, patch, snapshot, type LifecycleCall } from './support/lifecycle-requests.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const ANY_INSTANT = FIXTURE_NOW.toISOString();
const to = (kind: string, id: string) => `/transfer/${kind}/${id}`;

for (const dialect of dialects) {
  describe(`transfer activities (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    const transfer = async (
      path: string,
      as: LifecycleCall['as'],
      ids: string[],
      extra: Partial<LifecycleCall> = {},
    ) => patch(service, path, { as, body: await itemsOf(service, ids), ...extra });

    /** A refusal: the code, the ids named, and not one row of the database changed. */
    async function refused(
      path: string,
      as: LifecycleCall['as'],
      ids: string[],
      status: number,
      code: string,
      named?: string[],
      extra: Partial<LifecycleCall> = {},
    ) {
      const before = await snapshot(service);
      const response = await transfer(path, as, ids, extra);
      expectError(response, status, code, named ? { ids: named } : {});
      assert.equal(await snapshot(service), before, 'a refused transfer changes nothing');
      return response;
    }

    describe('the target', () => {
      it('404-100 for an unknown user, queue or department, naming the path id', async () => {
        await refused(to('user', '999999'), 'bob', ['100003'], 404, '404-100', ['999999']);
        await refused(to('queue', '999999'), 'alice', ['100003'], 404, '404-100', ['999999']);
        await refused(to('department', '4242'), 'alice', ['100003'], 404, '404-100', ['4242']);
      });

      it('404-100 for a malformed path id, which is never looked up', async () => {
        await refused(to('user', 'abc'), 'bob', ['100003'], 404, '404-100', ['abc']);
        await refused(to('queue', '0010'), 'bob', ['100003'], 404, '404-100', ['0010']);
      });

      it('a queue id is no user: the path kind decides', async () => {
        await refused(to('user', '10'), 'bob', ['100003'], 404, '404-100', ['10']);
      });

      it('400-194 for missing activities comes before the unknown target', async () => {
        const response = await patch(service, to('user', '999999'), {
          as: 'bob',
          body: { activity: [{ id: '123', lastModified: ANY_INSTANT }] },
        });
        expectError(response, 400, '400-194', { ids: ['123'] });
      });

      it('the unknown target comes before every T rule', async () => {
        await refused(to('queue', '999999'), 'bob', ['100015', '100019'], 404, '404-100', ['999999']);
      });
    });

    describe('T1–T12 in order, naming every offending id', () => {
      it('T1 403-179: outside the caller departments, before T2', async () => {
        await refused(to('queue', '10'), 'bob', ['100019', '100015'], 403, '403-179', ['100019']);
      });
      it('T2 400-301: a draft never moves alone', async () => {
        await refused(to('queue', '10'), 'alice', ['100015'], 400, '400-301', ['100015']);
      });
      it('T3 400-302: chat cannot be transferred', async () => {
        await refused(to('queue', '10'), 'alice', ['100016'], 400, '400-302', ['100016']);
      });
      it('T5 400-304: a completed activity stays where it is', async () => {
        await refused(to('queue', '10'), 'alice', ['100017'], 400, '400-304', ['100017']);
      });
      it('T6 400-308 / 400-309: the queue serves its own department; not into the queue it waits in', async () => {
        await refused(to('queue', '10'), 'alice', ['100019'], 400, '400-308', ['100019']);
        await refused(to('queue', '10'), 'alice', ['100004', '100005'], 400, '400-309', ['100004', '100005']);
      });
      it('T6 400-310: not into the department it is in', async () => {
        await refused(to('department', '999'), 'alice', ['100004'], 400, '400-310', ['100004']);
      });
      it('T7 403-187 (queue) and 403-183 (user): Transfer activities on the target', async () => {
        await refused(to('queue', '10'), 'carol', ['100021'], 403, '403-187');
        const body = (await refused(to('user', '1004'), 'bob', ['100003'], 403, '403-183')).json();
        assert.deepEqual(body.details, [{ key: 'userId', value: '1004' }]);
      });
      it('T8 403-186: the target user holds no licence for the type', async () => {
        await refused(to('user', '1003'), 'bob', ['100003'], 403, '403-186', ['100003']);
      });
      it('T9 403-178: others’ work needs Pick Activities', async () => {
        const body = (await refused(to('department', '1000'), 'dave', ['100006'], 403, '403-178')).json();
        assert.match(body.developerMessage, /Pick Activities/);
        assert.deepEqual(body.details, [{ key: 'activityId', value: '100006' }]);
      });
      it('T9 403-182: Pull activities on the assignee', async () => {
        await refused(to('queue', '10'), 'bob', ['100021'], 403, '403-182', ['100021']);
      });
      it('T10 403-177: locked by its assignee', async () => {
        await refused(to('queue', '10'), 'alice', ['100014'], 403, '403-177', ['100014']);
      });
      it('T11 400-305: pinned without unpin=yes; 403-178 with it but without Unpin', async () => {
        await refused(to('queue', '10'), 'alice', ['100012'], 400, '400-305', ['100012']);
        const body = (
          await refused(to('queue', '10'), 'bob', ['100012'], 403, '403-178', undefined, {
            query: '?unpin=yes',
          })
        ).json();
        assert.match(body.developerMessage, /Unpin/);
        assert.deepEqual(body.details, [{ key: 'activityId', value: '100012' }]);
      });
      it('T4 400-306: an outbound email that is not composed', async () => {
        await service.database.db
          .updateTable('activities')
          .set({ mode: 'outbound', subtype: 'reply' })
          .where('id', '=', '100010')
          .execute();
        await refused(to('department', '1000'), 'alice', ['100010'], 400, '400-306', ['100010']);
      });
      it('T6 400-307 / 403-184: not to its holder; only into the target user’s departments', async () => {
        await refused(to('user', '1002'), 'alice', ['100012'], 400, '400-307', ['100012']);
        await refused(to('user', '1002'), 'alice', ['100019'], 403, '403-184', ['100019']);
      });
      it('T6 403-185 / 400-311: departments must share, and the target needs a transfer queue', async () => {
        await refused(to('department', '1001'), 'alice', ['100006'], 403, '403-185', ['100006']);
        await service.database.db
          .insertInto('department_shares')
          .values({ department_id: '999', shared_with_id: '1001' })
          .execute();
        await refused(to('department', '1001'), 'alice', ['100006'], 400, '400-311', ['100006']);
      });
      it('T9 403-180 / 403-181: pick’s licence, then Pull activities on the queue', async () => {
        await refused(to('department', '1000'), 'carol', ['100006'], 403, '403-180', ['100006']);
        await refused(to('department', '999'), 'alice', ['100019'], 403, '403-181', ['100019']);
      });
      it('T12 409-100: a stale lastModified', async () => {
        const before = await snapshot(service);
        const response = await patch(service, to('queue', '10'), {
          as: 'alice',
          body: { activity: [{ id: '100012', lastModified: '2020-01-01T00:00:00.000Z' }] },
          query: '?unpin=yes',
        });
        expectError(response, 409, '409-100', { ids: ['100012'] });
        assert.equal(await snapshot(service), before);
      });
      it('all or nothing: one refused activity keeps the others where they are', async () => {
        await refused(to('department', '1000'), 'alice', ['100009', '100016'], 400, '400-302', ['100016']);
      });
    });

    describe('the request', () => {
      it('400-101 for an unknown query parameter, 400-102 for a bad value', async () => {
        await refused(to('queue', '10'), 'alice', ['100009'], 400, '400-101', undefined, {
          query: '?force=yes',
        });
        await refused(to('queue', '10'), 'alice', ['100009'], 400, '400-102', undefined, {
          query: '?reassign=no',
        });
      });
      it('400-264 without a body', async () => {
        expectError(await patch(service, to('queue', '10'), { as: 'alice' }), 400, '400-264');
      });
      it('403-197 without the manage scope, for a user and for a client application', async () => {
        await refused(to('queue', '10'), 'alice', ['100009'], 403, '403-197', undefined, {
          scope: 'core.casemgr.read',
        });
        await refused(to('queue', '10'), { client: 'crm' }, ['100009'], 403, '403-197', undefined, {
          scope: 'core.casemgr.read',
        });
      });
      it('XML error body when asked', async () => {
        const response = await transfer(to('user', '999999'), 'bob', ['100003'], {
          headers: { accept: 'application/xml' },
        });
        assert.equal(response.status, 404);
        assert.match(String(response.headers['content-type']), /^application\/xml/);
        const parsed = new XMLParser().parse(response.text);
        assert.equal(JSON.stringify(parsed).includes('404-100'), true, response.text);
      });
      it('French error message', async () => {
        const response = await transfer(to('user', '999999'), 'bob', ['100003'], {
          headers: { 'accept-language': 'fr-FR' },
        });
        assert.equal(response.status, 404);
        assert.match(response.json().developerMessage, /introuvables/);
      });
    });

    describe('effects', () => {
      it('to a user: assigned:new to the target, lastModified bumped, one history row', async () => {
        const before = await activityRow(service, '100020');
        const response = await transfer(to('user', '1003'), 'bob', ['100020']);
        assert.equal(response.status, 204, response.text);
        const row = await activityRow(service, '100020');
        assert.equal(row.status, 'assigned');
        assert.equal(row.substatus, 'new');
        assert.equal(row.assigned_user_id, '1003');
        assert.equal(row.queue_id, '10');
        assert.ok(Number(row.last_modified_ms) > Number(before.last_modified_ms));
        const history = await service.history('100020');
        assert.equal(history.length, 1);
        assert.deepEqual(
          [
            history[0].action,
            history[0].from_kind,
            history[0].from_id,
            history[0].to_user_id,
            history[0].by_user_id,
          ],
          ['transferred', 'queue', '10', '1003', '1002'],
        );
      });

      it('to a queue with unpin=yes: pin cleared, no assignee, and the draft moves with its email', async () => {
        const response = await transfer(to('queue', '10'), 'alice', ['100011'], {
          query: '?unpin=yes&reassign=yes',
        });
        assert.equal(response.status, 204, response.text);
        for (const id of ['100011', '100015']) {
          const row = await activityRow(service, id);
          assert.equal(row.status, 'awaiting_assignment', id);
          assert.equal(row.substatus, 'ready_for_assignment', id);
          assert.equal(row.assigned_user_id, null, id);
          assert.equal(row.queue_id, '10', id);
          assert.equal(Number(row.pinned), 0, id);
          assert.equal(row.last_action, 'transferred reassign=yes', id);
          const [entry] = (await service.history(id)).slice(-1);
          assert.deepEqual(
            [entry.from_kind, entry.from_id, entry.to_user_id, entry.by_user_id],
            ['user', '1002', 'queue:10', '1001'],
          );
        }
        assert.equal(Number((await service.history('100011')).at(-1)!.unpinned), 1);
        // A transfer to a queue names no user: "user last worked" does not become the queue.
        const read = await service.request({
          path: '/core/casemgr/v3/activity/100011?$attribute=userLastWorked',
          headers: { authorization: `Bearer ${service.token('alice')}` },
        });
        assert.equal(read.status, 200, read.text);
        assert.ok(!read.text.includes('queue:10'), read.text);
      });

      it('to a department: its transfer queue, the department changed', async () => {
        const response = await transfer(to('department', '1000'), 'alice', ['100007']);
        assert.equal(response.status, 204, response.text);
        const row = await activityRow(service, '100007');
        assert.deepEqual(
          [row.status, row.queue_id, row.department_id],
          ['awaiting_assignment', '11', '1000'],
        );
        assert.equal((await service.history('100007')).at(-1)!.to_user_id, 'department:1000');
      });

      it('to a department: the old one kept as lastDepartment, shown only when asked for', async () => {
        // 100007 left Service (999) in the test above; a queue transfer within a department keeps none.
        assert.equal((await activityRow(service, '100007')).last_department_id, '999');
        assert.equal((await activityRow(service, '100011')).last_department_id, null);
        const read = (query: string, accept = 'application/json') =>
          service.request({
            path: `/core/casemgr/v3/activity/100007${query}`,
            headers: { authorization: `Bearer ${service.token('alice')}`, accept },
          });
        for (const query of ['?$attribute=lastDepartment', '?$attribute=all']) {
          const shown = await read(query);
          assert.equal(shown.status, 200, shown.text);
          assert.deepEqual(shown.json().activity[0].lastDepartment, { id: '999', name: 'Service' }, query);
        }
        const plain = await read('?$attribute=createdBy');
        assert.equal(plain.status, 200, plain.text);
        assert.equal(plain.json().activity[0].lastDepartment, undefined);
        const xml = await read('?$attribute=lastDepartment', 'application/xml');
        assert.equal(xml.status, 200, xml.text);
        const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml.text);
        assert.deepEqual(parsed.activities.activity.lastDepartment, { id: 999, name: 'Service' });
        // Search shows it under the same rule.
        const search = (attribute: string) =>
          service.request({
            path: `/core/casemgr/v3/activity?queueID=11&$pagesize=25&$attribute=${attribute}`,
            headers: { authorization: `Bearer ${service.token('alice')}` },
          });
        const searched = async (attribute: string) => {
          const response = await search(attribute);
          assert.equal(response.status, 200, response.text);
          return response.json().activity.find((a: { id: string }) => a.id === '100007');
        };
        assert.deepEqual((await searched('lastDepartment')).lastDepartment, { id: '999', name: 'Service' });
        assert.equal((await searched('created')).lastDepartment, undefined);
      });

      it('a client application transfers without permissions; history names it', async () => {
        const response = await transfer(to('user', '1002'), { client: 'crm' }, ['100008']);
        assert.equal(response.status, 204, response.text);
        assert.equal((await activityRow(service, '100008')).assigned_user_id, '1002');
        assert.equal((await service.history('100008')).at(-1)!.by_user_id, 'client:crm');
      });
    });
  });
}
