// The HTTP contract of POST /core/casemgr/v3/activity/email/general (docs/api/receive-email.md)
// through a real server on every dialect: an incoming email lands in its alias's queue, its sender is
// found or created as a customer, every rule and code in order, error bodies in JSON, XML and French,
// client-application tokens, and nothing half-created on a refusal or a failure.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { dialectsUnderTest } from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';
import { expectError } from './support/expect-error.js';
import {
  EMAIL_PATH,
  createdId,
  occupyNextActivityId,
  post,
  rowCounts,
  storedActivity,
  type IntakeCall,
} from './support/intake-requests.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const GATEWAY = { client: 'mail-gateway' } as const;
const RECEIVER = 'payload.email.emailAddresses.receiver';
const msg146 = (a: string) => `Required attribute is missing in request body: '${a}'.`;
const msg147 = (a: string) => `Unsupported attribute is present in request body: '${a}'.`;
const msg152 = (a: string) =>
  `Invalid value is provided in the request body for the following attribute:'${a}'.`;

interface EmailOptions {
  readonly from?: string;
  readonly receiver?: string;
  readonly addresses?: Record<string, unknown>;
  readonly content?: Record<string, unknown>;
}

/** An email from Dana to billing@example.com, as a mail gateway hands it over. */
function email(overrides: Record<string, unknown> = {}, options: EmailOptions = {}): Record<string, unknown> {
  return {
    department: { name: 'Service' },
    type: { value: 'email', subtype: { value: 'general' } },
    subject: 'My invoice is wrong',
    payload: {
      email: {
        emailAddresses: {
          from: options.from ?? 'dana@example.net',
          receiver: options.receiver ?? 'billing@example.com',
          ...options.addresses,
        },
        content: options.content ?? { text: 'Please check invoice 42.' },
      },
    },
    ...overrides,
  };
}

