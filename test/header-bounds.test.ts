// Accept and Accept-Language are read before the token is checked, so their cost must not grow with
// what an anonymous client sends (issue 9 §3, OWASP API4): only their first MAX_LIST_ENTRIES entries
// are read. Shown by the answers themselves: a supported entry past the bound is not seen, one within
// it is. The store plays no part, so the embedded store is enough.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_LIST_ENTRIES } from '../src/http/negotiation.js';
import { expectError } from './support/expect-error.js';
import { startTestService, type TestService } from './support/test-service.js';

const EN_401 = "Invalid or expired 'Authorization' header provided. New login is required.";
const FR_401 = "En-tête 'Authorization' non valide ou expiré. Une nouvelle connexion est requise.";

/** `filler` n times, then `last`: a list whose only useful entry is entry n + 1. */
const listEndingWith = (filler: string, n: number, last: string) =>
  [...Array(n).fill(filler), last].join(',');

describe('Accept and Accept-Language read before the token', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite');
  });
  after(() => service.close());

  const anonymous = (headers: Record<string, string>) =>
    service.request({ path: '/core/casemgr/v3/activity/100001', headers });

  it('7,000 language tags: the supported one at the end is not read (401 in en-US)', async () => {
    // 14 KB: under Node's 16 KiB limit on all header fields, which would answer 431.
    const acceptLanguage = listEndingWith('x', 7_000, 'fr-FR');
    assert.ok(acceptLanguage.length > 14_000);
    expectError(await anonymous({ 'accept-language': acceptLanguage }), 401, '401-101', { message: EN_401 });
  });

  it(`a supported language as entry ${MAX_LIST_ENTRIES} is still read`, async () => {
    const acceptLanguage = listEndingWith('xx', MAX_LIST_ENTRIES - 1, 'fr-FR');
    expectError(await anonymous({ 'accept-language': acceptLanguage }), 401, '401-101', { message: FR_401 });
  });

  it('3,000 media ranges: XML at the end is not read (401 in JSON)', async () => {
    const accept = listEndingWith('a/b', 3_000, 'application/xml');
    const response = await anonymous({ accept });
    assert.equal(response.status, 401);
    assert.match(String(response.headers['content-type']), /^application\/json\b/);
  });

  it(`XML as entry ${MAX_LIST_ENTRIES} is still read`, async () => {
    const response = await anonymous({
      accept: listEndingWith('text/plain', MAX_LIST_ENTRIES - 1, 'application/xml'),
    });
    assert.equal(response.status, 401);
    assert.match(String(response.headers['content-type']), /^application\/xml\b/);
  });

  it('with a token, a supported language past the bound is not seen: 406-100', async () => {
    const response = await service.request({
      path: '/core/casemgr/v3/activity/100001',
      headers: {
        authorization: `Bearer ${service.token('alice')}`,
        'accept-language': listEndingWith('xx', MAX_LIST_ENTRIES, 'fr-FR'),
      },
    });
    expectError(response, 406, '406-100');
  });
});
