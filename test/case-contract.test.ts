// The HTTP contract of GET /core/casemgr/v3/case/{ids} (docs/api/read-cases.md), through a real
// server on every dialect: eGain's case shape in JSON and XML, the order asked, 404-100 for unknown
// and hidden cases, who sees which case (through its activities' departments, or its customer's
// while it has none), scope and action codes, client applications, and the localized status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { issueClientToken } from '../src/auth/token-issuer.js';
import { FAY, GUS, SALES, SERVICE, type OrganisationFile } from '../src/org/organisation-generator.js';
import { KeyStore } from '../src/store/key-store.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { expectError } from './support/expect-error.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const READ = '/core/casemgr/v3/case/';
const CASE_NS = 'http://bindings.egain.com/ws/model/v12/gen/interaction/case';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** A Sales activity of the generated world that joins Gus's case 8008 beside 100018 (Service). */
let salesActivity = '';

/**
 * The well-known world (cases 8001–8004; 8003 holds only 100019, in Sales) plus: 8005, Fay's (a
 * Sales customer) with no activity; 8006, Gus's (a shared customer) with no activity; 8008, Gus's,
 * with 100018 (a Service task) and a Sales activity; vera, an agent of Service without View Agent
 * Console.
 */
function caseWorld(): OrganisationFile {
  const org = fixtureOrganisation(100);
  const sales = org.activities.find((a) => a.department === SALES && Number(a.id) > 100021);
  assert.ok(sales, 'the generated world has a random Sales activity');
  salesActivity = sales.id;
  org.cases.push({ id: '8005', customer: FAY }, { id: '8006', customer: GUS }, { id: '8008', customer: GUS });
  org.activities = org.activities.map((a) => {
    if (a.id === '100018' || a.id === salesActivity) return { ...a, customer: GUS, case: '8008' };
    return a;
  });
  org.roles.push({ id: '4', name: 'Picker without console', actions: ['Pick Activities'] });
  org.users.push({
    id: '1006',
    loginName: 'vera',
    firstName: 'Vera',
    lastName: 'Vogel',
    homeDepartment: SERVICE,
    licenses: ['eGain Advisor Desktop'],
    roles: ['4'],
  });
  return org;
}

const notFound = (ids: string) => `The following IDs supplied in the URI path were not found: '${ids}'.`;
const caseDetails = (ids: readonly string[]) => ids.map((value) => ({ key: 'caseId', value }));
const self = (id: string) => [{ rel: 'self', href: `${READ}${id}` }];

