// The HTTP contract of GET /core/casemgr/v3/activity/{ids} (docs/api/read-activities.md), through a
// real server on every dialect: the eGain activity shape in JSON and XML, display values in the
// negotiated language, who may read what, the id rules, and that the lastModified it returns is the
// one a pick accepts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import type { ActivityEntry, OrganisationFile } from '../src/org/organisation-generator.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';
import { expectError } from './support/expect-error.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const READ = '/core/casemgr/v3/activity/';
const ACTIVITY_NS = 'http://bindings.egain.com/ws/model/v12/gen/interaction/activity';
const COMMON_NS = 'http://bindings.egain.com/ws/model/v12/gen/common';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** en-US display values of the built-in vocabulary. */
const ENGLISH: Record<string, string> = {
  'type.email': 'Email',
  'type.social': 'Social',
  'type.task': 'Task',
  'type.call_track': 'Call track',
  'type.chat': 'Chat',
  'type.web': 'Web',
  'subtype.general': 'General',
  'subtype.complaint': 'Complaint',
  'subtype.inquiry': 'Inquiry',
  'subtype.twitter': 'Twitter',
  'subtype.facebook': 'Facebook',
  'subtype.follow_up': 'Follow-up',
  'status.in_workflow': 'In workflow',
  'status.awaiting_assignment': 'In queue waiting to be assigned',
  'status.assigned': 'Assigned to a user',
  'status.in_precompletion': 'In pre-completion',
  'status.completed': 'Completed',
  'substatus.in_workflow': 'In workflow',
  'substatus.ready_for_assignment': 'Ready for assignment',
  'substatus.new': 'New',
  'substatus.in_progress': 'In progress',
  'substatus.in_precompletion': 'In pre-completion',
  'substatus.done': 'Done',
};

/**
 * The well-known world with 100 activities (alice sees all of them: every queue is in Service or
 * Sales), plus vera: an agent of Service whose only role has Pick Activities but not View Agent
 * Console — no user of the generated world lacks that action.
 */
function readWorld(): OrganisationFile {
  const org = fixtureOrganisation(100);
  assert.equal(
    org.users.some((u) => u.id === '1006' || u.loginName === 'vera'),
    false,
  );
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

const notFound = (ids: string) => `The following IDs supplied in the URI path were not found: '${ids}'.`;

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'activity' || name === 'detail' || name === 'link',
});

function startTags(xml: string): string[] {
  return [...xml.matchAll(/<([A-Za-z][\w.-]*)[\s>/]/g)].map((m) => m[1]);
}