for (const dialect of dialects) {
  describe(`receive an incoming email (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(async () => {
      await service.close();
    });

    const receive = (call: Partial<IntakeCall>) =>
      post(service, EMAIL_PATH, { as: GATEWAY, body: email(), ...call });

    async function refused(call: Partial<IntakeCall>, status: number, code: string, message?: string) {
      const before = await rowCounts(service);
      const response = await receive(call);
      expectError(response, status, code, message === undefined ? {} : { message });
      assert.deepEqual(await rowCounts(service), before);
      return response;
    }

    describe('success', () => {
      it('201 + Location: the email waits in the alias’s queue, its sender found as a customer, in a new case', async () => {
        const before = await rowCounts(service);
        const id = createdId(
          await receive({
            body: email(
              {},
              {
                addresses: {
                  to: ['billing@example.com'],
                  cc: ['boss@example.net'],
                  replyTo: 'dana@home.example',
                },
              },
            ),
          }),
        );
        const row = await storedActivity(service, id);
        assert.equal(row.type, 'email');
        assert.equal(row.subtype, 'general');
        assert.equal(row.mode, 'inbound');
        assert.equal(row.status, 'awaiting_assignment');
        assert.equal(row.substatus, 'ready_for_assignment');
        assert.equal(row.queue_id, '10');
        assert.equal(row.assigned_user_id, null);
        assert.equal(row.department_id, '999');
        assert.equal(row.customer_id, '7001');
        assert.equal(row.created_by, null);
        assert.equal(Number(row.created_ms), Number(row.last_modified_ms));
        assert.deepEqual(JSON.parse(row.payload_json!), {
          email: {
            emailAddresses: {
              from: 'dana@example.net',
              to: ['billing@example.com'],
              cc: ['boss@example.net'],
              replyTo: 'dana@home.example',
              receiver: 'billing@example.com',
            },
            content: { text: 'Please check invoice 42.' },
          },
        });
        assert.deepEqual(await rowCounts(service), {
          ...before,
          activities: before.activities + 1,
          cases: before.cases + 1,
        });
      });

      it('readable through GET /activity/{id}, in its queue', async () => {
        const id = createdId(await receive({}));
        const response = await service.request({
          path: `/core/casemgr/v3/activity/${id}`,
          headers: { authorization: `Bearer ${service.token('alice')}` },
        });
        assert.equal(response.status, 200, response.text);
        const [activity] = response.json().activity;
        assert.equal(activity.id, id);
        assert.equal(activity.type.value, 'email');
        assert.equal(activity.queue.id, '10');
      });

      it('an unknown sender becomes a customer of the department, named by the customer element', async () => {
        const before = await rowCounts(service);
        const body = email(
          { customer: { contacts: { contact: [{ firstName: 'Ivy', lastName: 'Ink' }] } } },
          { from: 'Ivy@Example.org' },
        );
        const id = createdId(await receive({ body }));
        const row = await storedActivity(service, id);
        const customer = await service.database.db
          .selectFrom('customers')
          .selectAll()
          .where('id', '=', row.customer_id!)
          .executeTakeFirstOrThrow();
        assert.deepEqual(
          [customer.first_name, customer.last_name, customer.department_id],
          ['Ivy', 'Ink', '999'],
        );
        const contacts = await service.database.db
          .selectFrom('customer_contacts')
          .select(['kind', 'value', 'department_key'])
          .where('customer_id', '=', customer.id)
          .execute();
        assert.deepEqual(contacts, [{ kind: 'email', value: 'ivy@example.org', department_key: '999' }]);
        assert.deepEqual(await rowCounts(service), {
          ...before,
          activities: before.activities + 1,
          cases: before.cases + 1,
          customers: before.customers + 1,
          contacts: before.contacts + 1,
        });
        // Her next email finds her.
        const again = createdId(await receive({ body: email({}, { from: 'ivy@example.org' }) }));
        assert.equal((await storedActivity(service, again)).customer_id, customer.id);
      });

      it('matches department, type, subtype and receiver in any letter case', async () => {
        const id = createdId(
          await receive({
            body: email(
              { department: { name: 'SALES' }, type: { value: 'Email', subtype: { value: 'GENERAL' } } },
              { from: 'fay@example.com', receiver: 'Sales@Example.COM' },
            ),
          }),
        );
        const row = await storedActivity(service, id);
        assert.equal(row.queue_id, '11');
        assert.equal(row.customer_id, '7003');
      });

      it('content alone is enough; case.id joins the case', async () => {
        const id = createdId(await receive({ body: email({ subject: undefined, case: { id: '8001' } }) }));
        const row = await storedActivity(service, id);
        assert.equal(row.case_id, '8001');
        assert.equal(row.subject, '');
      });

      it('a user with Create in the department may hand over an email too', async () => {
        const id = createdId(await receive({ as: 'bob' }));
        assert.equal((await storedActivity(service, id)).created_by, '1002');
      });
    });

    describe('refusals', () => {
      it('400-101 for any query parameter', async () => {
        await refused({ query: '?customer=1' }, 400, '400-101');
      });
      it('400-264 without a body', async () => {
        await refused({ body: undefined }, 400, '400-264');
      });
      it('400-147 names an unknown attribute by its dotted path', async () => {
        await refused(
          { body: email({}, { addresses: { bcc: ['x@example.com'] } }) },
          400,
          '400-147',
          msg147('payload.email.emailAddresses.bcc'),
        );
      });
      it('400-146 names a missing attribute', async () => {
        await refused({ body: email({ payload: undefined }) }, 400, '400-146', msg146('payload'));
        const noFrom = email();
        delete (noFrom as any).payload.email.emailAddresses.from; // eslint-disable-line @typescript-eslint/no-explicit-any
        await refused({ body: noFrom }, 400, '400-146', msg146('payload.email.emailAddresses.from'));
        await refused({ body: email({ department: undefined }) }, 400, '400-146', msg146('department'));
        await refused(
          { body: email({ subject: undefined }, { content: {} }) },
          400,
          '400-146',
          msg146('subject'),
        );
      });
      it('400-152 for bad values, each named', async () => {
        await refused(
          { body: email({}, { from: 'nobody' }) },
          400,
          '400-152',
          msg152('payload.email.emailAddresses.from'),
        );
        await refused(
          { body: email({}, { addresses: { to: 'x@example.com' } }) },
          400,
          '400-152',
          msg152('payload.email.emailAddresses.to'),
        );
        await refused(
          { body: email({ type: { value: 'task', subtype: { value: 'general' } } }) },
          400,
          '400-152',
          msg152('type.value'),
        );
        await refused(
          { body: email({ type: { value: 'email', subtype: { value: 'complaint' } } }) },
          400,
          '400-152',
          msg152('type.subtype.value'),
        );
        await refused(
          { body: email({ department: { name: 'Nowhere' } }) },
          400,
          '400-152',
          msg152('department.name'),
        );
        await refused({ body: email({ case: { id: '999999' } }) }, 400, '400-152', msg152('case.id'));
      });
      it('400-152 naming the receiver: unknown, inactive, or an alias of another department', async () => {
        await refused(
          { body: email({}, { receiver: 'nobody@example.com' }) },
          400,
          '400-152',
          msg152(RECEIVER),
        );
        await refused(
          { body: email({}, { receiver: 'old-billing@example.com' }) },
          400,
          '400-152',
          msg152(RECEIVER),
        );
        await refused(
          { body: email({}, { receiver: 'sales@example.com' }) },
          400,
          '400-152',
          msg152(RECEIVER),
        );
      });
      it('403-197 without the manage scope (client application and user)', async () => {
        await refused({ as: { client: 'mail-gateway', scope: 'core.casemgr.read' } }, 403, '403-197');
        await refused({ as: 'bob', scope: 'core.casemgr.read' }, 403, '403-197');
      });
      it('403-178 for a user without Create (dave)', async () => {
        await refused(
          { as: 'dave' },
          403,
          '403-178',
          'User is not allowed to perform the following action: Create.',
        );
      });
      it('403-179 for a department outside the user’s (bob, Sales), naming the department', async () => {
        const body = email({ department: { name: 'Sales' } }, { receiver: 'sales@example.com' });
        const response = await refused(
          { as: 'bob', body },
          403,
          '403-179',
          "The user cannot create activities in the following department: 'Sales'.",
        );
        assert.deepEqual(response.json().details, [{ key: 'department', value: 'Sales' }]);
        await refused(
          { as: 'bob', body, headers: { 'accept-language': 'ja-JP' } },
          403,
          '403-179',
          "ユーザーは次の部門でアクティビティを作成できません：'Sales'。",
        );
        const withUserMessage = await receive({
          as: 'bob',
          body,
          headers: { 'accept-language': 'ja-JP', 'x-egain-error-message': 'yes' },
        });
        assert.equal(withUserMessage.json().userMessage, 'この部門ではアクティビティを作成できません。');
      });
      it('403-180 for a user without any license (erin), naming the user', async () => {
        const response = await refused(
          { as: 'erin' },
          403,
          '403-180',
          "The following user does not hold a license needed to create activities: '1005'.",
        );
        assert.deepEqual(response.json().details, [{ key: 'userId', value: '1005' }]);
        await refused(
          { as: 'erin', headers: { 'accept-language': 'ja-JP' } },
          403,
          '403-180',
          "次のユーザーには、アクティビティの作成に必要なライセンスがありません：'1005'。",
        );
        const withUserMessage = await receive({
          as: 'erin',
          headers: { 'accept-language': 'ja-JP', 'x-egain-error-message': 'yes' },
        });
        assert.equal(
          withUserMessage.json().userMessage,
          'お使いのライセンスではアクティビティを作成できません。',
        );
      });
      it('401-101 without a token', async () => {
        await refused({ as: null }, 401, '401-101');
      });
      it('XML and French error bodies', async () => {
        const before = await rowCounts(service);
        const xml = await receive({
          headers: { accept: 'application/xml' },
          body: email({}, { receiver: 'old-billing@example.com' }),
        });
        assert.equal(xml.status, 400);
        assert.deepEqual(await rowCounts(service), before);
        assert.match(String(xml.headers['content-type']), /^application\/xml\b/);
        const error = new XMLParser().parse(xml.text).error;
        assert.equal(error.code, '400-152');
        assert.equal(error.developerMessage, msg152(RECEIVER));
        const french = await receive({
          headers: { 'accept-language': 'fr-FR' },
          body: email({ payload: undefined }),
        });
        assert.equal(french.status, 400);
        assert.equal(
          french.json().developerMessage,
          "Attribut obligatoire manquant dans le corps de la requête : 'payload'.",
        );
      });
    });

    describe('all or nothing', () => {
      it('a failure after the new sender and the case were written leaves neither behind (500-100)', async () => {
        await occupyNextActivityId(service);
        const before = await rowCounts(service);
        const response = await receive({ body: email({}, { from: 'doomed@example.org' }) });
        expectError(response, 500, '500-100');
        assert.deepEqual(await rowCounts(service), before);
        createdId(await receive({ body: email({}, { from: 'doomed@example.org' }) }));
      });
    });
  });
}