/** A locale's display value as its catalog file holds it (undefined while the catalog lacks it). */
function catalogDisplay(locale: string, key: string): string | undefined {
  const file = new URL(`../src/i18n/locales/${locale}.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { display?: Record<string, string> }).display?.[key];
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'case' || name === 'link',
});

for (const dialect of dialects) {
  describe(`case read contract over HTTP (${dialect})`, () => {
    let service: TestService;
    let clientToken: (scope: string) => string;
    before(async () => {
      service = await startTestService(dialect, { organisation: caseWorld() });
      const key = await new KeyStore(service.database.db).getOrCreate(Date.now());
      clientToken = (scope) => issueClientToken(key, { clientId: 'crm', scope, expiresInSeconds: 600 });
    });
    after(() => service.close());

    const get = (
      ids: string,
      options: { login?: string; token?: string; headers?: Record<string, string> } = {},
    ) =>
      service.request({
        path: READ + ids,
        headers: {
          authorization: `Bearer ${options.token ?? service.token(options.login ?? 'alice')}`,
          ...options.headers,
        },
      });

    it('200 with the eGain shape, in the order asked', async () => {
      const response = await get('8004,8001,8003,8002,8006,8008');
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^application\/json\b/);
      assert.deepEqual(response.json(), {
        case: [
          {
            id: '8004',
            status: { value: 'closed', displayValue: 'Closed' },
            customer: { id: '7001', firstName: 'Dana', lastName: 'Diaz' },
            activities: { count: 1 },
            link: self('8004'),
          },
          {
            id: '8001',
            status: { value: 'open', displayValue: 'Open' },
            customer: { id: '7001', firstName: 'Dana', lastName: 'Diaz' },
            activities: { count: 5 },
            link: self('8001'),
          },
          {
            id: '8003',
            status: { value: 'open', displayValue: 'Open' },
            customer: { id: FAY, firstName: 'Fay', lastName: 'Fox' },
            activities: { count: 1 },
            link: self('8003'),
          },
          {
            id: '8002',
            status: { value: 'open', displayValue: 'Open' },
            customer: { id: '7002', firstName: 'Eli', lastName: 'Evans' },
            activities: { count: 2 },
            link: self('8002'),
          },
          {
            id: '8006',
            status: { value: 'open', displayValue: 'Open' },
            customer: { id: GUS, firstName: 'Gus', lastName: 'Green' },
            activities: { count: 0 },
            link: self('8006'),
          },
          {
            id: '8008',
            status: { value: 'open', displayValue: 'Open' },
            customer: { id: GUS, firstName: 'Gus', lastName: 'Green' },
            activities: { count: 2 },
            link: self('8008'),
          },
        ],
      });
    });

    it('a case made for an activity at import: its own id, no customer, one activity', async () => {
      const row = await service.database.db
        .selectFrom('activities')
        .select('case_id')
        .where('id', '=', '100016')
        .executeTakeFirstOrThrow();
      const response = await get(row.case_id!);
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.json().case, [
        {
          id: row.case_id,
          status: { value: 'open', displayValue: 'Open' },
          activities: { count: 1 },
          link: self(row.case_id!),
        },
      ]);
    });

    it('404-100 names every unknown id, in the order asked, with a caseId detail each', async () => {
      const response = await get('8001,1217,8002,99999');
      expectError(response, 404, '404-100', { message: notFound('1217,99999') });
      assert.deepEqual(response.json().details, caseDetails(['1217', '99999']));
    });

    it('visibility: an activity in a seen department shows the case; else the customer decides', async () => {
      // bob: home Service, no foreign department. 8008 has a Service activity (100018) beside a Sales
      // one; 8006 has none and a shared customer.
      assert.equal((await get('8008,8006,8001', { login: 'bob' })).status, 200);
      // 8003: a Sales activity only; 8005: no activity, a Sales customer.
      const hidden = await get('8001,8003,8005', { login: 'bob' });
      expectError(hidden, 404, '404-100', { message: notFound('8003,8005') });
      assert.deepEqual(hidden.json().details, caseDetails(['8003', '8005']));
      // alice has Sales as a foreign department: she sees both.
      assert.equal((await get('8003,8005', { login: 'alice' })).status, 200);
    });

    it('a client application sees every case with the read or manage scope', async () => {
      for (const scope of ['core.casemgr.read', 'core.casemgr.manage']) {
        const response = await get('8003,8005,8001', { token: clientToken(scope) });
        assert.equal(response.status, 200, `${scope}: ${response.text}`);
        assert.deepEqual(
          response.json().case.map((c: { id: string }) => c.id),
          ['8003', '8005', '8001'],
        );
      }
      expectError(await get('8001', { token: clientToken('core.casemgr.other') }), 403, '403-197');
      expectError(await get('8001,1217', { token: clientToken('core.casemgr.read') }), 404, '404-100', {
        message: notFound('1217'),
      });
    });

    it('the read scope is enough, and so is manage; another scope gives 403-197', async () => {
      for (const scope of ['core.casemgr.read', 'core.casemgr.manage']) {
        assert.equal((await get('8001', { token: service.token('alice', { scope }) })).status, 200, scope);
      }
      for (const scope of ['', 'core.casemgr.other']) {
        expectError(await get('8001', { token: service.token('alice', { scope }) }), 403, '403-197');
      }
    });

    it('403-178 naming View Agent Console for a user without it', async () => {
      const body = expectError(await get('8001', { login: 'vera' }), 403, '403-178', {
        message: 'User is not allowed to perform the following action: View Agent Console.',
      });
      assert.deepEqual(body.details, [{ key: 'action', value: 'View Agent Console' }]);
    });

    it('400-106 for ids that break the id rules, before the scope', async () => {
      const token = service.token('alice', { scope: 'other' });
      for (const ids of ['8001,8001', '0', 'abc', '8001,', '1234567890123456789']) {
        expectError(await get(ids, { token }), 400, '400-106');
      }
      const many = Array.from({ length: 76 }, (_, i) => String(9000 + i)).join(',');
      expectError(await get(many), 400, '400-106');
      const most = Array.from({ length: 75 }, (_, i) => String(9000 + i)).join(',');
      expectError(await get(most), 404, '404-100');
    });

    it('XML: <cases> in the case namespace, <case id="…"> in the order asked, elements in order', async () => {
      const response = await get('8003,8004', { headers: { accept: 'application/xml' } });
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^application\/xml\b/);
      assert.ok(response.text.startsWith(XML_DECLARATION), response.text);
      assert.match(
        response.text.slice(XML_DECLARATION.length).trim(),
        new RegExp(`^<cases xmlns="${CASE_NS}">\\s*<case id="8003">`),
      );
      const first = response.text.slice(
        response.text.indexOf('<case id="8003">'),
        response.text.indexOf('</case>'),
      );
      assert.deepEqual(
        [...first.matchAll(/<([A-Za-z][\w.-]*)[\s>/]/g)].map((m) => m[1]),
        [
          'case',
          'status',
          'value',
          'displayValue',
          'customer',
          'id',
          'firstName',
          'lastName',
          'activities',
          'count',
          'link',
        ],
      );
      const parsed = xmlParser.parse(response.text).cases;
      assert.deepEqual(
        parsed.case.map((c: Record<string, unknown>) => c['@_id']),
        ['8003', '8004'],
      );
      assert.deepEqual(parsed.case[1].status, { value: 'closed', displayValue: 'Closed' });
      assert.equal(parsed.case[1].activities.count, '1');
      assert.deepEqual(parsed.case[1].link, [{ '@_rel': 'self', '@_href': `${READ}8004` }]);
    });

    it('404-100 in XML', async () => {
      const response = await get('1217', { headers: { accept: 'application/xml' } });
      assert.equal(response.status, 404);
      assert.match(String(response.headers['content-type']), /^application\/xml\b/);
      assert.match(response.text, /<code>404-100<\/code>/);
    });

    const french = catalogDisplay('fr-FR', 'caseStatus.closed');
    it(
      'the status displayValue follows Accept-Language (fr-FR from its catalog)',
      { skip: french === undefined ? 'fr-FR has no caseStatus yet' : false },
      async () => {
        const response = await get('8004,8001', { headers: { 'accept-language': 'fr-FR' } });
        assert.equal(response.status, 200, response.text);
        const [closed, open] = response.json().case;
        assert.equal(closed.status.displayValue, french);
        assert.equal(open.status.displayValue, catalogDisplay('fr-FR', 'caseStatus.open'));
        assert.notEqual(closed.status.displayValue, 'Closed');
      },
    );
  });
}
