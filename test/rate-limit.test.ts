// The per-caller rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS) through a real server and real
// tokens: 429-001 with Retry-After, in eGain's shape as negotiated; counted per verified user, else per
// client address, so forged subjects do not each get their own allowance; health and metrics are
// never limited. The limit sits in front of the store: the embedded store is enough.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError } from './support/expect-error.js';
import { startTestService, type TestService } from './support/test-service.js';

const MAX = 3;
const READ = '/core/casemgr/v3/activity/100001';

/** A token-shaped string naming `sub`, signed by nobody: it never verifies. */
function forgedToken(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'EdDSA', typ: 'JWT' })}.${part({ sub, scope: 'core.casemgr.manage' })}.c2lnbmF0dXJl`;
}

describe('rate limit', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', { rateLimit: { max: MAX, windowMs: 60_000 } });
  });
  after(() => service.close());

  const read = (login: string, headers: Record<string, string> = {}) =>
    service.request({
      path: READ,
      headers: { authorization: `Bearer ${service.token(login)}`, ...headers },
    });

  it('answers 429-001 with Retry-After past RATE_LIMIT_MAX requests of one user, in the negotiated format', async () => {
    for (let i = 0; i < MAX; i++) assert.equal((await read('carol')).status, 200);
    const json = await read('carol');
    const seconds = Number(json.headers['retry-after']);
    assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, String(seconds));
    expectError(json, 429, '429-001', { message: `Too many requests. Retry after ${seconds} seconds.` });
    const xml = await read('carol', { accept: 'application/xml', 'accept-language': 'fr-FR' });
    assert.equal(xml.status, 429);
    assert.match(String(xml.headers['content-type']), /^application\/xml\b/);
    assert.match(xml.text, /<code>429-001<\/code>/);
    assert.match(xml.text, /Trop de requêtes\. Réessayez dans \d+ secondes\./);
    assert.ok(Number(xml.headers['retry-after']) >= 1);
    // Another user has an allowance of its own.
    assert.equal((await read('dave')).status, 200);
  });

  it('counts requests without a valid token by address, whatever subject they claim', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < MAX + 2; i++) {
      const response = await service.request({
        path: READ,
        headers: { authorization: `Bearer ${forgedToken(`user-${i}`)}` },
      });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [...Array<number>(MAX).fill(401), 429, 429]);
    // The same address with a verified token is counted as its user.
    assert.equal((await read('erin')).status, 200);
  });

  it('never limits health and metrics', async () => {
    for (let i = 0; i < MAX * 3; i++) {
      assert.equal((await service.request({ path: '/health/live' })).status, 200);
      assert.equal((await service.request({ path: '/metrics' })).status, 200);
    }
  });

  it('is counted in casemgr_requests_refused_total', async () => {
    for (let i = 0; i <= MAX; i++) await read('bob');
    const text = (await service.request({ path: '/metrics' })).text;
    const line = text
      .split('\n')
      .find((l) => l.startsWith('casemgr_requests_refused_total{cause="rate_limit"} '));
    assert.ok(line !== undefined && Number(line.split(' ')[1]) >= 1, line);
  });
});
