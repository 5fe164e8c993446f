// The HTTP contract of GET /core/casemgr/v3/activity (docs/api/search-activities.md), through a real
// server on every dialect: each filter, page and range windows, sort and order, $attribute, 204s,
// paginationInfo and its links, department visibility, every refusal in its documented order, XML,
// a French error, and what client applications may and must send.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { issueClientToken } from '../src/auth/token-issuer.js';
import type { OrganisationFile } from '../src/org/organisation-generator.js';
import { KeyStore } from '../src/store/key-store.js';
import { expectError } from './support/expect-error.js';
import { createdId, EMAIL_PATH, post } from './support/intake-requests.js';
import { itemsOf, patch } from './support/lifecycle-requests.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const SEARCH = '/core/casemgr/v3/activity';

/** The well-known world with 100 activities, plus vera: an agent without View Agent Console. */
function searchWorld(): OrganisationFile {
  const org = fixtureOrganisation(100);
  org.roles.push({ id: '4', name: 'Picker without console', actions: ['Pick Activities'] });
  org.users.push({
    id: '1006',
    loginName: 'vera',
    firstName: 'Vera',
    lastName: 'Vogel',
    homeDepartment: '999',
    licenses: ['eGain Advisor Desktop'],
    roles: ['4'],
  });
  return org;
}

interface Row {
  id: string;
  department_id: string;
  queue_id: string | null;
  status: string;
  substatus: string | null;
  type: string;
  mode: string | null;
  assigned_user_id: string | null;
  case_id: string | null;
  customer_id: string | null;
  created_ms: number;
  last_modified_ms: number;
}

const byNumericId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

