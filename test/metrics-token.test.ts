// METRICS_TOKEN: when set, /metrics answers only a bearer of that token (401 with an eGain body
// otherwise); when empty, /metrics is open as before. Through `casemgr serve`'s own start-up.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startService, type RunningService } from '../src/cli/serve-command.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { rawRequest } from './support/test-service.js';

const TOKEN = 'metrics-scraper-secret-0123456789';

describe('METRICS_TOKEN', () => {
  let dir: string;
  let guarded: RunningService;
  let open: RunningService;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'casemgr-metrics-'));
    const settings = { PORT: '0', LOG_LEVEL: 'silent' } as const;
    guarded = await startService(
      parseConfig({ ...settings, DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, METRICS_TOKEN: TOKEN }),
      { demo: false },
    );
    open = await startService(parseConfig({ ...settings, DATABASE_URL: `sqlite:${join(dir, 'b.db')}` }), {
      demo: false,
    });
  });
  after(async () => {
    await guarded.stop();
    await open.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const metrics = (service: RunningService, authorization?: string) =>
    rawRequest(service.address, { path: '/metrics', headers: { authorization } });

  it('answers the bearer of the token', async () => {
    const response = await metrics(guarded, `Bearer ${TOKEN}`);
    assert.equal(response.status, 200);
    assert.match(response.text, /casemgr_http_request_duration_seconds/);
  });

  for (const [name, authorization] of [
    ['no Authorization', undefined],
    ['another token', 'Bearer metrics-scraper-secret-0123456788'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with more after it', `Bearer ${TOKEN}x`],
    ['the token without "Bearer"', TOKEN],
  ] as const) {
    it(`refuses ${name} with 401 and an eGain body`, async () => {
      const response = await metrics(guarded, authorization);
      assert.equal(response.status, 401);
      assert.equal(response.json().code, '401-101');
      assert.doesNotMatch(response.text, /casemgr_/);
    });
  }

  it('leaves /metrics open when empty (the default)', async () => {
    assert.equal((await metrics(open)).status, 200);
  });

  it('must be at least 16 characters when set', () => {
    assert.throws(() => parseConfig({ METRICS_TOKEN: 'short' }), ConfigError);
    assert.equal(parseConfig({ METRICS_TOKEN: '' }).metricsToken, '');
  });
});
