// The HTTP contract of PATCH /core/casemgr/v3/activity/pick (docs/api/pick-activities.md), through a
// real server on every dialect: every code the contract lists, triggered the way a client would, the
// precedence between them, the error bodies in JSON and XML and in several languages, and the effect of
// a successful pick. Every rejected pick is checked to leave the activities and their history untouched.
//
// Activities of the well-known world (src/org/organisation-generator.ts) that tests pick successfully:
// 100001, 100002, 100003, 100007, 100011, 100020. Every other activity is only ever refused, so the
// tests of one suite do not depend on each other's order.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createSigner } from 'fast-jwt';
import { XMLParser } from 'fast-xml-parser';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from '../src/auth/auth-config.js';
import type { OrganisationFile } from '../src/org/organisation-generator.js';
import { KeyStore } from '../src/store/key-store.js';
import { dialectsUnderTest } from './support/test-databases.js';
import {
  FIXTURE_NOW,
  fixtureOrganisation,
  startTestService,
  type HttpResponse,
  type TestService,
} from './support/test-service.js';
import { expectError, type ErrorBody } from './support/expect-error.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const PICK = '/core/casemgr/v3/activity/pick';
const COMMON_NS = 'http://bindings.egain.com/ws/model/v12/gen/common';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const MINUTE = 60_000;
/** lastModified sent for ids that do not exist. */
const ANY_INSTANT = FIXTURE_NOW.toISOString();

const MESSAGES = {
  '400-101': (names: string) => `Unsupported query parameter(s) supplied: '${names}'.`,
  '400-102': (name: string) =>
    `Unsupported value for query parameter '${name}'. Only the following values are supported: 'yes'.`,
  '400-146': (attribute: string) => `Required attribute is missing in request body: '${attribute}'.`,
  '400-147': (attribute: string) => `Unsupported attribute is present in request body: '${attribute}'.`,
  '400-152': (attribute: string) =>
    `Invalid value is provided in the request body for the following attribute:'${attribute}'.`,
  '400-194': (ids: string) => `The following IDs supplied in the request body were not found: '${ids}'.`,
  '400-264': 'Request body is mandatory. Please provide body for the request.',
  '401-101': "Invalid or expired 'Authorization' header provided. New login is required.",
  '403-177': (ids: string) => `The following activities are locked by other users: '${ids}'.`,
  '403-178': (action: string) => `User is not allowed to perform the following action: ${action}.`,
  '403-197': 'Not authorized to perform this action.',
  '406-100': "Invalid 'Accept-Language' header value provided.",
  '409-100': (ids: string) =>
    `Last modified date provided in the request body for the following activity do not match: ${ids}.`,
} as const;

/**
 * The well-known world plus one activity, so that rule 18 can be reached: 100022, an inbound email in
 * queue "10" assigned to erin and pinned, and "Pull activities" on erin for bob (an Agent, without the
 * Unpin action). Nothing documented in the generator's header changes.
 */
function pickWorld(): OrganisationFile {
  const org = fixtureOrganisation();
  assert.equal(
    org.activities.some((a) => a.id === '100022'),
    false,
  );
  org.activities.push({
    id: '100022',
    department: '999',
    type: 'email',
    subtype: 'general',
    mode: 'inbound',
    subject: 'Pinned by erin',
    priority: '3',
    status: 'assigned',
    substatus: 'in_progress',
    queue: '10',
    assignedTo: '1005',
    pinned: true,
    locked: false,
    created: new Date(FIXTURE_NOW.getTime() - 30 * MINUTE).toISOString(),
    lastModified: new Date(FIXTURE_NOW.getTime() - 20 * MINUTE).toISOString(),
  });
  org.permissions.push({ permission: 'Pull activities', on: { user: '1005' }, grantedTo: { user: '1002' } });
  return org;
}

interface PickCall {
  /** Whose token; default alice. */
  readonly login?: string;
  /** A token as is; null sends no Authorization header. */
  readonly token?: string | null;
  /** `?unpin=yes`, … */
  readonly query?: string;
  /** Added last: a value of undefined removes a default header. */
  readonly headers?: Record<string, string | undefined>;
  /** An object is sent as JSON; a string or Buffer as is; undefined sends no body. */
  readonly body?: unknown;
}

