// Issue 14: "a queue of 10,000 activities paged without loading them all". A Billing queue of more
// than 10,000 waiting activities, opened by alice in Chromium: the console shows the queue's count
// from the API, one page of rows, and pages through it with the search API — every request it sends
// for the queue asks for one page (at most 75), never the whole queue.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BILLING_QUEUE, FIRST_ACTIVITY_ID, SERVICE } from '../src/org/organisation-generator.js';
import { signInToConsole, startBrowserWorld, type BrowserWorld } from './support/browser-world.js';
import { fixtureOrganisation } from './support/test-service.js';

const QUEUED = 10_050;
/** The generator's fixed activities end at 100021; the random ones after them become Billing's. */
const FIRST_RANDOM = FIRST_ACTIVITY_ID + 21;

function largeBillingQueue() {
  const organisation = fixtureOrganisation(21 + QUEUED);
  organisation.activities = organisation.activities.map((activity) =>
    Number(activity.id) < FIRST_RANDOM
      ? activity
      : {
          id: activity.id,
          department: SERVICE,
          type: 'email',
          mode: 'inbound',
          subject: `Waiting ${activity.id}`,
          status: 'awaiting_assignment',
          substatus: 'ready_for_assignment',
          queue: BILLING_QUEUE,
          ...(activity.created === undefined ? {} : { created: activity.created }),
          ...(activity.lastModified === undefined ? {} : { lastModified: activity.lastModified }),
        },
  );
  return organisation;
}

/** The search requests the page sends, as URLs. */
function recordSearches(page: Page): URL[] {
  const searches: URL[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/core/casemgr/v3/activity') searches.push(url);
  });
  return searches;
}

const rowCount = (page: Page) => page.getByTestId('activity-row').count();

describe('console: a queue of more than 10,000 activities (sqlite, Chromium)', () => {
  let world: BrowserWorld;
  before(async () => {
    world = await startBrowserWorld('sqlite', { organisation: largeBillingQueue() });
  });
  after(async () => {
    await world?.close();
  });

  it('shows the count and one page at a time, asking the API for pages only', async () => {
    const page = await world.newPage('en-US');
    const searches = recordSearches(page);
    await signInToConsole(page, 'alice', 'demo-alice');
    await page.getByTestId('tab-queues').click();
    const queue = page.locator(`[data-testid=queue][data-queue-id="${BILLING_QUEUE}"]`);
    await queue.waitFor();
    const count = Number((await queue.getByTestId('count').textContent())?.replace(/\D/g, ''));
    assert.ok(count >= QUEUED, `the queue shows its count (${count})`);

    await queue.click();
    await page.getByTestId('activity-table').waitFor();
    const firstPage = await rowCount(page);
    assert.ok(firstPage > 0 && firstPage <= 75, `one page of rows (${firstPage})`);
    const firstIds = await page
      .getByTestId('activity-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-activity-id')));

    await page.getByTestId('pager-next').click();
    await page
      .locator(`[data-testid=activity-row][data-activity-id="${firstIds[0]}"]`)
      .waitFor({ state: 'detached' });
    const secondIds = await page
      .getByTestId('activity-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-activity-id')));
    assert.equal(secondIds.length, firstPage);
    assert.deepEqual(
      secondIds.filter((id) => firstIds.includes(id)),
      [],
      'the second page holds other activities',
    );
    assert.match((await page.getByTestId('page-info').textContent()) ?? '', /2/);

    const queueSearches = searches.filter((url) => url.searchParams.get('queueID') === BILLING_QUEUE);
    assert.ok(queueSearches.length >= 2, 'the queue was read through the search API');
    for (const url of queueSearches) {
      const size = Number(url.searchParams.get('$pagesize') ?? url.searchParams.get('$rangesize') ?? 25);
      assert.ok(size >= 1 && size <= 75, `a page of at most 75, not the queue: ${url.search}`);
    }
    assert.ok(
      (await page.getByTestId('activity-row').count()) <= 75,
      'the page never holds more than one page of rows',
    );
  });
});
