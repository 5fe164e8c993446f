// `npm run screenshots`: starts the demo service (`casemgr serve --demo` on a fresh SQLite file),
// signs the demo users in through the real login page in Chromium, and saves a PNG of each main
// screen under docs/screenshots/ (1280×800). It also prints two measurements, which it does not
// judge: the console's first contentful paint on loopback and its JavaScript's gzip size.
// Needs `npm run build` first (it runs the built service and its console bundle).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser.js';
import { VIEWPORT, submitLogin } from '../test/support/browser-world.js';
import { freePort } from '../test/support/free-port.js';

const ROOT = new URL('../', import.meta.url);
const OUT = new URL('docs/screenshots/', ROOT);
const BUNDLE = new URL('dist/console/assets/', ROOT);

async function startDemoService(): Promise<{ baseUrl: string; stop: () => void }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'casemgr-screenshots-'));
  const child = spawn(process.execPath, ['bin/casemgr.js', 'serve', '--demo'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite:${join(dataDir, 'demo.db')}`,
      PORT: String(port),
      PUBLIC_URL: baseUrl,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Ready when it answers; the demo import takes a few seconds on a loaded machine.
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`casemgr serve exited with ${child.exitCode}`);
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { baseUrl, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop();
  throw new Error('casemgr serve did not become ready');
}

const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function loginPage(browser: Browser, baseUrl: string, locale: string) {
  const context = await browser.newContext({ locale, viewport: VIEWPORT, baseURL: baseUrl });
  const page = await context.newPage();
  await page.goto('/console/');
  await page.locator('#login').waitFor();
  return { page, context };
}

async function signIn(page: Page, login: string): Promise<void> {
  await submitLogin(page, login, `demo-${login}`);
  await page.locator('[data-testid="app"][data-state="ready"]').waitFor();
  await testId(page, 'activity-table').or(testId(page, 'empty-list')).first().waitFor();
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, OUT).pathname });
  console.log(`docs/screenshots/${name}.png`);
}

/** FCP of the console's document, as the browser reports it (a loopback figure, not a verdict). */
function firstContentfulPaint(page: Page): Promise<number | undefined> {
  return page.evaluate(
    () =>
      (
        globalThis as unknown as {
          performance: { getEntriesByName(name: string): { startTime: number }[] };
        }
      ).performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
  );
}

function bundleGzipBytes(): { file: string; raw: number; gzip: number }[] {
  return readdirSync(BUNDLE)
    .filter((file) => file.endsWith('.js'))
    .map((file) => {
      const bytes = readFileSync(new URL(file, BUNDLE));
      return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
}

const { baseUrl, stop } = await startDemoService();
const browser = await launchBrowser();
try {
  // Sign-in, then bob's work (English).
  const bob = await loginPage(browser, baseUrl, 'en-US');
  await shoot(bob.page, 'sign-in');
  await signIn(bob.page, 'bob');
  await shoot(bob.page, 'my-work');

  // The console loaded again by a signed-in user: its FCP (the provider's session brings it back).
  await bob.page.goto('/console/');
  await bob.page.locator('[data-testid="app"][data-state="ready"]').waitFor();
  const fcp = await firstContentfulPaint(bob.page);

  // alice, a supervisor: a queue's waiting activities, then a colleague's work.
  const alice = await loginPage(browser, baseUrl, 'en-US');
  await signIn(alice.page, 'alice');
  await testId(alice.page, 'tab-queues').click();
  await testId(alice.page, 'queue').first().click();
  await testId(alice.page, 'activity-row').first().waitFor();
  await shoot(alice.page, 'queue');
  await testId(alice.page, 'tab-colleagues').click();
  await alice.page.locator('[data-testid="colleague"][data-user-id="1002"]').click();
  await testId(alice.page, 'activity-row').first().waitFor();
  await shoot(alice.page, 'colleagues');

  // bob, in French, picks two activities he already holds: the batch is refused, nothing changes.
  const bobFr = await loginPage(browser, baseUrl, 'fr-FR');
  await signIn(bobFr.page, 'bob');
  for (const id of ['100012', '100013'])
    await bobFr.page.locator(`[data-testid="select-activity"][data-activity-id="${id}"]`).check();
  await testId(bobFr.page, 'pick').click();
  await testId(bobFr.page, 'outcome-refused').waitFor();
  await testId(bobFr.page, 'outcome-refused').scrollIntoViewIfNeeded();
  await shoot(bobFr.page, 'refused-batch-fr');

  console.log(`first contentful paint of /console on loopback: ${fcp?.toFixed(0) ?? 'n/a'} ms`);
  for (const { file, raw, gzip } of bundleGzipBytes())
    console.log(
      `console JavaScript ${file}: ${(raw / 1024).toFixed(1)} KiB, gzip ${(gzip / 1024).toFixed(1)} KiB`,
    );
} finally {
  await browser.close();
  stop();
}
