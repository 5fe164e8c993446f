// The webhook admin API (/core/casemgr/v3/webhook): its own scope for users and client applications
// alike, eGain error bodies for every refusal, JSON and XML, secrets shown once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { issueClientToken } from '../src/auth/token-issuer.js';
import { KeyStore } from '../src/store/key-store.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { expectError } from './support/expect-error.js';
import { startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const PATH = '/core/casemgr/v3/webhook';
const ADMIN = 'core.casemgr.admin';
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

for (const dialect of dialects) {
  describe(`webhook admin API on ${dialect}`, () => {
    let service: TestService;
    let clientToken: (scope: string) => string;
    before(async () => {
      service = await startTestService(dialect);
      const key = await new KeyStore(service.database.db).getOrCreate(Date.now());
      clientToken = (scope) => issueClientToken(key, { clientId: 'ops', scope, expiresInSeconds: 600 });
    });
    after(() => service.close());

    const send = (
      token: string,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) =>
      service.request({
        method,
        path,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    const admin = () => service.token('alice', { scope: ADMIN });

    it('adds, lists (JSON and XML, never the secret) and removes a subscription', async () => {
      const created = await send(admin(), 'POST', PATH, {
        url: 'https://crm.example.com/events',
        eventTypes: ['activity_transition', 'case_closed'],
      });
      assert.equal(created.status, 201, created.text);
      const body = created.json<{ id: string; secret: string; active: boolean; eventTypes: string[] }>();
      assert.equal(created.headers.location, `${PATH}/${body.id}`);
      assert.match(body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(body.active, true);
      const listed = await send(admin(), 'GET', PATH);
      assert.equal(listed.status, 200);
      const mine = listed
        .json<{ webhook: Record<string, unknown>[] }>()
        .webhook.find((w) => w.id === body.id)!;
      assert.deepEqual(mine.eventTypes, ['activity_transition', 'case_closed']);
      assert.equal(mine.url, 'https://crm.example.com/events');
      assert.equal(mine.pendingDeliveries, 0);
      assert.ok(!listed.text.includes(body.secret), 'the list shows a secret');
      const xml = await send(admin(), 'GET', PATH, undefined, { accept: 'application/xml' });
      assert.match(String(xml.headers['content-type']), /^application\/xml/);
      const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml.text) as {
        webhooks: { webhook: { '@_id': string; url: string } | { '@_id': string; url: string }[] };
      };
      const items = [parsed.webhooks.webhook].flat();
      assert.ok(items.some((w) => w['@_id'] === body.id && w.url === 'https://crm.example.com/events'));
      const removed = await send(admin(), 'DELETE', `${PATH}/${body.id}`);
      assert.equal(removed.status, 204);
      expectError(await send(admin(), 'DELETE', `${PATH}/${body.id}`), 404, '404-101');
    });

    it('keeps a secret given to it, and an inactive subscription', async () => {
      const created = await send(admin(), 'POST', PATH, {
        url: 'http://10.1.2.3/hook',
        eventTypes: ['activity_created'],
        secret: SECRET,
        active: false,
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json<{ secret: string }>().secret, SECRET);
      const row = await service.database.db
        .selectFrom('webhook_subscriptions')
        .selectAll()
        .where('id', '=', created.json<{ id: string }>().id)
        .executeTakeFirstOrThrow();
      assert.equal(row.secret, SECRET);
      assert.equal(row.active, 0);
    });

    it('admits users and client applications with the admin scope only (403-197)', async () => {
      expectError(await send(service.token('alice'), 'GET', PATH), 403, '403-197');
      expectError(
        await send(service.token('alice', { scope: 'core.casemgr.manage core.casemgr.read' }), 'GET', PATH),
        403,
        '403-197',
      );
      expectError(
        await send(clientToken('core.casemgr.manage'), 'POST', PATH, {
          url: 'https://x.example',
          eventTypes: ['case_closed'],
        }),
        403,
        '403-197',
      );
      expectError(await send(clientToken('core.casemgr.read'), 'DELETE', `${PATH}/nope`), 403, '403-197');
      assert.equal((await send(clientToken(ADMIN), 'GET', PATH)).status, 200);
      expectError(await service.request({ path: PATH }), 401, '401-101');
    });

    it('refuses bad bodies with eGain codes: 400-264, 400-147, 400-146, 400-152', async () => {
      const post = (body: unknown) => send(admin(), 'POST', PATH, body);
      expectError(
        await service.request({
          method: 'POST',
          path: PATH,
          headers: { authorization: `Bearer ${admin()}`, 'content-type': 'application/json' },
        }),
        400,
        '400-264',
      );
      const unknown = expectError(
        await post({ url: 'https://x.example', eventTypes: ['case_closed'], colour: 'red' }),
        400,
        '400-147',
      );
      assert.deepEqual(unknown.details, [{ key: 'attribute', value: 'colour' }]);
      expectError(await post({ eventTypes: ['case_closed'] }), 400, '400-146');
      for (const [body, attribute] of [
        [{ url: 'ftp://x.example/hook', eventTypes: ['case_closed'] }, 'url'],
        [{ url: 'https://user:pw@x.example/hook', eventTypes: ['case_closed'] }, 'url'],
        [{ url: 'not a url', eventTypes: ['case_closed'] }, 'url'],
        [{ url: 'https://x.example', eventTypes: ['case_closed'], secret: 'hunter2' }, 'secret'],
      ] as const) {
        const error = expectError(await post(body), 400, '400-152');
        assert.deepEqual(error.details, [{ key: 'attribute', value: attribute }], JSON.stringify(body));
      }
      expectError(await post({ url: 'https://x.example', eventTypes: ['bogus'] }), 400, '400-152');
      // An empty list is as good as none (body-errors.ts: minItems is a missing attribute).
      expectError(await post({ url: 'https://x.example', eventTypes: [] }), 400, '400-146');
    });

    it('redeliver: 404-101 for an unknown subscription, a body is refused (400-203)', async () => {
      expectError(await send(admin(), 'POST', `${PATH}/unknown/redeliver`), 404, '404-101');
      const created = await send(admin(), 'POST', PATH, {
        url: 'https://x.example',
        eventTypes: ['case_closed'],
      });
      const id = created.json<{ id: string }>().id;
      expectError(await send(admin(), 'POST', `${PATH}/${id}/redeliver`, { all: true }), 400, '400-203');
      const ok = await send(admin(), 'POST', `${PATH}/${id}/redeliver`);
      assert.deepEqual(ok.json(), { redelivered: 0 });
      const xml = await send(admin(), 'POST', `${PATH}/${id}/redeliver`, undefined, {
        accept: 'application/xml',
      });
      assert.match(xml.text, /<redelivered><count>0<\/count><\/redelivered>/);
    });
  });
}