for (const dialect of dialects) {
  describe(`search contract over HTTP (${dialect})`, () => {
    let service: TestService;
    let rows: Row[];
    let clientToken: (scope?: string) => string;

    before(async () => {
      service = await startTestService(dialect, { organisation: searchWorld() });
      rows = (await service.database.db.selectFrom('activities').selectAll().execute()).map((r) => ({
        ...r,
        created_ms: Number(r.created_ms),
        last_modified_ms: Number(r.last_modified_ms),
      }));
      const key = await new KeyStore(service.database.db).getOrCreate(Date.now());
      clientToken = (scope = 'core.casemgr.read') =>
        issueClientToken(key, { clientId: 'crm', scope, expiresInSeconds: 3600 });
    });
    after(() => service?.close());

    const get = (query: string, login = 'alice', headers: Record<string, string> = {}) =>
      service.request({
        path: `${SEARCH}?${query}`,
        headers: { authorization: `Bearer ${service.token(login)}`, ...headers },
      });
    const asClient = (query: string, scope?: string, headers: Record<string, string> = {}) =>
      service.request({
        path: `${SEARCH}?${query}`,
        headers: { authorization: `Bearer ${clientToken(scope)}`, ...headers },
      });
    const ids = async (query: string, login = 'alice') => {
      const response = await get(query, login);
      if (response.status === 204) return [];
      assert.equal(response.status, 200, response.text);
      return response.json<{ activity: { id: string }[] }>().activity.map((a) => a.id);
    };
    /** Ids alice (home Service, foreign Sales) sees, matching `keep`, in numeric order. */
    const expected = (keep: (row: Row) => boolean) =>
      rows
        .filter((r) => ['999', '1000'].includes(r.department_id) && keep(r))
        .map((r) => r.id)
        .sort(byNumericId);

    describe('filters', () => {
      it('queueID, with status and status:substatus', async () => {
        assert.deepEqual(
          await ids('queueID=10&$pagesize=75'),
          expected((r) => r.queue_id === '10').slice(0, 75),
        );
        assert.deepEqual(
          await ids('queueID=10&status=assigned&$pagesize=75'),
          expected((r) => r.queue_id === '10' && r.status === 'assigned'),
        );
        assert.deepEqual(
          await ids('queueID=10&status=assigned:in_progress&$pagesize=75'),
          expected((r) => r.queue_id === '10' && r.status === 'assigned' && r.substatus === 'in_progress'),
        );
      });
      it('status=open is every status but completed', async () => {
        const open = expected((r) => r.status !== 'completed' && r.queue_id === '10');
        assert.ok(rows.some((r) => r.status === 'completed' && r.queue_id === '10'));
        assert.deepEqual(await ids('status=open&queueID=10&$pagesize=75'), open.slice(0, 75));
      });
      it('assignedTo (a user id) and assignedUserName (a login)', async () => {
        const bobs = expected((r) => r.assigned_user_id === '1002');
        assert.ok(bobs.length > 0);
        assert.deepEqual(await ids('assignedTo=1002&$pagesize=75'), bobs);
        assert.deepEqual(await ids('assignedUserName=bob&$pagesize=75'), bobs);
        assert.deepEqual(await ids('assignedUserName=nobody'), []);
      });
      it('caseID and customerID', async () => {
        assert.deepEqual(await ids('caseID=8001'), ['100001', '100002', '100003', '100004', '100005']);
        assert.deepEqual(
          await ids('customerID=7001'),
          expected((r) => r.customer_id === '7001'),
        );
        assert.deepEqual(await ids('customerID=700'), [], 'exact match only');
      });
      it('type and mode, with another filter', async () => {
        assert.deepEqual(
          await ids('type=email&mode=outbound&$pagesize=75'),
          expected((r) => r.type === 'email' && r.mode === 'outbound'),
        );
        assert.deepEqual(
          await ids('type=task&queueID=10&$pagesize=75'),
          expected((r) => r.type === 'task' && r.queue_id === '10'),
        );
      });
      it('created and lastModified ranges, inclusive, one end optional; createdDate and lastModifiedDate too', async () => {
        const sorted = [...rows].sort((a, b) => a.created_ms - b.created_ms);
        const from = sorted[10].created_ms;
        const to = sorted[20].created_ms;
        const iso = (ms: number) => new Date(ms).toISOString();
        const inRange = expected((r) => r.created_ms >= from && r.created_ms <= to);
        assert.deepEqual(await ids(`created=[${iso(from)},${iso(to)}]&$pagesize=75`), inRange);
        assert.deepEqual(await ids(`createdDate=[${iso(from)},${iso(to)}]&$pagesize=75`), inRange);
        assert.deepEqual(
          await ids(`created=[,${iso(from)}]&$pagesize=75`),
          expected((r) => r.created_ms <= from),
        );
        const lm = sorted[50].last_modified_ms;
        const after = expected((r) => r.last_modified_ms >= lm);
        assert.deepEqual(await ids(`lastModified=[${iso(lm)},]&$pagesize=75`), after.slice(0, 75));
        assert.deepEqual(await ids(`lastModifiedDate=[${iso(lm)},]&$pagesize=75`), after.slice(0, 75));
      });
      it('filters are AND-ed', async () => {
        assert.deepEqual(
          await ids('queueID=10&assignedTo=1002&status=assigned:in_progress'),
          expected(
            (r) => r.queue_id === '10' && r.assigned_user_id === '1002' && r.substatus === 'in_progress',
          ),
        );
      });
    });

    describe('visibility', () => {
      it('a user sees only home and foreign departments: a filter, not an error', async () => {
        const sales = expected((r) => r.queue_id === '11');
        assert.ok(sales.length > 0);
        assert.deepEqual(await ids('queueID=11&$pagesize=75', 'alice'), sales.slice(0, 75));
        const response = await get('queueID=11', 'bob');
        assert.equal(response.status, 204);
        assert.equal(response.text, '');
      });
    });

    describe('paging, range, sort', () => {
      it('default: page 1 of 25 in id order, with paginationInfo (count, pagenum, pagesize, next)', async () => {
        const response = await get('queueID=10');
        assert.equal(response.status, 200);
        const body = response.json();
        const all = expected((r) => r.queue_id === '10');
        assert.ok(all.length > 25);
        assert.deepEqual(
          body.activity.map((a: { id: string }) => a.id),
          all.slice(0, 25),
        );
        assert.deepEqual(body.paginationInfo, {
          count: all.length,
          pagenum: 1,
          pagesize: 25,
          link: [{ rel: 'next', href: `${SEARCH}?queueID=10&$pagenum=2&$pagesize=25` }],
        });
      });
      it('a middle page has prev and next; the last page only prev; past the end 204', async () => {
        const all = expected((r) => r.queue_id === '10');
        const middle = (await get('queueID=10&$pagenum=2&$pagesize=5')).json();
        assert.deepEqual(
          middle.activity.map((a: { id: string }) => a.id),
          all.slice(5, 10),
        );
        assert.deepEqual(middle.paginationInfo.link, [
          { rel: 'prev', href: `${SEARCH}?queueID=10&$pagenum=1&$pagesize=5` },
          { rel: 'next', href: `${SEARCH}?queueID=10&$pagenum=3&$pagesize=5` },
        ]);
        const lastNum = Math.ceil(all.length / 5);
        const last = (await get(`queueID=10&$pagenum=${lastNum}&$pagesize=5`)).json();
        assert.equal(last.paginationInfo.count, all.length);
        assert.deepEqual(
          last.paginationInfo.link.map((l: { rel: string }) => l.rel),
          ['prev'],
        );
        const past = await get(`queueID=10&$pagenum=${lastNum + 1}&$pagesize=5`);
        assert.equal(past.status, 204);
        assert.equal(past.text, '');
      });
      it('range: $rangestart/$rangesize, no paginationInfo; past the end 204', async () => {
        const all = expected((r) => r.queue_id === '10');
        const response = await get('queueID=10&$rangestart=3&$rangesize=4');
        const body = response.json();
        assert.deepEqual(
          body.activity.map((a: { id: string }) => a.id),
          all.slice(2, 6),
        );
        assert.equal(body.paginationInfo, undefined);
        assert.equal((await get(`queueID=10&$rangestart=${all.length + 1}`)).status, 204);
      });
      it('nothing matches: 204 without a body', async () => {
        const response = await get('caseID=999999');
        assert.equal(response.status, 204);
        assert.equal(response.text, '');
      });
      for (const [sort, key] of [
        ['created', (r: Row) => r.created_ms],
        ['lastModified', (r: Row) => r.last_modified_ms],
      ] as const) {
        it(`$sort=${sort} asc and desc, ties broken by id`, async () => {
          const mine = rows.filter((r) => r.queue_id === '10');
          const asc = [...mine].sort((a, b) => key(a) - key(b) || byNumericId(a.id, b.id)).map((r) => r.id);
          assert.deepEqual(await ids(`queueID=10&$sort=${sort}&$pagesize=75`), asc.slice(0, 75));
          assert.deepEqual(
            await ids(`queueID=10&$sort=${sort}&$order=desc&$pagesize=75`),
            [...asc].reverse().slice(0, 75),
          );
        });
      }
      it('$sort=id&$order=desc is numeric descending', async () => {
        assert.deepEqual(
          await ids('queueID=10&$sort=id&$order=desc&$pagesize=10'),
          expected((r) => r.queue_id === '10')
            .reverse()
            .slice(0, 10),
        );
      });
      it('$sort=case, department and dueDate answer a stable order', async () => {
        for (const sort of ['case', 'department', 'dueDate']) {
          const first = await ids(`status=open&$sort=${sort}&$pagesize=75`);
          assert.deepEqual(await ids(`status=open&$sort=${sort}&$pagesize=75`), first);
          assert.equal(new Set(first).size, first.length);
        }
      });
    });

    describe('representation', () => {
      it('case and customer with links; $attribute adds its groups', async () => {
        const body = (await get('caseID=8002&$attribute=all')).json();
        const first = body.activity[0];
        assert.equal(first.id, '100011');
        assert.deepEqual(first.case, {
          id: '8002',
          link: [{ rel: 'case', href: '/core/casemgr/v3/case/8002' }],
        });
        assert.deepEqual(first.customer, {
          id: '7002',
          firstName: 'Eli',
          lastName: 'Evans',
          link: [{ rel: 'customer', href: '/core/casemgr/v3/customer/7002' }],
        });
        assert.deepEqual(first.status.assigned.user, { id: '1002', name: 'Bob Baker' });
      });
      it('display values follow Accept-Language', async () => {
        const body = (await get('caseID=8001', 'alice', { 'accept-language': 'fr-FR' })).json();
        const english = (await get('caseID=8001')).json();
        assert.notEqual(body.activity[0].status.displayValue, english.activity[0].status.displayValue);
      });
      it('XML: activities, case and customer ids as attributes, paginationInfo with links', async () => {
        const response = await get('queueID=10&$pagesize=2', 'alice', { accept: 'application/xml' });
        assert.equal(response.status, 200);
        assert.match(String(response.headers['content-type']), /^application\/xml/);
        const parsed = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(response.text);
        const activities = parsed.activities;
        assert.equal(activities.activity.length, 2);
        assert.equal(activities.activity[0]['@_id'], '100001');
        assert.equal(activities.activity[0].case['@_id'], '8001');
        assert.equal(activities.activity[0].customer['@_id'], '7001');
        assert.equal(activities.paginationInfo.pagesize, '2');
        assert.equal(activities.paginationInfo.link['@_rel'], 'next');
      });
    });

    describe('refusals, in order', () => {
      it('401-101 without a token', async () => {
        expectError(await service.request({ path: `${SEARCH}?queueID=10` }), 401, '401-101');
      });
      it('400-101 names unknown parameters and those not for the caller', async () => {
        const body = expectError(await get('queueID=10&foo=1&department=Service'), 400, '400-101');
        assert.deepEqual(body.details, [
          { key: 'parameter', value: 'foo' },
          { key: 'parameter', value: 'department' },
        ]);
        expectError(await asClient('caseID=8001&queueID=10'), 400, '400-101');
        expectError(await asClient('caseID=8001&customerID=7001'), 400, '400-101');
      });
      it('400-102 for an unknown $sort, $order or mode value', async () => {
        expectError(await get('queueID=10&$sort=subject'), 400, '400-102');
        expectError(await get('queueID=10&$sort=id&$order=up'), 400, '400-102');
        expectError(await get('queueID=10&mode=sideways'), 400, '400-102');
      });
      it('400-120 for paging and range together', async () => {
        expectError(await get('queueID=10&$pagenum=1&$rangesize=5'), 400, '400-120');
      });
      it('400-124 for $order without $sort', async () => {
        expectError(await get('queueID=10&$order=desc'), 400, '400-124');
      });
      for (const [query, name] of [
        ['$pagenum=0', '$pagenum'],
        ['$pagesize=76', '$pagesize'],
        ['$pagesize=10000', '$pagesize'],
        ['$rangestart=x', '$rangestart'],
        ['$rangesize=0', '$rangesize'],
        ['caseID=abc', 'caseID'],
        ['status=sleeping', 'status'],
        ['status=open:new', 'status'],
        ['queueID=01', 'queueID'],
        ['assignedTo=bob', 'assignedTo'],
        ['customerID=', 'customerID'],
        ['created=2026-01-01', 'created'],
        ['created=[,]', 'created'],
        ['createdDate=[2026-13-01T00:00:00Z,]', 'createdDate'],
        ['lastModified=[2026-02-01T00:00:00Z,2026-01-01T00:00:00Z]', 'lastModified'],
        ['lastModifiedDate=[yesterday,]', 'lastModifiedDate'],
        ['queueID=10&queueID=11', 'queueID'],
      ] as const) {
        it(`400-244 naming ${name} for ${query}`, async () => {
          const body = expectError(
            await get(query.includes('queueID') ? query : `queueID=10&${query}`),
            400,
            '400-244',
            {
              message: `Invalid value provided for query parameter: '${name}'.`,
            },
          );
          assert.deepEqual(body.details, [{ key: 'parameter', value: name }]);
        });
      }
      it('400-116 for an unknown $attribute value', async () => {
        expectError(await get('queueID=10&$attribute=created,colour'), 400, '400-116', {
          message:
            "Unsupported value for $attribute query parameter: 'colour'. Only the following attributes are supported: 'all,created,createdBy,payload,lastDepartment,userLastWorked'.",
        });
      });
      it('400-614 for type alone (paging does not count as a filter)', async () => {
        expectError(await get('type=email'), 400, '400-614');
        expectError(await get('type=email&$pagesize=5'), 400, '400-614');
      });
      it('400 codes come before 403-197 and 403-178', async () => {
        const readOnly = (query: string) =>
          service.request({
            path: `${SEARCH}?${query}`,
            headers: { authorization: `Bearer ${service.token('alice', { scope: 'other' })}` },
          });
        expectError(await readOnly('type=email'), 400, '400-614');
        expectError(await readOnly('queueID=10'), 403, '403-197');
        expectError(await get('type=email', 'vera'), 400, '400-614');
        expectError(await get('queueID=10', 'vera'), 403, '403-178', {
          message: 'User is not allowed to perform the following action: View Agent Console.',
        });
      });
      it('the read scope is enough', async () => {
        const response = await service.request({
          path: `${SEARCH}?caseID=8001`,
          headers: { authorization: `Bearer ${service.token('alice', { scope: 'core.casemgr.read' })}` },
        });
        assert.equal(response.status, 200);
      });
      it('a French error', async () => {
        const response = await get('queueID=10&foo=1', 'alice', { 'accept-language': 'fr-FR' });
        const body = expectError(response, 400, '400-101');
        const english = expectError(await get('queueID=10&foo=1'), 400, '400-101');
        assert.notEqual(body.developerMessage, english.developerMessage);
        assert.match(body.developerMessage, /foo/);
      });
      it('an error in XML', async () => {
        const response = await get('queueID=10&$order=desc', 'alice', { accept: 'application/xml' });
        assert.equal(response.status, 400);
        assert.match(response.text, /<code>400-124<\/code>/);
      });
    });

    // Last: it picks, so the rows read in `before` no longer describe 100001.
    describe('after a pick', () => {
      it('$attribute=userLastWorked names the last user it was assigned to; without it, nothing', async () => {
        const lastModified = await service.lastModified('100001');
        assert.equal((await service.pick('alice', [{ id: '100001', lastModified }])).status, 204);
        const shown = (await get('caseID=8001&$attribute=userLastWorked')).json().activity[0];
        assert.deepEqual(shown.userLastWorked, { id: '1001', name: 'Alice Archer' });
        const plain = (await get('caseID=8001')).json().activity[0];
        assert.equal(plain.userLastWorked, undefined);
        assert.deepEqual(await ids('assignedTo=1001&caseID=8001'), ['100001']);
      });
    });

    describe('an email that came in', () => {
      it('is found, with its payload on request, in JSON and XML', async () => {
        const created = await post(service, EMAIL_PATH, {
          as: { client: 'mail-gateway' },
          body: {
            department: { name: 'Service' },
            type: { value: 'email', subtype: { value: 'general' } },
            subject: 'My invoice is wrong',
            payload: {
              email: {
                emailAddresses: { from: 'dana@example.net', receiver: 'billing@example.com' },
                content: { text: 'Please check invoice 42.' },
              },
            },
          },
        });
        const id = createdId(created);
        const found = (
          await get('customerID=7001&$sort=id&$order=desc&$pagesize=1&$attribute=createdBy,payload')
        ).json().activity[0];
        assert.equal(found.id, id);
        // Only a user is recorded as creator; a client application's email has no createdBy.
        assert.equal(found.createdBy, undefined);
        assert.equal(found.payload.email.emailAddresses.from, 'dana@example.net');
        const plain = (await get('customerID=7001&$sort=id&$order=desc&$pagesize=1')).json().activity[0];
        assert.equal(plain.payload, undefined);
        assert.equal(plain.createdBy, undefined);
        const xml = await get('customerID=7001&$sort=id&$order=desc&$pagesize=1&$attribute=all', 'alice', {
          accept: 'application/xml',
        });
        assert.equal(xml.status, 200, xml.text);
        assert.match(xml.text, /<from>dana@example.net<\/from>/);
      });
    });

    describe('client applications', () => {
      it('caseID alone is enough; every department is visible', async () => {
        const response = await asClient('caseID=8003');
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(
          response.json().activity.map((a: { id: string }) => a.id),
          ['100019'],
        );
      });
      it('type + status + department (a name)', async () => {
        const response = await asClient(
          'type=email&status=awaiting_assignment&department=Sales&$pagesize=75',
        );
        assert.equal(response.status, 200, response.text);
        const want = rows
          .filter(
            (r) => r.type === 'email' && r.status === 'awaiting_assignment' && r.department_id === '1000',
          )
          .map((r) => r.id)
          .sort(byNumericId);
        assert.deepEqual(
          response.json().activity.map((a: { id: string }) => a.id),
          want.slice(0, 75),
        );
      });
      it('400-245 without caseID or all of type, status, department', async () => {
        const body = expectError(await asClient('status=open&department=Sales'), 400, '400-245', {
          message:
            "At least one of the following API specific query parameters is required: 'caseID,type,status,department'.",
        });
        assert.equal(body.details?.length, 4);
        expectError(await asClient('mode=inbound&type=email&status=open'), 400, '400-245');
      });
      it('403-197 without a read or manage scope', async () => {
        expectError(await asClient('caseID=8001', 'other'), 403, '403-197');
      });
      it('GET by ids admits them too, with $attribute', async () => {
        const response = await service.request({
          path: '/core/casemgr/v3/activity/100019,100001?$attribute=createdBy',
          headers: { authorization: `Bearer ${clientToken()}` },
        });
        assert.equal(response.status, 200, response.text);
        assert.deepEqual(
          response.json().activity.map((a: { id: string }) => a.id),
          ['100019', '100001'],
        );
      });
    });

    // Last: it moves 100001 (case 8001) out of Service.
    describe('after a department transfer', () => {
      it('$attribute=lastDepartment (or all) names the department it left; without it, nothing', async () => {
        const body = await itemsOf(service, ['100001']);
        const moved = await patch(service, '/transfer/department/1000', { as: 'alice', body });
        assert.equal(moved.status, 204, moved.text);
        for (const attribute of ['lastDepartment', 'all']) {
          const shown = (await get(`caseID=8001&$attribute=${attribute}`)).json().activity[0];
          assert.deepEqual(shown.lastDepartment, { id: '999', name: 'Service' }, attribute);
        }
        assert.equal(
          (await get('caseID=8001&$attribute=created')).json().activity[0].lastDepartment,
          undefined,
        );
        const xml = await get('caseID=8001&$attribute=lastDepartment', 'alice', {
          accept: 'application/xml',
        });
        assert.equal(xml.status, 200, xml.text);
        const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml.text).activities.activity;
        // The first of case 8001's activities in id order, as in JSON.
        const activity = Array.isArray(parsed) ? parsed[0] : parsed;
        assert.equal(String(activity['@_id']), '100001');
        assert.deepEqual(activity.lastDepartment, { id: 999, name: 'Service' });
      });
    });
  });
}