function send(service: TestService, call: PickCall): Promise<HttpResponse> {
  const body =
    call.body === undefined
      ? undefined
      : typeof call.body === 'string' || Buffer.isBuffer(call.body)
        ? call.body
        : JSON.stringify(call.body);
  const headers: Record<string, string | undefined> = {};
  if (call.token !== null)
    headers.authorization = `Bearer ${call.token ?? service.token(call.login ?? 'alice')}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return service.request({
    method: 'PATCH',
    path: PICK + (call.query ?? ''),
    headers: { ...headers, ...call.headers },
    body,
  });
}

type Item = { id: string; lastModified: string };

/** Items with the stored lastModified of each id (any instant for ids that do not exist), in this order. */
async function itemsOf(service: TestService, ...ids: string[]): Promise<Item[]> {
  const rows = await service.database.db
    .selectFrom('activities')
    .select(['id', 'last_modified_ms'])
    .where('id', 'in', ids)
    .execute();
  const stored = new Map(rows.map((r) => [r.id, new Date(Number(r.last_modified_ms)).toISOString()]));
  return ids.map((id) => ({ id, lastModified: stored.get(id) ?? ANY_INSTANT }));
}

/** Every activity row and the history, to show that a refused pick changed nothing. */
async function snapshot(service: TestService): Promise<unknown> {
  const rows = await service.database.db
    .selectFrom('activities')
    .select([
      'id',
      'status',
      'substatus',
      'assigned_user_id',
      'queue_id',
      'pinned',
      'locked',
      'last_modified_ms',
      'last_modified_by',
      'last_action',
    ])
    .orderBy('id')
    .execute();
  const history = await service.database.db
    .selectFrom('activity_history')
    .select(['activity_id', 'at_ms'])
    .orderBy('id')
    .execute();
  return {
    rows: rows.map((r) => ({
      ...r,
      pinned: Number(r.pinned),
      locked: Number(r.locked),
      last_modified_ms: String(r.last_modified_ms),
    })),
    history: history.map((h) => `${h.activity_id}@${String(h.at_ms)}`),
  };
}

/** Sends a pick that must be refused and checks that no activity and no history entry changed. */
async function refused(
  service: TestService,
  call: PickCall | (() => Promise<HttpResponse>),
): Promise<HttpResponse> {
  const before = await snapshot(service);
  const response = typeof call === 'function' ? await call() : await send(service, call);
  assert.ok(response.status >= 400, `expected a refusal, got ${response.status} ${response.text}`);
  assert.deepEqual(await snapshot(service), before, 'a refused pick must change nothing');
  return response;
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'detail',
});

/** Start tags in document order, to check element order. */
function startTags(xml: string): string[] {
  return [...xml.matchAll(/<([A-Za-z][\w.-]*)[\s>/]/g)].map((m) => m[1]);
}

/** The XML without its declaration and whitespace between tags, with entity escapes of quotes undone. */
function canonicalXml(xml: string): string {
  return xml
    .slice(XML_DECLARATION.length)
    .trim()
    .replace(/>\s+</g, '><')
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"');
}

function expectRequestId(response: HttpResponse): string {
  const id = response.headers['x-request-id'];
  assert.equal(typeof id, 'string', `x-request-id missing on ${response.status}`);
  assert.ok((id as string).length > 0);
  return id as string;
}

for (const dialect of dialects) {
  describe(`pick contract over HTTP (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect, { organisation: pickWorld() });
    });
    after(() => service.close());

    // ------------------------------------------------------------------------------------------
    // Rule 1 — 401-101

    describe('401-101: a valid user token', () => {
      const unauthorized = async (authorization: string | undefined) => {
        const response = await refused(service, {
          token: null,
          headers: { authorization },
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 401, '401-101', { message: MESSAGES['401-101'] });
      };

      it('refuses a request without Authorization', () => unauthorized(undefined));
      it('refuses a garbage bearer token', () => unauthorized('Bearer garbage'));
      it('refuses a header that is not a bearer token', () =>
        unauthorized(`Basic ${Buffer.from('alice:pw').toString('base64')}`));
      it('refuses a bare token without the Bearer scheme', () => unauthorized(service.token('alice')));

      it('refuses an expired token', () =>
        unauthorized(
          `Bearer ${service.token('alice', { issuedAtMs: Date.now() - 2 * 3600_000, expiresInSeconds: 3600 })}`,
        ));

      it('refuses the token of an unknown user', () => unauthorized(`Bearer ${service.token('mallory')}`));

      it('refuses a token whose signature was tampered with', () => {
        const [header, payload, signature] = service.token('alice').split('.') as [string, string, string];
        const middle = Math.floor(signature.length / 2);
        const flipped = signature[middle] === 'A' ? 'B' : 'A';
        const tampered = signature.slice(0, middle) + flipped + signature.slice(middle + 1);
        return unauthorized(`Bearer ${header}.${payload}.${tampered}`);
      });

      it('refuses a token whose payload was changed after signing', () => {
        const [header, , signature] = service.token('dave').split('.') as [string, string, string];
        const [, alicePayload] = service.token('alice').split('.') as [string, string];
        return unauthorized(`Bearer ${header}.${alicePayload}.${signature}`);
      });

      it('refuses an unsigned token (alg none)', () => {
        const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        const payload = {
          sub: '1001',
          iss: EMBEDDED_ISSUER,
          aud: EMBEDDED_AUDIENCE,
          scope: 'core.casemgr.manage',
          iat: now,
          exp: now + 3600,
        };
        return unauthorized(`Bearer ${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`);
      });

      it('refuses a token signed by another key', () => {
        const { privateKey } = generateKeyPairSync('ed25519');
        const sign = createSigner({
          algorithm: 'EdDSA',
          key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          iss: EMBEDDED_ISSUER,
          aud: EMBEDDED_AUDIENCE,
          sub: '1001',
          expiresIn: 3600_000,
        });
        return unauthorized(`Bearer ${sign({ scope: 'core.casemgr.manage' })}`);
      });

      it('refuses a client-application token (no user)', async () => {
        const key = await new KeyStore(service.database.db).getOrCreate(Date.now());
        const sign = createSigner({
          algorithm: 'EdDSA',
          key: key.privatePem,
          kid: key.kid,
          iss: EMBEDDED_ISSUER,
          aud: EMBEDDED_AUDIENCE,
          expiresIn: 3600_000,
        });
        await unauthorized(`Bearer ${sign({ scope: 'core.casemgr.manage' })}`);
      });

      it('answers 401 in the negotiated media type and language when they are acceptable', async () => {
        const xml = await refused(service, {
          token: null,
          headers: { accept: 'application/xml', 'accept-language': 'de-DE' },
          body: { activity: await itemsOf(service, '100008') },
        });
        assert.equal(xml.status, 401);
        assert.match(String(xml.headers['content-type']), /^application\/xml\b/);
        const error = xmlParser.parse(xml.text).error;
        assert.equal(error.code, '401-101');
        assert.notEqual(error.developerMessage, MESSAGES['401-101']);

        const fallback = await refused(service, {
          token: null,
          headers: { accept: 'text/html', 'accept-language': 'xx-YY' },
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(fallback, 401, '401-101', { message: MESSAGES['401-101'] });
      });
    });

    // ------------------------------------------------------------------------------------------
    // Rule 2 — 406-101, 406-100, 415-100

    describe('406 and 415: acceptable headers', () => {
      it('406-101 for Accept: text/html, with a JSON body', async () => {
        const response = await refused(service, {
          headers: { accept: 'text/html' },
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 406, '406-101');
      });

      it('406-101 for Accept: application/xml;q=0, application/json;q=0', async () => {
        const response = await refused(service, {
          headers: { accept: 'application/xml;q=0, application/json;q=0' },
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 406, '406-101');
      });

      it('406-100 for Accept-Language: xx-YY', async () => {
        const response = await refused(service, {
          headers: { 'accept-language': 'xx-YY' },
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 406, '406-100', { message: MESSAGES['406-100'] });
      });

      for (const acceptLanguage of ['xx', 'de-DE;q=0', 'xx-YY, zz;q=0.5']) {
        it(`406-100 for Accept-Language: ${acceptLanguage}`, async () => {
          const response = await refused(service, {
            headers: { 'accept-language': acceptLanguage },
            body: { activity: await itemsOf(service, '100008') },
          });
          expectError(response, 406, '406-100', { message: MESSAGES['406-100'] });
        });
      }

      it('406-100 is written in XML when XML is asked for', async () => {
        const response = await refused(service, {
          headers: { 'accept-language': 'xx-YY', accept: 'application/xml' },
          body: { activity: await itemsOf(service, '100008') },
        });
        assert.equal(response.status, 406);
        assert.match(String(response.headers['content-type']), /^application\/xml\b/);
        const error = xmlParser.parse(response.text).error;
        assert.equal(error.code, '406-100');
        assert.equal(error.developerMessage, MESSAGES['406-100']);
      });

      for (const contentType of [
        'text/plain',
        'application/xml',
        'application/json; charset=latin1',
        'application/merge-patch+json',
        'application/x-www-form-urlencoded',
      ]) {
        it(`415-100 for a body sent as ${contentType}`, async () => {
          const response = await refused(service, {
            headers: { 'content-type': contentType },
            body: { activity: await itemsOf(service, '100008') },
          });
          expectError(response, 415, '415-100');
        });
      }

      it('415-100 for a body without Content-Type', async () => {
        const response = await refused(service, {
          headers: { 'content-type': undefined },
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 415, '415-100');
      });

      it('accepts application/json with charset utf-8 in any case (the pick goes on to the rules)', async () => {
        for (const contentType of ['application/json; charset=utf-8', 'Application/JSON; charset=UTF-8']) {
          const response = await refused(service, {
            headers: { 'content-type': contentType },
            body: { activity: await itemsOf(service, '1217') },
          });
          expectError(response, 400, '400-194', { ids: ['1217'] });
        }
      });
    });

    // ------------------------------------------------------------------------------------------
    // Rule 3 — 400-101, 400-102

    describe('400-101 and 400-102: query parameters', () => {
      it('400-101 names every unsupported parameter', async () => {
        const response = await refused(service, {
          query: '?foo=1&bar=2',
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 400, '400-101', { message: MESSAGES['400-101']('foo,bar') });
      });

      it('400-101 names only the unsupported one next to unpin=yes', async () => {
        const response = await refused(service, {
          query: '?unpin=yes&color=red',
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 400, '400-101', { message: MESSAGES['400-101']('color') });
      });

      it('400-101 for Unpin=yes: parameter names are case-sensitive', async () => {
        const response = await refused(service, {
          query: '?Unpin=yes',
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 400, '400-101', { message: MESSAGES['400-101']('Unpin') });
      });

      for (const query of [
        '?unpin=no',
        '?unpin',
        '?unpin=',
        '?unpin=YES',
        '?unpin=yes&unpin=yes',
        '?unpin=yes&unpin=no',
      ]) {
        it(`400-102 for ${query}`, async () => {
          const response = await refused(service, {
            query,
            body: { activity: await itemsOf(service, '100008') },
          });
          expectError(response, 400, '400-102', { message: MESSAGES['400-102']('unpin') });
        });
      }
    });

    // ------------------------------------------------------------------------------------------
    // Rule 4 — the body

    describe('rule 4: the body', () => {
      it('400-264 without a body and without Content-Type', async () => {
        const response = await refused(service, { headers: {} });
        expectError(response, 400, '400-264', { message: MESSAGES['400-264'] });
      });

      it('400-264 for an empty body sent as application/json', async () => {
        const response = await refused(service, { body: '' });
        expectError(response, 400, '400-264', { message: MESSAGES['400-264'] });
      });

      it('400-152 (not 400-264) for a body of whitespace only: a body that is not JSON', async () => {
        const response = await refused(service, { body: ' \n\t ' });
        expectError(response, 400, '400-152', { message: MESSAGES['400-152']('body') });
      });

      it('400-264 without a body even when Content-Type is not JSON', async () => {
        const response = await refused(service, { headers: { 'content-type': 'text/plain' } });
        expectError(response, 400, '400-264', { message: MESSAGES['400-264'] });
      });

      for (const [label, body] of [
        ['text that is not JSON', 'activity=100001'],
        ['truncated JSON', '{"activity":[{"id":"100001"'],
        ['a JSON array', '[{"id":"100001","lastModified":"2026-11-01T11:00:00.000Z"}]'],
        ['JSON null', 'null'],
        ['a JSON string', '"activity"'],
        ['a JSON number', '42'],
      ] as const) {
        it(`400-152 for a body that is ${label}`, async () => {
          const response = await refused(service, { body });
          expectError(response, 400, '400-152');
        });
      }

      for (const [label, id] of [
        ['with a leading zero', '0123'],
        ['of letters', 'abc'],
        ['zero', '0'],
        ['of 19 digits', '1234567890123456789'],
        ['empty', ''],
        ['negative', '-100001'],
        ['of digits and spaces', ' 100001'],
        ['a JSON integer 0', 0],
        ['a JSON fraction', 100001.5],
        ['a JSON boolean', true],
        ['JSON null', null],
      ] as const) {
        it(`400-152 naming activity.id for an id ${label}`, async () => {
          const response = await refused(service, {
            body: { activity: [{ id, lastModified: ANY_INSTANT }] },
          });
          expectError(response, 400, '400-152', { message: MESSAGES['400-152']('activity.id') });
        });
      }

      for (const lastModified of [
        'yesterday',
        '2026-11-01',
        '2026-11-01T11:00:00.000',
        '2026-02-30T11:00:00.000Z',
        '2026-11-01 11:00:00Z',
        '',
        1793531471220,
      ]) {
        it(`400-152 naming activity.lastModified for ${JSON.stringify(lastModified)}`, async () => {
          const response = await refused(service, { body: { activity: [{ id: '100008', lastModified }] } });
          expectError(response, 400, '400-152', { message: MESSAGES['400-152']('activity.lastModified') });
        });
      }

      it('400-152 naming activity when activity is not an array', async () => {
        const response = await refused(service, {
          body: { activity: { id: '100008', lastModified: ANY_INSTANT } },
        });
        expectError(response, 400, '400-152', { message: MESSAGES['400-152']('activity') });
      });

      it('400-146 naming activity when it is missing', async () => {
        const response = await refused(service, { body: {} });
        expectError(response, 400, '400-146', { message: MESSAGES['400-146']('activity') });
      });

      it('400-146 naming activity when it is empty', async () => {
        const response = await refused(service, { body: { activity: [] } });
        expectError(response, 400, '400-146', { message: MESSAGES['400-146']('activity') });
      });

      it('400-146 naming activity.id for an item without id', async () => {
        const response = await refused(service, { body: { activity: [{ lastModified: ANY_INSTANT }] } });
        expectError(response, 400, '400-146', { message: MESSAGES['400-146']('activity.id') });
      });

      it('400-146 naming activity.lastModified for an item without lastModified', async () => {
        const response = await refused(service, { body: { activity: [{ id: '100008' }] } });
        expectError(response, 400, '400-146', { message: MESSAGES['400-146']('activity.lastModified') });
      });

      it('400-147 naming color for a top-level attribute', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '100008'), color: 'red' },
        });
        expectError(response, 400, '400-147', { message: MESSAGES['400-147']('color') });
      });

      it('400-147 naming activity.color for an attribute of an item', async () => {
        const [item] = await itemsOf(service, '100008');
        const response = await refused(service, { body: { activity: [{ ...item, color: 'red' }] } });
        expectError(response, 400, '400-147', { message: MESSAGES['400-147']('activity.color') });
      });

      it('400-104 for 76 items', async () => {
        const activity = Array.from({ length: 76 }, (_, i) => ({
          id: String(900001 + i),
          lastModified: ANY_INSTANT,
        }));
        const response = await refused(service, { body: { activity } });
        expectError(response, 400, '400-104');
      });

      it('400-105 for 6001 and "6001", naming it once', async () => {
        const response = await refused(service, {
          body: {
            activity: [
              { id: 6001, lastModified: ANY_INSTANT },
              { id: '6002', lastModified: ANY_INSTANT },
              { id: '6001', lastModified: ANY_INSTANT },
              { id: 6002, lastModified: ANY_INSTANT },
              { id: '6001', lastModified: ANY_INSTANT },
            ],
          },
        });
        expectError(response, 400, '400-105', { ids: ['6001', '6002'] });
      });

      it('400-105 for the same existing activity twice', async () => {
        const [item] = await itemsOf(service, '100008');
        const response = await refused(service, { body: { activity: [item, { ...item, id: 100008 }] } });
        expectError(response, 400, '400-105', { ids: ['100008'] });
      });

      it('accepts a JSON integer id as the same id', async () => {
        const response = await refused(service, {
          body: { activity: [{ id: 1217, lastModified: ANY_INSTANT }] },
        });
        expectError(response, 400, '400-194', { message: MESSAGES['400-194']('1217'), ids: ['1217'] });
      });

      it('413-100 for a body over 64 KiB', async () => {
        const response = await refused(service, {
          body: JSON.stringify({
            activity: [{ id: '100008', lastModified: ANY_INSTANT, pad: 'x'.repeat(70_000) }],
          }),
        });
        expectError(response, 413, '413-100');
      });

      it('64 KiB exactly is not too large; one byte more is', async () => {
        const json = JSON.stringify({ activity: [{ id: '1217', lastModified: ANY_INSTANT }] });
        const exact = json + ' '.repeat(64 * 1024 - json.length);
        assert.equal(Buffer.byteLength(exact), 64 * 1024);
        expectError(await refused(service, { body: exact }), 400, '400-194', { ids: ['1217'] });
        expectError(await refused(service, { body: `${exact} ` }), 413, '413-100');
      });
    });

    describe('rule 4: precedence between body codes', () => {
      const huge = 'x'.repeat(70_000);
      const cases: readonly (readonly [string, string | object, string, string?])[] = [
        ['413 before 152 (not JSON)', `not json ${huge}`, '413-100'],
        [
          '413 before 104 and 147',
          {
            activity: Array.from({ length: 80 }, (_, i) => ({ id: String(i + 1), pad: huge.slice(0, 1000) })),
          },
          '413-100',
        ],
        [
          '152 (not an object) before 104',
          Array.from({ length: 76 }, (_, i) => ({ id: String(i + 1) })),
          '400-152',
        ],
        [
          '104 before 147',
          {
            activity: Array.from({ length: 76 }, (_, i) => ({
              id: String(i + 1),
              lastModified: ANY_INSTANT,
              color: 'red',
            })),
          },
          '400-104',
        ],
        [
          '104 before 146',
          { activity: Array.from({ length: 76 }, (_, i) => ({ id: String(i + 1) })) },
          '400-104',
        ],
        [
          '104 before 152 (bad value) and 105',
          { activity: Array.from({ length: 76 }, () => ({ id: 'abc', lastModified: 'x' })) },
          '400-104',
        ],
        ['147 before 146', { activity: [{ id: '100008', color: 'red' }] }, '400-147', 'activity.color'],
        ['147 before 146 (missing activity)', { color: 'red' }, '400-147', 'color'],
        [
          '147 before 152 (bad value)',
          { activity: [{ id: 'abc', lastModified: 'yesterday', color: 'red' }] },
          '400-147',
          'activity.color',
        ],
        ['146 before 152 (bad value)', { activity: [{ id: 'abc' }] }, '400-146', 'activity.lastModified'],
        [
          '152 (bad value) before 105',
          {
            activity: [
              { id: '100008', lastModified: 'yesterday' },
              { id: 100008, lastModified: ANY_INSTANT },
            ],
          },
          '400-152',
          'activity.lastModified',
        ],
        [
          '147: the first unknown attribute in document order (top level first)',
          '{"zeta":1,"activity":[{"id":"100008","lastModified":"2026-11-01T12:00:00.000Z","color":"red"}],"alpha":2}',
          '400-147',
          'zeta',
        ],
        [
          '147: the first unknown attribute in document order (items)',
          '{"activity":[{"id":"1217","size":1,"lastModified":"2026-11-01T12:00:00.000Z"},{"color":"red","id":"1220"}],"zeta":1}',
          '400-147',
          'activity.size',
        ],
        [
          '146: the first missing attribute in document order',
          {
            activity: [
              { id: '1217', lastModified: ANY_INSTANT },
              { lastModified: ANY_INSTANT },
              { id: '1220' },
            ],
          },
          '400-146',
          'activity.id',
        ],
        [
          '152: the first bad value in document order',
          '{"activity":[{"lastModified":"yesterday","id":"abc"}]}',
          '400-152',
          'activity.lastModified',
        ],
        [
          '152: the first bad value in document order (second item)',
          {
            activity: [
              { id: '1217', lastModified: ANY_INSTANT },
              { id: 'abc', lastModified: 'yesterday' },
            ],
          },
          '400-152',
          'activity.id',
        ],
      ];
      for (const [label, body, code, attribute] of cases) {
        it(label, async () => {
          const response = await refused(service, {
            body: typeof body === 'string' ? body : JSON.stringify(body),
          });
          const status = Number(code.slice(0, 3));
          const message =
            attribute === undefined
              ? undefined
              : MESSAGES[code as '400-146' | '400-147' | '400-152'](attribute);
          expectError(response, status, code, message === undefined ? {} : { message });
        });
      }
    });

    // ------------------------------------------------------------------------------------------
    // Rules 5–19

    describe('rules 5–19', () => {
      it('403-197 for a token with the read scope only', async () => {
        const response = await refused(service, {
          token: service.token('alice', { scope: 'core.casemgr.read' }),
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 403, '403-197', { message: MESSAGES['403-197'] });
      });

      it('403-197 for a token with no scope at all, or a scope that only looks alike', async () => {
        for (const scope of ['', 'core.casemgr', 'core.casemgr.manage.extra', 'CORE.CASEMGR.MANAGE']) {
          const response = await refused(service, {
            token: service.token('alice', { scope }),
            body: { activity: await itemsOf(service, '100008') },
          });
          expectError(response, 403, '403-197', { message: MESSAGES['403-197'] });
        }
      });

      it('accepts the manage scope among several scopes', async () => {
        const response = await refused(service, {
          token: service.token('alice', { scope: 'openid core.casemgr.read core.casemgr.manage' }),
          body: { activity: await itemsOf(service, '1217') },
        });
        expectError(response, 400, '400-194', { ids: ['1217'] });
      });

      it('403-178 for dave (Viewer): Pick Activities', async () => {
        const response = await refused(service, {
          login: 'dave',
          body: { activity: await itemsOf(service, '100008') },
        });
        expectError(response, 403, '403-178', { message: MESSAGES['403-178']('Pick Activities') });
      });

      it('403-178 naming Unpin, with the pinned ids, for bob with unpin=yes on a pinned activity he may pull', async () => {
        const response = await refused(service, {
          login: 'bob',
          query: '?unpin=yes',
          body: { activity: await itemsOf(service, '100008', '100022') },
        });
        expectError(response, 403, '403-178', {
          message: MESSAGES['403-178']('Unpin'),
          ids: ['100022'],
          idsInMessage: false,
        });
      });

      it('400-194 names every unknown id in request order', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '1217', '100008', '1220') },
        });
        expectError(response, 400, '400-194', {
          message: "The following IDs supplied in the request body were not found: '1217,1220'.",
          ids: ['1217', '1220'],
        });
      });

      it('400-194 for an 18-digit id that does not exist', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '999999999999999999') },
        });
        expectError(response, 400, '400-194', { ids: ['999999999999999999'] });
      });

      it('403-179 for bob and an activity of Sales', async () => {
        const response = await refused(service, {
          login: 'bob',
          body: { activity: await itemsOf(service, '100008', '100019') },
        });
        expectError(response, 403, '403-179', { ids: ['100019'] });
      });

      it('400-301 for a draft response', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '100015', '100008') },
        });
        expectError(response, 400, '400-301', { ids: ['100015'] });
      });

      it('400-302 for a chat', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '100008', '100016') },
        });
        expectError(response, 400, '400-302', { ids: ['100016'] });
      });

      it('400-303 for activities already assigned to the caller', async () => {
        const response = await refused(service, {
          login: 'bob',
          query: '?unpin=yes',
          body: { activity: await itemsOf(service, '100013', '100008', '100012') },
        });
        expectError(response, 400, '400-303', { ids: ['100013', '100012'] });
      });

      it('400-304 for a completed activity', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '100017', '100008') },
        });
        expectError(response, 400, '400-304', { ids: ['100017'] });
      });

      it('403-180 for carol (eGain Platform only) and emails, naming the emails only', async () => {
        const response = await refused(service, {
          login: 'carol',
          body: { activity: await itemsOf(service, '100009', '100018', '100010') },
        });
        expectError(response, 403, '403-180', { ids: ['100009', '100010'] });
      });

      it('403-180 for erin (no license) and a task and a user-defined activity', async () => {
        const response = await refused(service, {
          login: 'erin',
          body: { activity: await itemsOf(service, '100018', '100020') },
        });
        expectError(response, 403, '403-180', { ids: ['100018', '100020'] });
      });

      it('403-181 for alice and the Sales queue', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '100008', '100019') },
        });
        expectError(response, 403, '403-181', { ids: ['100019'] });
      });

      it('403-182 for bob and an activity of alice', async () => {
        const response = await refused(service, {
          login: 'bob',
          body: { activity: await itemsOf(service, '100021', '100008') },
        });
        expectError(response, 403, '403-182', { ids: ['100021'] });
      });

      it('403-177 for an activity locked by its assignee', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '100008', '100014') },
        });
        expectError(response, 403, '403-177', { message: MESSAGES['403-177']('100014'), ids: ['100014'] });
      });

      it('400-305 for pinned activities without unpin=yes', async () => {
        const response = await refused(service, {
          body: { activity: await itemsOf(service, '100012', '100008', '100013') },
        });
        expectError(response, 400, '400-305', { ids: ['100012', '100013'] });
      });

      it('400-305 for bob and the pinned activity of erin without unpin=yes', async () => {
        const response = await refused(service, {
          login: 'bob',
          body: { activity: await itemsOf(service, '100022') },
        });
        expectError(response, 400, '400-305', { ids: ['100022'] });
      });

      it('409-100 names every stale activity, to the millisecond', async () => {
        const [a, b, c] = await itemsOf(service, '100005', '100008', '100006');
        const shift = (item: Item, ms: number) => ({
          ...item,
          lastModified: new Date(Date.parse(item.lastModified) + ms).toISOString(),
        });
        const response = await refused(service, { body: { activity: [shift(a, 1), b, shift(c, -1)] } });
        expectError(response, 409, '409-100', {
          message: MESSAGES['409-100']('100005,100006'),
          ids: ['100005', '100006'],
        });
      });

      it('409-100 for a lastModified with the right second but no milliseconds', async () => {
        const [item] = await itemsOf(service, '100005');
        const lastModified = item.lastModified.replace(/\.\d{3}Z$/, 'Z');
        assert.notEqual(lastModified, item.lastModified);
        const response = await refused(service, { body: { activity: [{ id: '100005', lastModified }] } });
        expectError(response, 409, '409-100', { ids: ['100005'] });
      });

      it('judges rules 7–19 in the contract order, naming only the offenders of the first failing rule', async () => {
        // For alice: each step removes the offender of the previous one.
        const steps: readonly (readonly [string, string, readonly string[]])[] = [
          ['1217', '400-194', ['1217']],
          ['100015', '400-301', ['100015']],
          ['100016', '400-302', ['100016']],
          ['100021', '400-303', ['100021']],
          ['100017', '400-304', ['100017']],
          ['100019', '403-181', ['100019']],
          ['100014', '403-177', ['100014']],
          ['100012', '400-305', ['100012']],
          ['100005', '409-100', ['100005']],
        ];
        let ids = [
          '100005',
          '100012',
          '100014',
          '100019',
          '100017',
          '100021',
          '100016',
          '100015',
          '1217',
          '100008',
        ];
        for (const [removed, code, offending] of steps) {
          const items = await itemsOf(service, ...ids);
          const body = {
            activity: items.map((item) =>
              item.id === '100005'
                ? { ...item, lastModified: new Date(Date.parse(item.lastModified) - 1).toISOString() }
                : item,
            ),
          };
          const response = await refused(service, { body });
          expectError(response, Number(code.slice(0, 3)), code, { ids: offending });
          ids = ids.filter((id) => id !== removed);
        }
        // bob: 403-179 comes before 400-301 and 400-302; carol: 403-180 before 403-182.
        expectError(
          await refused(service, {
            login: 'bob',
            body: { activity: await itemsOf(service, '100016', '100015', '100019') },
          }),
          403,
          '403-179',
          { ids: ['100019'] },
        );
        expectError(
          await refused(service, {
            login: 'carol',
            body: { activity: await itemsOf(service, '100021', '100009') },
          }),
          403,
          '403-180',
          { ids: ['100009'] },
        );
        // bob with unpin=yes: 403-182 (no Pull on alice) before 403-178 naming Unpin.
        expectError(
          await refused(service, {
            login: 'bob',
            query: '?unpin=yes',
            body: { activity: await itemsOf(service, '100022', '100021') },
          }),
          403,
          '403-182',
          { ids: ['100021'] },
        );
        // rule 18 before rule 19
        const [pinned] = await itemsOf(service, '100022');
        expectError(
          await refused(service, {
            login: 'bob',
            query: '?unpin=yes',
            body: { activity: [{ ...pinned, lastModified: ANY_INSTANT }] },
          }),
          403,
          '403-178',
          { message: MESSAGES['403-178']('Unpin'), ids: ['100022'], idsInMessage: false },
        );
      });
    });

    // ------------------------------------------------------------------------------------------
    // Rule order at the HTTP level

    describe('rule order at the HTTP level', () => {
      const everythingWrong = {
        query: '?foo=1',
        headers: { accept: 'text/html', 'accept-language': 'xx-YY', 'content-type': 'text/plain' },
        body: '{"color":"red"}',
      };

      it('401 before 406, 415, 400-101 and the body', async () => {
        const response = await refused(service, { ...everythingWrong, token: null });
        expectError(response, 401, '401-101', { message: MESSAGES['401-101'] });
      });

      it('401 before 413', async () => {
        const response = await refused(service, { token: null, body: 'x'.repeat(70_000) });
        expectError(response, 401, '401-101');
      });

      it('406-101 before 406-100, 415, 400-101 and the body', async () => {
        expectError(await refused(service, everythingWrong), 406, '406-101');
      });

      it('406-100 before 415, 400-101 and the body', async () => {
        const response = await refused(service, {
          ...everythingWrong,
          headers: { ...everythingWrong.headers, accept: undefined },
        });
        expectError(response, 406, '406-100');
      });

      it('415 before 400-101, the body and 413', async () => {
        const headers = { 'content-type': 'text/plain' };
        expectError(
          await refused(service, { query: '?foo=1', headers, body: '{"color":"red"}' }),
          415,
          '415-100',
        );
        expectError(await refused(service, { headers, body: 'x'.repeat(70_000) }), 415, '415-100');
      });

      it('400-101 before 400-102, the body and 413', async () => {
        expectError(
          await refused(service, { query: '?foo=1&unpin=no', body: '{"color":"red"}' }),
          400,
          '400-101',
          {
            message: MESSAGES['400-101']('foo'),
          },
        );
        expectError(await refused(service, { query: '?foo=1', body: 'x'.repeat(70_000) }), 400, '400-101');
      });

      it('400-102 before the body', async () => {
        expectError(await refused(service, { query: '?unpin=no' }), 400, '400-102');
        expectError(await refused(service, { query: '?unpin=no', body: '{"color":"red"}' }), 400, '400-102');
      });

      it('body codes before 403-197 and 403-178', async () => {
        const read = service.token('dave', { scope: 'core.casemgr.read' });
        expectError(await refused(service, { token: read }), 400, '400-264');
        expectError(await refused(service, { token: read, body: '{"color":"red"}' }), 400, '400-147');
        expectError(await refused(service, { token: read, body: 'nope' }), 400, '400-152');
        expectError(
          await refused(service, {
            token: read,
            body: {
              activity: [
                { id: '1', lastModified: ANY_INSTANT },
                { id: 1, lastModified: ANY_INSTANT },
              ],
            },
          }),
          400,
          '400-105',
        );
        expectError(await refused(service, { token: read, body: 'x'.repeat(70_000) }), 413, '413-100');
      });

      it('403-197 before 403-178', async () => {
        const read = service.token('dave', { scope: 'core.casemgr.read' });
        expectError(
          await refused(service, { token: read, body: { activity: await itemsOf(service, '1217') } }),
          403,
          '403-197',
        );
      });

      it('403-178 before 400-194', async () => {
        expectError(
          await refused(service, { login: 'dave', body: { activity: await itemsOf(service, '1217') } }),
          403,
          '403-178',
          {
            message: MESSAGES['403-178']('Pick Activities'),
          },
        );
      });
    });

    // ------------------------------------------------------------------------------------------
    // Success

    describe('success', () => {
      it('204 with an empty body; the activity is assigned to the caller, in the same queue, with one history entry', async () => {
        const [item] = await itemsOf(service, '100002');
        const response = await send(service, { login: 'bob', body: { activity: [item] } });
        assert.equal(response.status, 204, response.text);
        assert.equal(response.text, '');
        expectRequestId(response);

        const row = await service.database.db
          .selectFrom('activities')
          .selectAll()
          .where('id', '=', '100002')
          .executeTakeFirstOrThrow();
        assert.equal(row.status, 'assigned');
        assert.equal(row.substatus, 'new');
        assert.equal(row.assigned_user_id, '1002');
        assert.equal(Number(row.pinned), 0);
        assert.equal(Number(row.locked), 0);
        assert.equal(row.queue_id, '10');
        assert.equal(row.department_id, '999');
        assert.equal(row.last_modified_by, '1002');
        assert.equal(row.last_action, 'picked');
        assert.ok(Number(row.last_modified_ms) > Date.parse(item.lastModified));

        const history = await service.history('100002');
        assert.equal(history.length, 1);
        assert.equal(history[0].from_kind, 'queue');
        assert.equal(history[0].from_id, '10');
        assert.equal(history[0].to_user_id, '1002');
        assert.equal(history[0].by_user_id, '1002');
        assert.equal(Number(history[0].unpinned), 0);
        assert.equal(String(history[0].at_ms), String(row.last_modified_ms));
      });

      it('unpin=yes: alice picks 100011, pinned by bob; it is then hers and not pinned', async () => {
        const [item] = await itemsOf(service, '100011');
        const response = await send(service, { query: '?unpin=yes', body: { activity: [item] } });
        assert.equal(response.status, 204, response.text);
        assert.equal(response.text, '');

        const read = await service.request({
          path: '/core/casemgr/v3/activity/100011',
          headers: { authorization: `Bearer ${service.token('alice')}` },
        });
        assert.equal(read.status, 200, read.text);
        const [activity] = read.json().activity;
        assert.equal(activity.status.value, 'assigned');
        assert.equal(activity.status.substatus.value, 'new');
        assert.equal(activity.status.assigned.user.id, '1001');
        assert.equal(activity.status.assigned.pinned, false);
        assert.equal(activity.status.assigned.locked, false);
        assert.ok(Date.parse(activity.lastModified) > Date.parse(item.lastModified));
        assert.equal(activity.lastModified, await service.lastModified('100011'));

        const history = await service.history('100011');
        assert.equal(history.length, 1);
        assert.equal(history[0].from_kind, 'user');
        assert.equal(history[0].from_id, '1002');
        assert.equal(Number(history[0].unpinned), 1);
      });

      it('a user-defined activity type can be picked (bob, 100020)', async () => {
        const response = await send(service, {
          login: 'bob',
          body: { activity: await itemsOf(service, '100020') },
        });
        assert.equal(response.status, 204, response.text);
      });

      it('lastModified is compared as an instant: the same instant with an offset is accepted', async () => {
        const [item] = await itemsOf(service, '100007');
        const ms = Date.parse(item.lastModified);
        const local = new Date(ms + 2 * 3600_000).toISOString().replace('Z', '+02:00');
        assert.equal(Date.parse(local), ms);
        const response = await send(service, { body: { activity: [{ id: 100007, lastModified: local }] } });
        assert.equal(response.status, 204, response.text);
        assert.equal(
          (
            await service.database.db
              .selectFrom('activities')
              .select('assigned_user_id')
              .where('id', '=', '100007')
              .executeTakeFirstOrThrow()
          ).assigned_user_id,
          '1001',
        );
      });

      it('the same request again gives 400-303; the old lastModified from someone else gives 409-100', async () => {
        const items = await itemsOf(service, '100003');
        const first = await send(service, { login: 'bob', body: { activity: items } });
        assert.equal(first.status, 204, first.text);
        const again = await refused(service, { login: 'bob', body: { activity: items } });
        expectError(again, 400, '400-303', { ids: ['100003'] });
        const stale = await refused(service, { login: 'alice', body: { activity: items } });
        expectError(stale, 409, '409-100', { message: MESSAGES['409-100']('100003'), ids: ['100003'] });
      });

      it('every response carries a distinct x-request-id', async () => {
        const responses = [
          await send(service, { login: 'bob', body: { activity: await itemsOf(service, '100001') } }),
          await send(service, { token: null, body: { activity: [] } }),
          await send(service, { headers: { accept: 'text/html' }, body: { activity: [] } }),
          await send(service, { headers: { 'content-type': 'text/plain' }, body: 'x' }),
          await send(service, { query: '?x=1' }),
          await send(service, {}),
          await send(service, { body: 'x'.repeat(70_000) }),
          await send(service, { body: { activity: await itemsOf(service, '1217') } }),
          await service.request({
            method: 'GET',
            path: '/core/casemgr/v3/activity/100008',
            headers: { authorization: `Bearer ${service.token('alice')}` },
          }),
        ];
        assert.equal(responses[0].status, 204);
        const ids = responses.map(expectRequestId);
        assert.equal(new Set(ids).size, ids.length);
      });
    });

    // ------------------------------------------------------------------------------------------
    // Error bodies

    describe('error bodies', () => {
      const unknown = () => ({
        activity: [
          { id: '1217', lastModified: ANY_INSTANT },
          { id: '1220', lastModified: ANY_INSTANT },
        ],
      });

      it('XML: declaration, then error in the common namespace with code, developerMessage, details, userMessage in that order', async () => {
        const response = await refused(service, {
          headers: { accept: 'application/xml', 'x-egain-error-message': 'yes' },
          body: unknown(),
        });
        assert.equal(response.status, 400);
        assert.match(String(response.headers['content-type']), /^application\/xml\b/);
        assert.ok(response.text.startsWith(XML_DECLARATION), response.text);
        assert.equal(
          canonicalXml(response.text),
          `<error xmlns="${COMMON_NS}"><code>400-194</code>` +
            `<developerMessage>The following IDs supplied in the request body were not found: '1217,1220'.</developerMessage>` +
            `<details><detail><key>activityId</key><value>1217</value></detail>` +
            `<detail><key>activityId</key><value>1220</value></detail></details>` +
            `<userMessage>Some of the selected activities no longer exist.</userMessage></error>`,
        );
      });

      it('XML without details and without userMessage', async () => {
        const response = await refused(service, { headers: { accept: 'application/xml' } });
        assert.equal(response.status, 400);
        assert.ok(response.text.startsWith(XML_DECLARATION), response.text);
        assert.equal(
          canonicalXml(response.text),
          `<error xmlns="${COMMON_NS}"><code>400-264</code><developerMessage>${MESSAGES['400-264']}</developerMessage></error>`,
        );
      });

      it('XML and JSON carry the same fields', async () => {
        const headers = { 'x-egain-error-message': 'yes', 'accept-language': 'fr-FR' };
        const json = (await refused(service, { headers, body: unknown() })).json<ErrorBody>();
        const xml = await refused(service, {
          headers: { ...headers, accept: 'application/xml' },
          body: unknown(),
        });
        assert.deepEqual(startTags(xml.text), [
          'error',
          'code',
          'developerMessage',
          'details',
          'detail',
          'key',
          'value',
          'detail',
          'key',
          'value',
          'userMessage',
        ]);
        const error = xmlParser.parse(xml.text).error;
        assert.equal(error['@_xmlns'], COMMON_NS);
        assert.deepEqual(
          {
            code: error.code,
            developerMessage: error.developerMessage,
            details: error.details.detail,
            userMessage: error.userMessage,
          },
          json,
        );
      });

      for (const [accept, media] of [
        ['application/xml;q=0.9, application/json', 'json'],
        ['application/json;q=0.5, application/xml', 'xml'],
        ['*/*', 'json'],
        ['application/xml, application/json', 'json'],
        ['application/json, application/xml', 'json'],
        ['application/xml', 'xml'],
        ['application/*', 'json'],
        ['text/html, application/xml;q=0.1', 'xml'],
        ['application/xml, */*;q=0.1', 'xml'],
        ['', 'json'],
        // No valid range at all: the header says nothing, as if absent (docs/decisions.md).
        ['garbage', 'json'],
        [';;,', 'json'],
        // A range with an invalid q is dropped; the rest is judged as usual.
        ['application/json;q=2, application/xml', 'xml'],
        ['application/json;q=0x1, application/xml;q=0.5', 'xml'],
        ['application/xml;q=', 'json'], // an empty q is not q=0: dropped, so no valid range
        // Spaces around "=" are forgiven: q = 0.1 is 0.1, not a missing q (1).
        ['application/json;q = 0.1, application/xml;q=0.5', 'xml'],
      ] as const) {
        it(`Accept: "${accept}" gives ${media}`, async () => {
          const response = await refused(service, { headers: { accept }, body: unknown() });
          assert.equal(response.status, 400);
          if (media === 'json') {
            expectError(response, 400, '400-194', { ids: ['1217', '1220'] });
          } else {
            assert.match(String(response.headers['content-type']), /^application\/xml\b/);
            assert.equal(xmlParser.parse(response.text).error.code, '400-194');
          }
        });
      }

      it('userMessage only with X-egain-error-message: yes', async () => {
        expectError(await refused(service, { body: unknown() }), 400, '400-194');
        expectError(
          await refused(service, { headers: { 'x-egain-error-message': 'no' }, body: unknown() }),
          400,
          '400-194',
        );
        const body = (
          await refused(service, { headers: { 'x-egain-error-message': 'yes' }, body: unknown() })
        ).json<ErrorBody>();
        assert.equal(body.code, '400-194');
        assert.equal(body.userMessage, 'Some of the selected activities no longer exist.');
        assert.deepEqual(Object.keys(body), ['code', 'developerMessage', 'details', 'userMessage']);
      });

      it('userMessage is localized too', async () => {
        const body = (
          await refused(service, {
            headers: { 'x-egain-error-message': 'yes', 'accept-language': 'de-DE' },
            body: unknown(),
          })
        ).json<ErrorBody>();
        assert.equal(typeof body.userMessage, 'string');
        assert.notEqual(body.userMessage, 'Some of the selected activities no longer exist.');
      });

      const english = MESSAGES['400-194']('1217,1220');
      const messageIn = async (acceptLanguage: string) => {
        const response = await refused(service, {
          headers: { 'accept-language': acceptLanguage },
          body: unknown(),
        });
        return expectError(response, 400, '400-194', { ids: ['1217', '1220'] }).developerMessage;
      };

      for (const locale of [
        'fr-FR',
        'de-DE',
        'ja-JP',
        'pt-BR',
        'es-ES',
        'it-IT',
        'nl-NL',
        'pt-PT',
        'da-DK',
        'ru-RU',
        'fr-CA',
        'zh-CN',
        'ko-KR',
        'sv-SE',
      ]) {
        it(`developerMessage in ${locale} differs from English and names the ids`, async () => {
          const message = await messageIn(locale);
          assert.notEqual(message, english);
          assert.ok(message.includes('1217,1220'), message);
        });
      }

      it('a bare language picks its first region: pt → pt-BR, fr → fr-FR, en → en-US', async () => {
        assert.equal(await messageIn('pt'), await messageIn('pt-BR'));
        assert.equal(await messageIn('fr'), await messageIn('fr-FR'));
        assert.equal(await messageIn('en'), english);
      });

      it('Accept-Language is case-insensitive and * means en-US', async () => {
        assert.equal(await messageIn('EN-us'), english);
        assert.equal(await messageIn('de-de'), await messageIn('de-DE'));
        assert.equal(await messageIn('*'), english);
      });

      it('a q-weighted list picks the best supported tag', async () => {
        assert.equal(await messageIn('xx;q=1, de-DE;q=0.5'), await messageIn('de-DE'));
        assert.equal(await messageIn('fr-FR;q=0.4, ja-JP;q=0.8'), await messageIn('ja-JP'));
      });

      it('a message naming many ids stays within 255 characters, ends the list with "…", and details keep 30', async () => {
        const ids = Array.from({ length: 75 }, (_, i) => String(400000000000000000n + BigInt(i) * 1234567n));
        assert.ok(ids.every((id) => id.length === 18));
        const response = await refused(service, {
          body: { activity: ids.map((id) => ({ id, lastModified: ANY_INSTANT })) },
        });
        const body = expectError(response, 400, '400-194');
        assert.ok(body.developerMessage.length <= 255, `${body.developerMessage.length}`);
        const match = /'([^']*)'\.$/.exec(body.developerMessage);
        assert.ok(match, body.developerMessage);
        const list = match[1];
        assert.ok(list.endsWith('…'), list);
        const named = list
          .slice(0, -1)
          .split(',')
          .filter((s) => s !== '');
        assert.ok(named.length > 0);
        assert.deepEqual(named, ids.slice(0, named.length));
        assert.deepEqual(
          body.details,
          ids.slice(0, 30).map((value) => ({ key: 'activityId', value })),
        );
      });

      it('the cut message stays within 255 characters in other languages too', async () => {
        const ids = Array.from({ length: 75 }, (_, i) => String(500000000000000000n + BigInt(i)));
        for (const language of ['de-DE', 'ru-RU', 'ja-JP']) {
          const response = await refused(service, {
            headers: { 'accept-language': language, 'x-egain-error-message': 'yes' },
            body: { activity: ids.map((id) => ({ id, lastModified: ANY_INSTANT })) },
          });
          const body = response.json<ErrorBody>();
          assert.equal(body.code, '400-194');
          assert.ok(body.developerMessage.length <= 255, `${language}: ${body.developerMessage.length}`);
          assert.ok(body.developerMessage.includes('…'), body.developerMessage);
          assert.equal(body.details?.length, 30);
        }
      });
    });
  });

  // --------------------------------------------------------------------------------------------
  // A batch of 75

  describe(`pick of 75 activities, with a clock behind the stored lastModified values (${dialect})`, () => {
    // fixtureOrganisation(120) holds only 55 activities alice may pick; 200 holds 90.
    const organisation = fixtureOrganisation(200);
    // Older than every activity of the organisation: the new lastModified must still move forward.
    const lateClock = { nowMs: () => FIXTURE_NOW.getTime() - 120 * 24 * 3600_000 };
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect, { organisation, clock: lateClock });
    });
    after(() => service.close());

    /** Activities alice may pick without unpin=yes, by the contract's rules applied to the organisation file. */
    function pickableByAlice(): string[] {
      const alice = organisation.users.find((u) => u.loginName === 'alice')!;
      const departments = new Set([alice.homeDepartment, ...(alice.foreignDepartments ?? [])]);
      const groups = new Set(
        organisation.userGroups.filter((g) => g.members?.includes(alice.id)).map((g) => g.id),
      );
      const grants = organisation.permissions.filter(
        (p) =>
          p.permission === 'Pull activities' &&
          ('user' in p.grantedTo ? p.grantedTo.user === alice.id : groups.has(p.grantedTo.group)),
      );
      const queues = new Set(grants.flatMap((p) => ('queue' in p.on ? [p.on.queue] : [])));
      const users = new Set(grants.flatMap((p) => ('user' in p.on ? [p.on.user] : [])));
      const customTypes = new Set(organisation.activityTypes.map((t) => t.name));
      const licenses = new Set(alice.licenses ?? []);
      const mailLicensed = licenses.has('eGain Advisor Desktop') || licenses.has('eGain MailPlus');
      return organisation.activities
        .filter((a) => departments.has(a.department))
        .filter((a) => a.isDraftResponse !== true)
        .filter((a) => ['email', 'social', 'task'].includes(a.type) || customTypes.has(a.type))
        .filter((a) => (a.type === 'email' || a.type === 'social' ? mailLicensed : licenses.size > 0))
        .filter((a) =>
          a.status === 'awaiting_assignment'
            ? a.queue !== undefined && queues.has(a.queue)
            : a.status === 'assigned' &&
              a.assignedTo !== alice.id &&
              users.has(a.assignedTo!) &&
              a.pinned !== true &&
              a.locked !== true,
        )
        .map((a) => a.id);
    }

    it('204: all 75 are assigned to alice with the same new lastModified and 75 history entries', async () => {
      const ids = pickableByAlice().slice(0, 75);
      assert.equal(ids.length, 75, 'the organisation must hold 75 activities alice may pick');
      const items = await itemsOf(service, ...ids);
      const latestBefore = Math.max(...items.map((i) => Date.parse(i.lastModified)));
      const response = await send(service, { body: { activity: items } });
      assert.equal(response.status, 204, response.text);
      assert.equal(response.text, '');

      const rows = await service.database.db
        .selectFrom('activities')
        .select([
          'id',
          'status',
          'substatus',
          'assigned_user_id',
          'pinned',
          'locked',
          'last_modified_ms',
          'last_modified_by',
        ])
        .where('id', 'in', ids)
        .execute();
      assert.equal(rows.length, 75);
      const stamps = new Set(rows.map((r) => String(r.last_modified_ms)));
      assert.equal(stamps.size, 1, 'one lastModified for the whole batch');
      assert.ok(Number([...stamps][0]) > latestBefore, 'strictly later than every previous lastModified');
      for (const row of rows) {
        assert.equal(row.status, 'assigned');
        assert.equal(row.substatus, 'new');
        assert.equal(row.assigned_user_id, '1001');
        assert.equal(Number(row.pinned), 0);
        assert.equal(Number(row.locked), 0);
        assert.equal(row.last_modified_by, '1001');
      }
      const history = await service.database.db
        .selectFrom('activity_history')
        .select(['activity_id', 'to_user_id', 'by_user_id', 'at_ms'])
        .where('activity_id', 'in', ids)
        .execute();
      assert.equal(history.length, 75);
      assert.deepEqual(new Set(history.map((h) => h.activity_id)), new Set(ids));
      for (const entry of history) {
        assert.equal(entry.to_user_id, '1001');
        assert.equal(entry.by_user_id, '1001');
        assert.equal(String(entry.at_ms), [...stamps][0]);
      }

      // The same batch again: every one is already hers.
      const again = expectError(await refused(service, { body: { activity: items } }), 400, '400-303');
      assert.deepEqual(
        again.details,
        ids.slice(0, 30).map((value) => ({ key: 'activityId', value })),
      );
    });
  });
}
