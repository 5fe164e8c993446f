// How casemgr serves the console (src/http/console): the page at /console, /console/ and the
// sign-in's callback, never cached, with a Content-Security-Policy that allows no inline script or
// style and no other origin; the content-hashed assets cached for good; a 503 page (and a log line)
// when the console was never built, instead of a crash; nothing at all without the sign-in.
// Reads the built console: run `npm run build` first.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CONSOLE_DIR } from '../src/http/console/console-files.js';
import { captureLog, LEVEL } from './support/captured-log.js';
import { startTestService, type HttpResponse, type TestService } from './support/test-service.js';

const directives = (response: HttpResponse) =>
  new Map(
    String(response.headers['content-security-policy'] ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...values]) => [name, values.join(' ')]),
  );

function assertStrictCsp(response: HttpResponse): void {
  const csp = directives(response);
  assert.equal(csp.get('default-src'), "'none'");
  assert.equal(csp.get('script-src'), "'self'");
  assert.equal(csp.get('style-src'), "'self'");
  assert.equal(csp.get('connect-src'), "'self'");
  assert.equal(csp.get('frame-ancestors'), "'none'");
  assert.equal(csp.get('base-uri'), "'none'");
  for (const values of csp.values()) assert.doesNotMatch(values, /unsafe-|\*|https?:|data:/);
}

describe('serving the console', () => {
  let service: TestService;
  before(async () => {
    assert.ok(
      existsSync(join(DEFAULT_CONSOLE_DIR, 'index.html')),
      'run `npm run build` first (dist/console)',
    );
    service = await startTestService('sqlite', { signIn: true });
  });
  after(async () => {
    await service.close();
  });

  it('serves the page at /console, /console/ and /console/callback: no-store, strict CSP', async () => {
    for (const path of ['/console', '/console/', '/console/callback?code=x&state=y']) {
      const response = await service.request({ path });
      assert.equal(response.status, 200, `${path}: ${response.text}`);
      assert.match(String(response.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.equal(response.headers['cache-control'], 'no-store');
      assertStrictCsp(response);
      // Nothing inline: every script comes from a file, and no element carries a style.
      assert.doesNotMatch(response.text, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son\w+=/i);
      assert.match(response.text, /<html lang="/);
    }
  });

  it('serves each asset the page names: hashed names, immutable, the right type', async () => {
    const page = (await service.request({ path: '/console/' })).text;
    const assets = [...page.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.equal(assets.length, 3, page);
    // The icon is linked, so that a browser never asks for /favicon.ico (a 404).
    assert.match(page, /<link rel="icon" type="image\/svg\+xml" href="\/console\/assets\/icon-/);
    const types: Record<string, RegExp> = {
      js: /^text\/javascript/,
      css: /^text\/css/,
      svg: /^image\/svg\+xml/,
    };
    for (const path of assets) {
      assert.match(path, /-[A-Za-z0-9]{8,}\.(js|css|svg)$/, 'a content-hashed name');
      const response = await service.request({ path });
      assert.equal(response.status, 200, path);
      assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.match(String(response.headers['content-type']), types[path.split('.').pop() ?? ''] ?? /none/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    }
  });

  it('404 for an asset that does not exist, never cached', async () => {
    const response = await service.request({ path: '/console/assets/main-NOTTHERE.js' });
    assert.equal(response.status, 404);
    assert.equal(response.headers['cache-control'], 'no-store');
  });
});

describe('serving the console when it was never built', () => {
  let service: TestService;
  let empty: string;
  const log = captureLog();
  before(async () => {
    empty = mkdtempSync(join(tmpdir(), 'casemgr-no-console-'));
    service = await startTestService('sqlite', { signIn: true, consoleDir: empty, logger: log.logger });
  });
  after(async () => {
    await service.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('starts, logs why, and answers /console with a 503 page that says so', async () => {
    const response = await service.request({ path: '/console/' });
    assert.equal(response.status, 503);
    assert.match(response.text, /npm run build/);
    assert.equal(response.headers['cache-control'], 'no-store');
    assertStrictCsp(response);
    const logged = log.containing('the console is not built');
    assert.equal(logged.length, 1);
    assert.equal(logged[0].level, LEVEL.error);
    // The API still serves.
    const read = await service.request({
      path: '/core/casemgr/v3/activity/100001',
      headers: { authorization: `Bearer ${service.token('bob')}` },
    });
    assert.equal(read.status, 200);
  });
});

describe('no console without the sign-in (an external issuer)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite');
  });
  after(async () => {
    await service.close();
  });

  it('404 at /console', async () => {
    assert.equal((await service.request({ path: '/console/' })).status, 404);
  });
});
