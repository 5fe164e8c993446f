// The console in a real browser (Chromium through playwright-core) against the real service: bob
// signs in with code + PKCE on the embedded provider's login page and sees his work list; the token
// stays out of web storage; a reload signs him straight back in through the provider's session;
// "no, stay signed in" at the provider's sign-out keeps him signed in; signing out ends that session;
// the page asks for no file that is missing.
// (The full scenarios are in the console's end-to-end suite.) Needs `npm run build` (dist/console).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startBrowserWorld, type BrowserWorld } from './support/browser-world.js';
import type { TestService } from './support/test-service.js';

async function signInAs(page: Page, service: TestService, login: string): Promise<void> {
  await page.goto(`${service.baseUrl}/console/`);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(`demo-${login}`);
  await page.locator('button[type=submit]').click();
  await page.locator('[data-testid=app][data-state=ready]').waitFor();
}

const shownIds = (page: Page) =>
  page
    .locator('[data-testid=activity-row]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-activity-id')));

describe('console smoke (sqlite, Chromium)', () => {
  let world: BrowserWorld;
  let service: TestService;
  let browser: Browser;
  before(async () => {
    world = await startBrowserWorld('sqlite');
    ({ service, browser } = world);
  });
  after(async () => {
    await world?.close();
  });

  it('signs bob in and shows his open work; a reload signs him back in silently', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const refusedByCsp: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refusedByCsp.push(message.text());
    });
    // Nothing the page asks for is missing (the icon is linked, so no /favicon.ico either).
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await signInAs(page, service, 'bob');
    assert.equal(await page.getByTestId('user-name').textContent(), 'Bob Baker');
    await page.getByTestId('activity-table').waitFor();
    assert.deepEqual(await shownIds(page), ['100011', '100012', '100013', '100014', '100015']);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en-US');
    assert.equal(new URL(page.url()).pathname, '/console/');

    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    assert.doesNotMatch(storage, /eyJ/, 'no token in web storage');

    await page.reload();
    await page.locator('[data-testid=app][data-state=ready]').waitFor();
    await page.getByTestId('activity-table').waitFor();
    assert.deepEqual(await shownIds(page), ['100011', '100012', '100013', '100014', '100015']);
    assert.deepEqual(refusedByCsp, []);

    // "No, stay signed in" at the provider: back on the console, still signed in.
    await page.getByTestId('sign-out').click();
    await page.getByRole('button', { name: 'No, stay signed in' }).click();
    await page.locator('[data-testid=app][data-state=ready]').waitFor();
    assert.equal(await page.getByTestId('user-name').textContent(), 'Bob Baker');

    // Sign out at the provider: back on the console, which waits for a click instead of the login page.
    await page.getByTestId('sign-out').click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.locator('[data-testid=app][data-state=signed-out]').waitFor();
    await page.getByTestId('sign-in').click();
    await page.locator('#login').waitFor();
    assert.deepEqual(missing, []);
    await context.close();
  });

  it('reflows at 200 % zoom: a 1280-pixel screen at 200 % is 640 CSS pixels, and nothing scrolls sideways', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 640, height: 400 } });
    const page = await context.newPage();
    await signInAs(page, service, 'bob');
    await page.getByTestId('activity-table').waitFor();
    const sideways = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';
    assert.equal(await page.evaluate(sideways), 0, 'my work scrolls sideways at 640 px');
    for (const control of ['tab-queues', 'pick', 'complete', 'transfer', 'sign-out']) {
      const box = await page.getByTestId(control).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 640, `${control} is within the 640 px width`);
    }
    await page.getByTestId('tab-queues').click();
    await page.getByTestId('queue-list').waitFor();
    assert.equal(await page.evaluate(sideways), 0, 'the queues view scrolls sideways at 640 px');
    await context.close();
  });
});

describe('console live (sqlite, Chromium)', () => {
  let world: BrowserWorld;
  let service: TestService;
  let browser: Browser;
  before(async () => {
    world = await startBrowserWorld('sqlite');
    ({ service, browser } = world);
  });
  after(async () => {
    await world?.close();
  });

  it("bob's list follows the event stream, and a banner says alice took his pinned activity", async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await signInAs(page, service, 'bob');
    await page.locator('[data-testid=activity-row][data-activity-id="100012"]').waitFor();
    // Alice (a supervisor) takes it through the API, unpinning it.
    const taken = await service.pick(
      'alice',
      [{ id: '100012', lastModified: await service.lastModified('100012') }],
      {
        query: '?unpin=yes',
      },
    );
    assert.equal(taken.status, 204, taken.text);
    const notice = page.locator('[data-testid=taken-notice][data-activity-id="100012"]');
    await notice.waitFor();
    assert.equal(await notice.textContent(), 'Activity 100012 was taken from you by Alice Archer.');
    assert.equal(await page.getByTestId('live-banner').getAttribute('role'), 'status');
    await page
      .locator('[data-testid=activity-row][data-activity-id="100012"]')
      .waitFor({ state: 'detached' });
    await context.close();
  });
});
