// The HTTP contract of GET /core/casemgr/v3/user/me (ours, docs/api/user-me.md), through a real
// server on every dialect: the caller, and the queues and colleagues they may pull from — granted
// directly or through a group — in JSON and XML, and who may ask.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { issueClientToken } from '../src/auth/token-issuer.js';
import type { OrganisationFile } from '../src/org/organisation-generator.js';
import { KeyStore } from '../src/store/key-store.js';
import { expectError } from './support/expect-error.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const ME = '/core/casemgr/v3/user/me';
const SERVICE = { id: '999', name: 'Service' };
const SALES = { id: '1000', name: 'Sales' };

/**
 * The well-known world, plus gina: a Sales agent who may pull from queue "11" only through her group
 * ("53" Sales Tier 2 holds Pull activities on it), and vera: a user without View Agent Console.
 */
function meWorld(): OrganisationFile {
  const org = fixtureOrganisation();
  org.roles.push({ id: '4', name: 'Picker without console', actions: ['Pick Activities'] });
  org.users.push(
    {
      id: '1006',
      loginName: 'vera',
      firstName: 'Vera',
      lastName: 'Vogel',
      homeDepartment: '999',
      licenses: ['eGain Advisor Desktop'],
      roles: ['4'],
    },
    {
      id: '1007',
      loginName: 'gina',
      firstName: 'Gina',
      lastName: 'Grant',
      homeDepartment: '1000',
      licenses: ['eGain MailPlus'],
      roles: ['1'],
    },
  );
  const salesTier2 = org.userGroups.find((g) => g.id === '53')!;
  salesTier2.members = [...(salesTier2.members ?? []), '1007'];
  return org;
}

for (const dialect of dialects) {
  describe(`GET /user/me (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect, { organisation: meWorld() });
    });
    after(async () => {
      await service.close();
    });

    const get = (login: string, headers: Record<string, string> = {}) =>
      service.request({ path: ME, headers: { authorization: `Bearer ${service.token(login)}`, ...headers } });

    it('bob: himself, his department, queue 10, and no colleague', async () => {
      const response = await get('bob');
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^application\/json\b/);
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.deepEqual(response.json(), {
        user: {
          id: '1002',
          loginName: 'bob',
          name: 'Bob Baker',
          department: SERVICE,
          pullQueues: [{ id: '10', name: 'Billing', department: SERVICE }],
          pullUsers: [],
        },
      });
    });

    it('alice (supervisor): the agents she may pick from, by name', async () => {
      const { user } = (await get('alice')).json();
      assert.deepEqual(user.pullQueues, [{ id: '10', name: 'Billing', department: SERVICE }]);
      assert.deepEqual(user.pullUsers, [
        { id: '1002', loginName: 'bob', name: 'Bob Baker' },
        { id: '1003', loginName: 'carol', name: 'Carol Chen' },
        { id: '1005', loginName: 'erin', name: 'Erin Evans' },
      ]);
    });

    it("a queue granted through the user's group counts", async () => {
      const { user } = (await get('gina')).json();
      assert.deepEqual(user.department, SALES);
      assert.deepEqual(user.pullQueues, [{ id: '11', name: 'Sales Leads', department: SALES }]);
    });

    it('dave (Viewer, no Pull activities) gets empty lists', async () => {
      const { user } = (await get('dave')).json();
      assert.deepEqual([user.pullQueues, user.pullUsers], [[], []]);
    });

    it('XML: <user> in the common namespace', async () => {
      const response = await get('alice', { accept: 'application/xml' });
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /^application\/xml\b/);
      const parsed = new XMLParser({
        ignoreAttributes: false,
        parseTagValue: false,
        isArray: (name) => name === 'queue' || name === 'user',
      }).parse(response.text);
      const [user] = parsed.user;
      assert.equal(user['@_xmlns'], 'http://bindings.egain.com/ws/model/v12/gen/common');
      assert.equal(user['@_id'], '1001');
      assert.equal(user.name, 'Alice Archer');
      assert.deepEqual(user.department, { '@_id': '999', name: 'Service' });
      assert.deepEqual(
        user.pullQueues.queue.map((q: { '@_id': string }) => q['@_id']),
        ['10'],
      );
      assert.deepEqual(
        user.pullUsers.user.map((u: { '@_id': string; loginName: string }) => [u['@_id'], u.loginName]),
        [
          ['1002', 'bob'],
          ['1003', 'carol'],
          ['1005', 'erin'],
        ],
      );
    });

    it('401-101 without a token, and for a client application', async () => {
      expectError(await service.request({ path: ME }), 401, '401-101');
      const key = await new KeyStore(service.database.db).getOrCreate(Date.now());
      const client = issueClientToken(key, {
        clientId: 'crm',
        scope: 'core.casemgr.read',
        expiresInSeconds: 600,
      });
      expectError(
        await service.request({ path: ME, headers: { authorization: `Bearer ${client}` } }),
        401,
        '401-101',
      );
    });

    it('403-197 without a read or manage scope, then 403-178 without View Agent Console', async () => {
      const token = service.token('bob', { scope: 'core.casemgr.other' });
      expectError(
        await service.request({ path: ME, headers: { authorization: `Bearer ${token}` } }),
        403,
        '403-197',
      );
      expectError(await get('vera'), 403, '403-178', {
        message: 'User is not allowed to perform the following action: View Agent Console.',
      });
    });

    it('the read scope is enough', async () => {
      const token = service.token('bob', { scope: 'core.casemgr.read' });
      assert.equal(
        (await service.request({ path: ME, headers: { authorization: `Bearer ${token}` } })).status,
        200,
      );
    });

    it('400-101 for a query parameter; localized errors (fr-FR)', async () => {
      const response = await service.request({
        path: `${ME}?id=1001`,
        headers: { authorization: `Bearer ${service.token('bob')}` },
      });
      expectError(response, 400, '400-101');
      const french = await get('vera', { 'accept-language': 'fr-FR' });
      assert.equal(french.status, 403);
      assert.equal(
        french.json().developerMessage,
        "L'utilisateur n'est pas autorisé à effectuer l'action suivante : View Agent Console.",
      );
    });
  });
}
