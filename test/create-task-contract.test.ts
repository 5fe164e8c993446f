// The HTTP contract of POST /core/casemgr/v3/activity/task (docs/api/create-task.md) through a real
// server on every dialect: every rule and code in its order, error bodies in JSON, XML and French,
// client-application tokens, the created activity as stored and as GET reads it, and that a refused
// or failed create leaves no customer, case, contact point or activity behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type HttpResponse, type TestService } from './support/test-service.js';
import { expectError } from './support/expect-error.js';
import {
  TASK_PATH,
  createdId,
  occupyNextActivityId,
  post,
  rowCounts,
  storedActivity,
  type IntakeCall,
} from './support/intake-requests.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const DAY = 86_400_000;
const BY_EMAIL = '?searchContactOnAttribute=email.emailAddress';
const msg146 = (a: string) => `Required attribute is missing in request body: '${a}'.`;
const msg147 = (a: string) => `Unsupported attribute is present in request body: '${a}'.`;
const msg152 = (a: string) =>
  `Invalid value is provided in the request body for the following attribute:'${a}'.`;
const EMAIL_PATH_IN_BODY = 'customer.contacts.contact.email.emailAddress';
const PHONE_PATH_IN_BODY = 'customer.contacts.contact.phone.phoneNumber';

/** A CRM's task for dana@example.net in Service, as eGain's own example spells it (lower-case names). */
function task(overrides: Record<string, unknown> = {}, email = 'dana@example.net'): Record<string, unknown> {
  return {
    department: { name: 'service' },
    type: { value: 'task', subtype: { value: 'General' } },
    subject: 'Call Dana back about her invoice',
    customer: {
      type: { value: 'individual' },
      contacts: { contact: [{ firstName: 'Dana', lastName: 'Diaz', email: [{ emailAddress: email }] }] },
    },
    ...overrides,
  };
}

function withPhone(type: string, phoneNumber: string): Record<string, unknown> {
  return task({
    customer: { contacts: { contact: [{ firstName: 'P', lastName: 'Q', phone: [{ phoneNumber, type }] }] } },
  });
}

const xmlParser = new XMLParser();