for (const dialect of dialects) {
  describe(`read contract over HTTP (${dialect})`, () => {
    const organisation = readWorld();
    let service: TestService;
    /** Each activity's case as stored (the import gives a case to activities the file leaves without). */
    let caseOf: Map<string, string>;
    before(async () => {
      service = await startTestService(dialect, { organisation });
      const rows = await service.database.db.selectFrom('activities').select(['id', 'case_id']).execute();
      caseOf = new Map(rows.map((r) => [r.id, r.case_id!]));
    });
    after(() => service.close());

    const get = (
      ids: string,
      options: {
        login?: string;
        token?: string | null;
        headers?: Record<string, string | undefined>;
        query?: string;
      } = {},
    ) =>
      service.request({
        method: 'GET',
        path: READ + ids + (options.query ?? ''),
        headers: {
          ...(options.token === null
            ? {}
            : { authorization: `Bearer ${options.token ?? service.token(options.login ?? 'alice')}` }),
          ...options.headers,
        },
      });

    /** The activity as the contract says GET shows it in en-US, from the organisation file. */
    function expected(id: string): Record<string, unknown> {
      const a: ActivityEntry = organisation.activities.find((x) => x.id === id)!;
      const department = organisation.departments.find((d) => d.id === a.department)!;
      const queue = organisation.queues.find((q) => q.id === a.queue);
      const user = organisation.users.find((u) => u.id === a.assignedTo);
      const custom = organisation.activityTypes.find((t) => t.name === a.type);
      const customer = organisation.customers.find((c) => c.id === a.customer);
      return {
        id,
        type: {
          value: a.type,
          displayValue: custom?.displayName ?? ENGLISH[`type.${a.type}`],
          ...(a.subtype
            ? { subtype: { value: a.subtype, displayValue: ENGLISH[`subtype.${a.subtype}`] } }
            : {}),
        },
        ...(a.mode ? { mode: a.mode } : {}),
        department: { id: department.id, name: department.name },
        ...(queue ? { queue: { id: queue.id, name: queue.name } } : {}),
        status: {
          value: a.status,
          displayValue: ENGLISH[`status.${a.status}`],
          ...(a.substatus
            ? { substatus: { value: a.substatus, displayValue: ENGLISH[`substatus.${a.substatus}`] } }
            : {}),
          ...(a.status === 'assigned'
            ? {
                assigned: {
                  user: { id: user!.id, name: `${user!.firstName} ${user!.lastName}` },
                  pinned: a.pinned ?? false,
                  locked: a.locked ?? false,
                },
              }
            : {}),
        },
        subject: a.subject,
        ...(a.priority ? { priority: a.priority } : {}),
        created: a.created,
        lastModified: a.lastModified,
        ...(a.dueDate ? { dueDate: a.dueDate } : {}),
        case: {
          id: caseOf.get(id),
          link: [{ rel: 'case', href: `/core/casemgr/v3/case/${caseOf.get(id)}` }],
        },
        ...(customer
          ? {
              customer: {
                id: customer.id,
                firstName: customer.firstName,
                lastName: customer.lastName,
                link: [{ rel: 'customer', href: `/core/casemgr/v3/customer/${customer.id}` }],
              },
            }
          : {}),
        link: [{ rel: 'self', href: `${READ}${id}` }],
      };
    }

    // Only the last test picks (100010); every other test only reads.

    it('200 with the eGain shape, in the order asked', async () => {
      const ids = ['100011', '100001', '100020', '100015', '100018', '100014', '100021', '100019'];
      const response = await get(ids.join(','));
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^application\/json\b/);
      const body = response.json<{ activity: Record<string, unknown>[] }>();
      assert.deepEqual(Object.keys(body), ['activity']);
      assert.deepEqual(
        body.activity.map((a) => a.id),
        ids,
      );
      for (const [i, id] of ids.entries()) assert.deepEqual(body.activity[i], expected(id), id);
      for (const activity of body.activity) {
        assert.match(activity.created as string, ISO_MS);
        assert.match(activity.lastModified as string, ISO_MS);
      }
    });

    it('the well-known 100011 in full', async () => {
      const [activity] = (await get('100011')).json().activity;
      assert.deepEqual(activity, {
        id: '100011',
        type: {
          value: 'email',
          displayValue: 'Email',
          subtype: { value: 'inquiry', displayValue: 'Inquiry' },
        },
        mode: 'inbound',
        department: { id: '999', name: 'Service' },
        queue: { id: '10', name: 'Billing' },
        status: {
          value: 'assigned',
          displayValue: 'Assigned to a user',
          substatus: { value: 'in_progress', displayValue: 'In progress' },
          assigned: { user: { id: '1002', name: 'Bob Baker' }, pinned: true, locked: false },
        },
        subject: 'Dispute on invoice 4511',
        priority: '2',
        created: organisation.activities.find((a) => a.id === '100011')!.created,
        lastModified: await service.lastModified('100011'),
        case: { id: '8002', link: [{ rel: 'case', href: '/core/casemgr/v3/case/8002' }] },
        customer: {
          id: '7002',
          firstName: 'Eli',
          lastName: 'Evans',
          link: [{ rel: 'customer', href: '/core/casemgr/v3/customer/7002' }],
        },
        link: [{ rel: 'self', href: '/core/casemgr/v3/activity/100011' }],
      });
    });

    it('XML: <activities> in the activity namespace, <activity id="…"> in the order asked, elements in order', async () => {
      const response = await get('100011,100020', { headers: { accept: 'application/xml' } });
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^application\/xml\b/);
      assert.ok(response.text.startsWith(XML_DECLARATION), response.text);
      assert.match(
        response.text.slice(XML_DECLARATION.length).trim(),
        new RegExp(`^<activities xmlns="${ACTIVITY_NS}">\\s*<activity id="100011">`),
      );
      const first = response.text.slice(
        response.text.indexOf('<activity id="100011">'),
        response.text.indexOf('</activity>'),
      );
      assert.deepEqual(startTags(first).slice(0, -1), [
        'activity',
        'type',
        'value',
        'displayValue',
        'subtype',
        'value',
        'displayValue',
        'mode',
        'department',
        'id',
        'name',
        'queue',
        'id',
        'name',
        'status',
        'value',
        'displayValue',
        'substatus',
        'value',
        'displayValue',
        'assigned',
        'user',
        'id',
        'name',
        'pinned',
        'locked',
        'subject',
        'priority',
        'created',
        'lastModified',
        'case',
        'link',
        'customer',
        'firstName',
        'lastName',
        'link',
      ]);
      assert.equal(startTags(first).at(-1), 'link');
      const parsed = xmlParser.parse(response.text).activities;
      assert.equal(parsed['@_xmlns'], ACTIVITY_NS);
      assert.deepEqual(
        parsed.activity.map((a: { '@_id': string }) => a['@_id']),
        ['100011', '100020'],
      );
      const [email, claim] = parsed.activity;
      assert.equal(email.type.value, 'email');
      assert.equal(email.status.displayValue, 'Assigned to a user');
      assert.equal(email.status.assigned.user.name, 'Bob Baker');
      assert.equal(email.status.assigned.pinned, 'true');
      assert.equal(email.lastModified, await service.lastModified('100011'));
      assert.equal(claim.type.displayValue, 'Warranty claim');
      assert.equal(claim.queue.name, 'Billing');
    });

    it('display values in the negotiated language; names and user-defined type names stay as they are', async () => {
      const english = (await get('100011,100020')).json().activity;
      const german = (await get('100011,100020', { headers: { 'accept-language': 'de-DE' } })).json()
        .activity;
      assert.notEqual(german[0].status.displayValue, english[0].status.displayValue);
      assert.notEqual(german[0].status.substatus.displayValue, english[0].status.substatus.displayValue);
      assert.notEqual(german[1].status.displayValue, english[1].status.displayValue);
      assert.equal(german[0].status.value, 'assigned');
      assert.equal(german[0].department.name, 'Service');
      assert.equal(german[1].type.displayValue, 'Warranty claim');
      for (const locale of ['fr-FR', 'ja-JP', 'pt', 'EN-us']) {
        const [activity] = (await get('100011', { headers: { 'accept-language': locale } })).json().activity;
        if (locale === 'EN-us') assert.equal(activity.status.displayValue, 'Assigned to a user');
        else assert.notEqual(activity.status.displayValue, 'Assigned to a user', locale);
      }
      const xml = await get('100011', { headers: { accept: 'application/xml', 'accept-language': 'de-DE' } });
      assert.equal(
        xmlParser.parse(xml.text).activities.activity[0].status.displayValue,
        german[0].status.displayValue,
      );
    });

    it('the read scope is enough, and so is manage; another scope gives 403-197', async () => {
      for (const scope of ['core.casemgr.read', 'core.casemgr.manage', 'openid core.casemgr.read']) {
        const response = await get('100001', { token: service.token('alice', { scope }) });
        assert.equal(response.status, 200, `${scope}: ${response.text}`);
      }
      for (const scope of ['', 'core.casemgr.other', 'core.casemgr']) {
        expectError(await get('100001', { token: service.token('alice', { scope }) }), 403, '403-197', {
          message: 'Not authorized to perform this action.',
        });
      }
    });

    it('dave (Viewer) can read', async () => {
      const response = await get('100001,100014', { login: 'dave' });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(
        response.json().activity.map((a: { id: string }) => a.id),
        ['100001', '100014'],
      );
    });

    it('403-178 naming View Agent Console for a user without it', async () => {
      expectError(await get('100001', { login: 'vera' }), 403, '403-178', {
        message: 'User is not allowed to perform the following action: View Agent Console.',
      });
    });

    it('403-197 before 403-178 before 404-100', async () => {
      expectError(await get('1217', { token: service.token('vera', { scope: 'other' }) }), 403, '403-197');
      expectError(await get('1217', { login: 'vera' }), 403, '403-178');
    });

    it('activities of a department the caller cannot see are 404-100, like unknown ones', async () => {
      expectError(await get('100019', { login: 'bob' }), 404, '404-100', {
        message: notFound('100019'),
        ids: ['100019'],
      });
      expectError(await get('100001,100019,1217', { login: 'bob' }), 404, '404-100', {
        message: notFound('100019,1217'),
        ids: ['100019', '1217'],
      });
      // alice has Sales as a foreign department.
      assert.equal((await get('100019')).status, 200);
    });

    it('404-100 names every unknown id in the order asked', async () => {
      expectError(await get('1220,100001,1217'), 404, '404-100', {
        message: notFound('1220,1217'),
        ids: ['1220', '1217'],
      });
      expectError(await get('999999999999999999'), 404, '404-100', { ids: ['999999999999999999'] });
    });

    it('404-100 in XML', async () => {
      const response = await get('1217', {
        headers: { accept: 'application/xml', 'x-egain-error-message': 'yes' },
      });
      assert.equal(response.status, 404);
      assert.match(String(response.headers['content-type']), /^application\/xml\b/);
      assert.ok(response.text.startsWith(XML_DECLARATION));
      assert.deepEqual(startTags(response.text), [
        'error',
        'code',
        'developerMessage',
        'details',
        'detail',
        'key',
        'value',
        'userMessage',
      ]);
      const error = xmlParser.parse(response.text).error;
      assert.equal(error['@_xmlns'], COMMON_NS);
      assert.equal(error.code, '404-100');
      assert.equal(error.developerMessage, notFound('1217'));
      assert.deepEqual(error.details.detail, [{ key: 'activityId', value: '1217' }]);
      assert.equal(typeof error.userMessage, 'string');
    });

    for (const [label, ids] of [
      ['letters', 'abc'],
      ['zero', '0'],
      ['a leading zero', '0123'],
      ['19 digits', '1234567890123456789'],
      ['a repeated id', '100001,100001'],
      ['an empty item', '100001,,100002'],
      ['a trailing comma', '100001,'],
      ['a negative id', '-100001'],
    ] as const) {
      it(`400-106 for ${label}`, async () => {
        expectError(await get(ids), 400, '400-106');
      });
    }

    it('400-106 names the bad ids', async () => {
      const body = expectError(await get('100001,abc,100002,0'), 400, '400-106', { ids: ['abc', '0'] });
      assert.ok(body.developerMessage.includes('abc'), body.developerMessage);
    });

    it('400-106 for 76 ids', async () => {
      const ids = Array.from({ length: 76 }, (_, i) => String(100001 + i));
      expectError(await get(ids.join(',')), 400, '400-106');
    });

    it('400-106 with an eGain body and a request id for a path longer than the router takes', async () => {
      const ids = Array.from({ length: 200 }, (_, i) => String(100000000000 + i));
      const response = await get(ids.join(','));
      expectError(response, 400, '400-106');
      assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    describe('a path longer than the router takes still follows rules 1 and 2 first', () => {
      const longIds = Array.from({ length: 200 }, (_, i) => String(100000000000 + i)).join(',');

      it('401-101 without a token', async () => {
        expectError(await get(longIds, { token: null }), 401, '401-101');
      });

      it('406-101 (JSON body) for Accept: text/html', async () => {
        const response = await get(longIds, { headers: { accept: 'text/html' } });
        expectError(response, 406, '406-101');
      });

      it('406-100 for Accept-Language: xx-YY', async () => {
        expectError(await get(longIds, { headers: { 'accept-language': 'xx-YY' } }), 406, '406-100');
      });

      it('400-106 names the ids as the route does, localized', async () => {
        const named = { ids: longIds.split(','), idsInMessage: false };
        const english = expectError(await get(longIds), 400, '400-106', named);
        const response = await get(longIds, { headers: { 'accept-language': 'de-DE' } });
        const german = expectError(response, 400, '400-106', named);
        assert.notEqual(german.developerMessage, english.developerMessage);
      });

      it('404-101 for a method the route does not have', async () => {
        const response = await service.request({
          method: 'DELETE',
          path: READ + longIds,
          headers: { authorization: `Bearer ${service.token('alice')}` },
        });
        expectError(response, 404, '404-101');
      });
    });

    it('leaves no request waiting for an event-loop turn once 40 concurrent reads are answered', async () => {
      const responses = await Promise.all(Array.from({ length: 40 }, () => get('100001,100002')));
      assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
      const metrics = (await service.request({ path: '/metrics' })).text;
      assert.match(metrics, /^casemgr_requests_waiting_for_turn 0$/m);
    });

    it('200 for 75 ids, in the order asked', async () => {
      const ids = Array.from({ length: 75 }, (_, i) => String(100075 - i));
      const response = await get(ids.join(','));
      assert.equal(response.status, 200, response.text.slice(0, 300));
      assert.deepEqual(
        response.json().activity.map((a: { id: string }) => a.id),
        ids,
      );
    });

    it('404-100 (not a 414) for six unknown 18-digit ids', async () => {
      const ids = Array.from({ length: 6 }, (_, i) => String(900000000000000000n + BigInt(i)));
      expectError(await get(ids.join(',')), 404, '404-100', { ids });
    });

    it('401-101 (not a 414) for a list of 20 ids without a token, with an eGain body and an x-request-id', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => String(100001 + i));
      const response = await get(ids.join(','), { token: null });
      expectError(response, 401, '401-101');
      assert.equal(typeof response.headers['x-request-id'], 'string');
    });

    it('400-106 before 403-197 (the path is judged like the body)', async () => {
      expectError(await get('abc', { token: service.token('alice', { scope: 'other' }) }), 400, '400-106');
    });

    it('400-101 for an unknown query parameter, unpin included', async () => {
      expectError(await get('100001', { query: '?foo=1' }), 400, '400-101', {
        message: "Unsupported query parameter(s) supplied: 'foo'.",
      });
      expectError(await get('100001', { query: '?unpin=yes' }), 400, '400-101', {
        message: "Unsupported query parameter(s) supplied: 'unpin'.",
      });
    });

    it('$attribute: 400-116 for a value outside the list, before 403-197; a known one is accepted', async () => {
      const body = expectError(await get('100001', { query: '?$attribute=colour' }), 400, '400-116');
      assert.deepEqual(body.details, [{ key: 'parameter', value: '$attribute' }]);
      const noScope = service.token('alice', { scope: 'other' });
      expectError(await get('100001', { query: '?$attribute=colour', token: noScope }), 400, '400-116');
      const response = await get('100001', { query: '?$attribute=created,createdBy' });
      assert.equal(response.status, 200, response.text);
    });

    it('401-101 without a token or with a bad one, before everything else', async () => {
      const message = "Invalid or expired 'Authorization' header provided. New login is required.";
      expectError(await get('100001', { token: null }), 401, '401-101', { message });
      expectError(await get('100001', { token: 'garbage' }), 401, '401-101', { message });
      expectError(
        await get('abc', {
          token: null,
          query: '?foo=1',
          headers: { accept: 'text/html', 'accept-language': 'xx-YY' },
        }),
        401,
        '401-101',
        { message },
      );
    });

    it('406-101 and 406-100 as for pick', async () => {
      expectError(await get('100001', { headers: { accept: 'text/html' } }), 406, '406-101');
      expectError(await get('100001', { headers: { 'accept-language': 'xx-YY' } }), 406, '406-100', {
        message: "Invalid 'Accept-Language' header value provided.",
      });
    });

    it('Accept negotiation as for pick', async () => {
      for (const [accept, media] of [
        ['application/xml;q=0.9, application/json', 'json'],
        ['application/json;q=0.5, application/xml', 'xml'],
        ['*/*', 'json'],
        ['application/xml, application/json', 'json'],
      ] as const) {
        const response = await get('100001', { headers: { accept } });
        assert.equal(response.status, 200);
        assert.match(
          String(response.headers['content-type']),
          new RegExp(`^application/${media}\\b`),
          accept,
        );
      }
    });

    it('every response carries an x-request-id', async () => {
      for (const response of [
        await get('100001'),
        await get('1217'),
        await get('abc'),
        await get('100001', { token: null }),
        await get('100001', { headers: { accept: 'text/html' } }),
      ]) {
        const id = response.headers['x-request-id'];
        assert.equal(typeof id, 'string', `${response.status}`);
        assert.ok((id as string).length > 0);
      }
    });

    it('the lastModified GET returns is the one a pick accepts', async () => {
      const [before] = (await get('100010', { login: 'bob' })).json().activity;
      assert.equal(before.status.value, 'awaiting_assignment');
      const pick = await service.pick('bob', [{ id: before.id, lastModified: before.lastModified }]);
      assert.equal(pick.status, 204, pick.text);

      const [afterPick] = (await get('100010')).json().activity;
      assert.equal(afterPick.status.value, 'assigned');
      assert.equal(afterPick.status.assigned.user.id, '1002');
      assert.ok(Date.parse(afterPick.lastModified) > Date.parse(before.lastModified));
      assert.equal(afterPick.lastModified, await service.lastModified('100010'));

      // The value read before bob's pick is stale now; the one read after it is accepted.
      const stale = await service.pick('alice', [{ id: '100010', lastModified: before.lastModified }]);
      expectError(stale, 409, '409-100', { ids: ['100010'] });
      const fresh = await service.pick('alice', [{ id: '100010', lastModified: afterPick.lastModified }]);
      assert.equal(fresh.status, 204, fresh.text);
    });
  });
}