for (const dialect of dialects) {
  describe(`create a task (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(async () => {
      await service.close();
    });

    const create = (call: Partial<IntakeCall>) =>
      post(service, TASK_PATH, { as: 'alice', query: BY_EMAIL, body: task(), ...call });

    /** A refusal that must change nothing: counts before and after are equal. */
    async function refused(call: Partial<IntakeCall>, status: number, code: string, message?: string) {
      const before = await rowCounts(service);
      const response = await create(call);
      expectError(response, status, code, message === undefined ? {} : { message });
      assert.deepEqual(await rowCounts(service), before);
      return response;
    }

    describe('success', () => {
      it('201 with Location and no body: a task for an existing customer, a new case, assigned to the caller', async () => {
        const before = await rowCounts(service);
        const id = createdId(await create({ body: task({ priority: '2' }) }));
        const row = await storedActivity(service, id);
        assert.equal(row.type, 'task');
        assert.equal(row.subtype, 'general');
        assert.equal(row.mode, 'none');
        assert.equal(row.status, 'assigned');
        assert.equal(row.substatus, 'new');
        assert.equal(row.assigned_user_id, '1001');
        assert.equal(row.queue_id, null);
        assert.equal(row.department_id, '999');
        assert.equal(row.priority, '2');
        assert.equal(row.customer_id, '7001');
        assert.equal(row.created_by, '1001');
        assert.equal(Number(row.created_ms), Number(row.last_modified_ms));
        assert.ok(Math.abs(Number(row.created_ms) - Date.now()) < 60_000);
        const kase = await service.database.db
          .selectFrom('cases')
          .selectAll()
          .where('id', '=', row.case_id!)
          .executeTakeFirstOrThrow();
        assert.equal(kase.customer_id, '7001');
        assert.equal(kase.status, 'open');
        const after = await rowCounts(service);
        // One activity and one case; no customer, contact point or history row.
        assert.deepEqual(after, { ...before, activities: before.activities + 1, cases: before.cases + 1 });
      });

      it('stores the payload in eGain’s shape and the dueDate', async () => {
        const dueDate = new Date(Date.now() + DAY).toISOString();
        const id = createdId(
          await create({
            body: task({
              subject: undefined,
              dueDate,
              payload: { task: { content: { text: 'hi', html: '<p>hi</p>' } } },
            }),
          }),
        );
        const row = await storedActivity(service, id);
        assert.deepEqual(JSON.parse(row.payload_json!), {
          task: { content: { text: 'hi', html: '<p>hi</p>' } },
        });
        assert.equal(row.subject, '');
        assert.equal(Number(row.due_date_ms), Date.parse(dueDate));
      });

      it('the created activity is readable through GET /activity/{id}', async () => {
        const id = createdId(await create({}));
        const response = await service.request({
          path: `/core/casemgr/v3/activity/${id}`,
          headers: { authorization: `Bearer ${service.token('alice')}` },
        });
        assert.equal(response.status, 200, response.text);
        const [activity] = response.json().activity;
        assert.equal(activity.id, id);
        assert.equal(activity.type.value, 'task');
        assert.equal(activity.status.value, 'assigned');
      });

      it('finds the customer by mobile.phone', async () => {
        const id = createdId(
          await create({
            query: '?searchContactOnAttribute=mobile.phone',
            body: withPhone('mobile', '+15551234'),
          }),
        );
        assert.equal((await storedActivity(service, id)).customer_id, '7001');
      });

      it('finds a shared customer (department_key "") from Service and from Sales', async () => {
        const service1 = createdId(await create({ body: task({}, 'GUS@example.com') }));
        assert.equal((await storedActivity(service, service1)).customer_id, '7004');
        const sales = createdId(
          await create({ body: task({ department: { name: 'SALES' } }, 'gus@example.com') }),
        );
        const row = await storedActivity(service, sales);
        assert.equal(row.customer_id, '7004');
        assert.equal(row.department_id, '1000');
      });

      it('createCustomer=yes creates the customer in the department with its contact points', async () => {
        const before = await rowCounts(service);
        const body = task({
          customer: {
            contacts: {
              contact: [
                {
                  firstName: 'Hal',
                  lastName: 'Hope',
                  email: [{ emailAddress: 'Hal@Example.net' }],
                  phone: [{ phoneNumber: '+15559999', type: 'office' }],
                },
              ],
            },
          },
        });
        const id = createdId(await create({ query: `${BY_EMAIL}&createCustomer=yes`, body }));
        const row = await storedActivity(service, id);
        const customer = await service.database.db
          .selectFrom('customers')
          .selectAll()
          .where('id', '=', row.customer_id!)
          .executeTakeFirstOrThrow();
        assert.equal(customer.first_name, 'Hal');
        assert.equal(customer.department_id, '999');
        const contacts = await service.database.db
          .selectFrom('customer_contacts')
          .select(['kind', 'value', 'department_key'])
          .where('customer_id', '=', customer.id)
          .orderBy('kind')
          .execute();
        assert.deepEqual(contacts, [
          { kind: 'email', value: 'hal@example.net', department_key: '999' },
          { kind: 'office', value: '+15559999', department_key: '999' },
        ]);
        assert.deepEqual(await rowCounts(service), {
          ...before,
          activities: before.activities + 1,
          cases: before.cases + 1,
          customers: before.customers + 1,
          contacts: before.contacts + 2,
        });
        // The second task for Hal finds him: no second customer.
        const again = createdId(await create({ query: `${BY_EMAIL}&createCustomer=yes`, body }));
        assert.equal((await storedActivity(service, again)).customer_id, customer.id);
      });

      it('case.id joins an open case; joining a closed case reopens it', async () => {
        const open = createdId(await create({ body: task({ case: { id: '8001' } }) }));
        assert.equal((await storedActivity(service, open)).case_id, '8001');
        const before = await rowCounts(service);
        const closed = createdId(await create({ body: task({ case: { id: '8004' } }) }));
        assert.equal((await storedActivity(service, closed)).case_id, '8004');
        const kase = await service.database.db
          .selectFrom('cases')
          .selectAll()
          .where('id', '=', '8004')
          .executeTakeFirstOrThrow();
        assert.equal(kase.status, 'open');
        assert.equal(kase.closed_ms, null);
        assert.equal((await rowCounts(service)).cases, before.cases);
      });

      it('type and subtype match in any letter case; an imported task subtype is known', async () => {
        const id = createdId(
          await create({ body: task({ type: { value: 'TASK', subtype: { value: 'Follow_Up' } } }) }),
        );
        assert.equal((await storedActivity(service, id)).subtype, 'follow_up');
      });

      it('another assignee by id (with Transfer activities on them) and by loginId', async () => {
        const byId = createdId(
          await create({ as: 'bob', body: task({ status: { assigned: { user: { id: '1003' } } } }) }),
        );
        const row = await storedActivity(service, byId);
        assert.equal(row.assigned_user_id, '1003');
        assert.equal(row.created_by, '1002');
        const byLogin = createdId(
          await create({ body: task({ status: { assigned: { user: { loginId: 'carol' } } } }) }),
        );
        assert.equal((await storedActivity(service, byLogin)).assigned_user_id, '1003');
        // Naming oneself needs no transfer permission.
        const self = createdId(
          await create({ as: 'carol', body: task({ status: { assigned: { user: { id: '1003' } } } }) }),
        );
        assert.equal((await storedActivity(service, self)).assigned_user_id, '1003');
      });

      it('a client application (scope manage) creates a task for a named assignee', async () => {
        const id = createdId(
          await create({
            as: { client: 'crm' },
            body: task({ status: { assigned: { user: { id: '1002' } } } }),
          }),
        );
        const row = await storedActivity(service, id);
        assert.equal(row.assigned_user_id, '1002');
        assert.equal(row.created_by, null);
      });
    });

    describe('query parameters', () => {
      it('400-101 for an unknown parameter', async () => {
        await refused({ query: `${BY_EMAIL}&color=red` }, 400, '400-101');
      });
      it('400-102 for another searchContactOnAttribute value, naming the allowed ones', async () => {
        const response = await refused(
          { query: '?searchContactOnAttribute=social.twitterId' },
          400,
          '400-102',
        );
        assert.match(
          response.json().developerMessage,
          /email\.emailAddress,home\.phone,mobile\.phone,office\.phone/,
        );
      });
      it('400-102 for createCustomer=no and for activityContact=fax', async () => {
        await refused({ query: `${BY_EMAIL}&createCustomer=no` }, 400, '400-102');
        await refused({ query: `${BY_EMAIL}&activityContact=fax` }, 400, '400-102');
      });
      it('400-112 without searchContactOnAttribute, before the body is judged', async () => {
        const response = await refused({ query: '', body: undefined }, 400, '400-112');
        assert.match(response.json().developerMessage, /'searchContactOnAttribute'/);
      });
    });

    describe('body', () => {
      it('400-264 without a body', async () => {
        await refused({ body: undefined }, 400, '400-264');
      });
      it('400-152 naming body for JSON that is not an object', async () => {
        await refused({ body: '[1]' }, 400, '400-152', msg152('body'));
      });
      it('400-147 names an unknown attribute by its dotted path', async () => {
        const body = task();
        (body.customer as any).contacts.contact[0].fax = '1'; // eslint-disable-line @typescript-eslint/no-explicit-any
        await refused({ body }, 400, '400-147', msg147('customer.contacts.contact.fax'));
        await refused({ body: task({ color: 'red' }) }, 400, '400-147', msg147('color'));
      });
      it('400-147 outranks 400-146 and 400-152', async () => {
        await refused({ body: { priority: '9', zzz: 1 } }, 400, '400-147', msg147('zzz'));
      });
      it('400-146 names a missing attribute', async () => {
        await refused({ body: task({ department: undefined }) }, 400, '400-146', msg146('department'));
        await refused({ body: task({ department: {} }) }, 400, '400-146', msg146('department.name'));
        await refused({ body: task({ type: { value: 'task' } }) }, 400, '400-146', msg146('type.subtype'));
        await refused({ body: task({ customer: undefined }) }, 400, '400-146', msg146('customer'));
      });
      it('400-146 outranks 400-152', async () => {
        await refused(
          { body: task({ department: undefined, priority: '0' }) },
          400,
          '400-146',
          msg146('department'),
        );
      });
      it('400-146 subject when neither subject nor content is given', async () => {
        await refused({ body: task({ subject: undefined }) }, 400, '400-146', msg146('subject'));
        await refused(
          { body: task({ subject: '', payload: { task: { content: { text: '' } } } }) },
          400,
          '400-146',
          msg146('subject'),
        );
      });
      it('400-146 when the customer lacks the searched contact point or the activityContact one', async () => {
        await refused(
          { query: '?searchContactOnAttribute=home.phone' },
          400,
          '400-146',
          msg146(PHONE_PATH_IN_BODY),
        );
        await refused(
          { query: `${BY_EMAIL}&activityContact=mobile.phone` },
          400,
          '400-146',
          msg146(PHONE_PATH_IN_BODY),
        );
        await refused(
          { query: '?searchContactOnAttribute=office.phone', body: withPhone('mobile', '+15551234') },
          400,
          '400-146',
          msg146(PHONE_PATH_IN_BODY),
        );
      });
      it('400-152 for bad values, each named', async () => {
        await refused({ body: task({ priority: '8' }) }, 400, '400-152', msg152('priority'));
        await refused({ body: task({ priority: 3 }) }, 400, '400-152', msg152('priority'));
        await refused({ body: task({ dueDate: 'tomorrow' }) }, 400, '400-152', msg152('dueDate'));
        await refused(
          { body: task({ dueDate: new Date(Date.now() - 60_000).toISOString() }) },
          400,
          '400-152',
          msg152('dueDate'),
        );
        await refused(
          { body: task({ type: { value: 'email', subtype: { value: 'general' } } }) },
          400,
          '400-152',
          msg152('type.value'),
        );
        await refused({ body: task({ case: { id: '0' } }) }, 400, '400-152', msg152('case.id'));
        await refused({ body: task({}, 'not-an-address') }, 400, '400-152', msg152(EMAIL_PATH_IN_BODY));
        await refused(
          { body: task({ status: { assigned: { user: { id: '1003', loginId: 'carol' } } } }) },
          400,
          '400-152',
          msg152('status.assigned.user'),
        );
      });
      it('400-152 for an unknown department, subtype, case, assignee', async () => {
        await refused(
          { body: task({ department: { name: 'Nowhere' } }) },
          400,
          '400-152',
          msg152('department.name'),
        );
        await refused(
          { body: task({ type: { value: 'task', subtype: { value: 'complaint' } } }) },
          400,
          '400-152',
          msg152('type.subtype.value'),
        );
        await refused({ body: task({ case: { id: '999999' } }) }, 400, '400-152', msg152('case.id'));
        await refused(
          { body: task({ status: { assigned: { user: { id: '999999' } } } }) },
          400,
          '400-152',
          msg152('status.assigned.user.id'),
        );
        await refused(
          { body: task({ status: { assigned: { user: { loginId: 'nobody' } } } }) },
          400,
          '400-152',
          msg152('status.assigned.user.loginId'),
        );
      });
      it('400-152 naming the contact point when the customer is not found and createCustomer=yes was not sent', async () => {
        await refused({ body: task({}, 'stranger@example.net') }, 400, '400-152', msg152(EMAIL_PATH_IN_BODY));
        // Fay is a customer of Sales: from Service she is not found.
        await refused({ body: task({}, 'fay@example.com') }, 400, '400-152', msg152(EMAIL_PATH_IN_BODY));
      });
      it('bounded work: 5,000 unknown attributes or an array of 1,500 phones give one answer', async () => {
        const many = task(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`x${i}`, 1])));
        await refused({ body: many }, 400, '400-147', msg147('x0'));
        const phones = Array.from({ length: 1500 }, () => ({ phoneNumber: '1', type: 'home' }));
        await refused(
          { body: task({ customer: { contacts: { contact: [{ phone: phones }] } } }) },
          400,
          '400-152',
          msg152('customer.contacts.contact.phone'),
        );
      });
      it('413-100 for a body over 64 KiB, its userMessage worded for create', async () => {
        const call = { body: task({ subject: 'x'.repeat(70_000) }) };
        await refused(call, 413, '413-100', 'Request body is too large: at most 65536 bytes are allowed.');
        const withUserMessage = await create({ ...call, headers: { 'x-egain-error-message': 'yes' } });
        assert.equal(withUserMessage.status, 413);
        assert.equal(
          withUserMessage.json().userMessage,
          'The request is too large. Shorten the subject or the content and try again.',
        );
      });
    });

    describe('permissions', () => {
      it('403-197 without the manage scope, for a user and a client application', async () => {
        await refused({ scope: 'core.casemgr.read' }, 403, '403-197');
        await refused(
          {
            as: { client: 'crm', scope: 'core.casemgr.read' },
            body: task({ status: { assigned: { user: { id: '1002' } } } }),
          },
          403,
          '403-197',
        );
      });
      it('403-178 without the Create action (dave, a Viewer)', async () => {
        await refused(
          { as: 'dave' },
          403,
          '403-178',
          'User is not allowed to perform the following action: Create.',
        );
      });
      it('403-179 for a department that is neither home nor foreign (bob in Sales), naming the department', async () => {
        const call = { as: 'bob', body: task({ department: { name: 'Sales' } }, 'gus@example.com') } as const;
        const response = await refused(
          call,
          403,
          '403-179',
          "The user cannot create activities in the following department: 'Sales'.",
        );
        assert.deepEqual(response.json().details, [{ key: 'department', value: 'Sales' }]);
        const withUserMessage = await create({ ...call, headers: { 'x-egain-error-message': 'yes' } });
        assert.equal(withUserMessage.json().userMessage, 'You cannot create activities in this department.');
        await refused(
          { ...call, headers: { 'accept-language': 'de-DE' } },
          403,
          '403-179',
          "Der Benutzer kann in der folgenden Abteilung keine Aktivitäten anlegen: 'Sales'.",
        );
      });
      it('a foreign department is allowed (alice in Sales)', async () => {
        createdId(await create({ body: task({ department: { name: 'Sales' } }, 'fay@example.com') }));
      });
      it('403-180 for a user without any license (erin), naming the user', async () => {
        const response = await refused(
          { as: 'erin' },
          403,
          '403-180',
          "The following user does not hold a license needed to create activities: '1005'.",
        );
        assert.deepEqual(response.json().details, [{ key: 'userId', value: '1005' }]);
        const withUserMessage = await create({ as: 'erin', headers: { 'x-egain-error-message': 'yes' } });
        assert.equal(
          withUserMessage.json().userMessage,
          'Your license does not allow you to create activities.',
        );
        await refused(
          { as: 'erin', headers: { 'accept-language': 'de-DE' } },
          403,
          '403-180',
          "Der folgende Benutzer verfügt nicht über eine Lizenz, die zum Anlegen von Aktivitäten erforderlich ist: '1005'.",
        );
      });
      it('403-183 without Transfer activities on the assignee (bob → alice)', async () => {
        const response = await refused(
          { as: 'bob', body: task({ status: { assigned: { user: { id: '1001' } } } }) },
          403,
          '403-183',
          "The user does not have the Transfer activities permission on the following user: '1001'.",
        );
        assert.deepEqual(response.json().details, [{ key: 'userId', value: '1001' }]);
      });
      it('400-152 when the named assignee holds no license (erin)', async () => {
        await refused(
          { as: { client: 'crm' }, body: task({ status: { assigned: { user: { loginId: 'erin' } } } }) },
          400,
          '400-152',
          msg152('status.assigned.user.loginId'),
        );
      });
      it('400-146 when a client application names no assignee', async () => {
        await refused({ as: { client: 'crm' } }, 400, '400-146', msg146('status.assigned.user.id'));
      });
      it('401-101 without a token', async () => {
        await refused({ as: null }, 401, '401-101');
      });
    });

    describe('error bodies', () => {
      it('XML when asked for', async () => {
        const before = await rowCounts(service);
        const response: HttpResponse = await create({
          headers: { accept: 'application/xml' },
          body: task({ department: { name: 'Nowhere' } }),
        });
        assert.equal(response.status, 400);
        assert.match(String(response.headers['content-type']), /^application\/xml\b/);
        const error = xmlParser.parse(response.text).error;
        assert.equal(error.code, '400-152');
        assert.equal(error.developerMessage, msg152('department.name'));
        assert.deepEqual(await rowCounts(service), before);
      });
      it('in French', async () => {
        const response = await create({
          headers: { 'accept-language': 'fr-FR' },
          body: task({ department: undefined }),
        });
        assert.equal(response.status, 400);
        assert.equal(
          response.json().developerMessage,
          "Attribut obligatoire manquant dans le corps de la requête : 'department'.",
        );
      });
    });

    describe('all or nothing', () => {
      it('a failure after the customer and the case were written leaves neither behind (500-100)', async () => {
        const blocker = await occupyNextActivityId(service);
        const before = await rowCounts(service);
        const response = await create({
          query: `${BY_EMAIL}&createCustomer=yes`,
          body: task({}, 'doomed@example.net'),
        });
        expectError(response, 500, '500-100');
        assert.deepEqual(await rowCounts(service), before);
        const leftover = await service.database.db
          .selectFrom('customer_contacts')
          .select('customer_id')
          .where('value', '=', 'doomed@example.net')
          .execute();
        assert.deepEqual(leftover, []);
        // The counter moved on: the same request now succeeds with a later id.
        const id = createdId(
          await create({ query: `${BY_EMAIL}&createCustomer=yes`, body: task({}, 'doomed@example.net') }),
        );
        assert.ok(BigInt(id) > BigInt(blocker));
      });
    });
  });
}
