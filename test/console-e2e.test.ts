// The console end to end in a real Chromium, on the real service (both stores): bob signs in and
// pulls; alice, his supervisor, takes a pinned activity of his with unpin and his list follows live
// with a banner naming her; transfer; complete and the case closes; a refused batch in French names
// every rejected activity with the API's reason; axe-core finds nothing on the main screens.
// Each test has its own service (so none depends on another's moves) and shares one Chromium.
// Selectors are the console's test hooks, listed at the top of console/src/main.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import {
  axeViolations,
  describeViolations,
  signInToConsole,
  startBrowserWorld,
  type BrowserWorld,
} from './support/browser-world.js';
import { dialectsUnderTest, type TestDialect } from './support/test-databases.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const BOB = '1002';
const BILLING_QUEUE = '10';

const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const row = (page: Page, activityId: string) =>
  page.locator(`[data-testid="activity-row"][data-activity-id="${activityId}"]`);
const checkbox = (page: Page, activityId: string) =>
  page.locator(`[data-testid="select-activity"][data-activity-id="${activityId}"]`);

async function rowIds(page: Page): Promise<string[]> {
  await testId(page, 'activity-table').or(testId(page, 'empty-list')).first().waitFor();
  return testId(page, 'activity-row').evaluateAll((rows) =>
    rows.map((r) => (r as unknown as { dataset: { activityId: string } }).dataset.activityId),
  );
}

async function select(page: Page, ...activityIds: string[]): Promise<void> {
  for (const id of activityIds) await checkbox(page, id).check();
}

const OUTCOME = '[data-testid="outcome-done"], [data-testid="outcome-refused"]';

/**
 * Clicks an action button and returns the outcome it produced. The previous action's outcome stays on
 * screen until the new one replaces it, so it is marked first and the wait is for an unmarked one.
 */
async function act(page: Page, button: string): Promise<Locator> {
  await page.locator(OUTCOME).evaluateAll((shown) => {
    for (const element of shown) element.setAttribute('data-previous-outcome', '');
  });
  await testId(page, button).click();
  const outcome = page.locator(`:is(${OUTCOME}):not([data-previous-outcome])`);
  await outcome.waitFor();
  return outcome;
}

/** Clicks an action button and fails with the refusal's text when the action was refused. */
async function actDone(page: Page, button: string): Promise<string> {
  const outcome = await act(page, button);
  const text = (await outcome.textContent()) ?? '';
  assert.equal(await outcome.getAttribute('data-testid'), 'outcome-done', text);
  return text;
}

async function assertAccessible(page: Page, screen: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${screen}:\n${describeViolations(violations)}`);
}

/** The activities a user holds now, as stored. */
async function heldBy(world: BrowserWorld, userId: string): Promise<string[]> {
  const rows = await world.service.database.db
    .selectFrom('activities')
    .select('id')
    .where('assigned_user_id', '=', userId)
    .where('status', '=', 'assigned')
    .execute();
  return rows.map((r) => r.id).sort();
}

for (const dialect of dialects) {
  describe(`console in a real browser (${dialect})`, () => {
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
    });

    /** A fresh service for one test, in the suite's Chromium. */
    async function withWorld(run: (world: BrowserWorld) => Promise<void>, d: TestDialect = dialect) {
      const world = await startBrowserWorld(d, { browser });
      try {
        await run(world);
      } finally {
        await world.close();
      }
    }

    it('bob signs in, sees his work, and pulls the next activities from his queue', () =>
      withWorld(async (world) => {
        const page = await world.newPage('en-US');
        await signInToConsole(page, 'bob', 'demo-bob');
        assert.equal(await testId(page, 'tab-mine').getAttribute('aria-current'), 'page');
        const before = await rowIds(page);
        assert.deepEqual([...before].sort(), await heldBy(world, BOB));

        await actDone(page, 'pull-next');
        const held = await heldBy(world, BOB);
        const pulled = held.filter((id) => !before.includes(id));
        assert.ok(pulled.length > 0, 'the pull gave bob something');
        for (const id of pulled) await row(page, id).waitFor();
      }));

    it('alice takes a pinned activity of bob’s with unpin; his list follows live, the banner names her', () =>
      withWorld(async (world) => {
        const bob = await world.newPage('en-US');
        await signInToConsole(bob, 'bob', 'demo-bob');
        await row(bob, '100011').waitFor();

        const alice = await world.newPage('en-US');
        await signInToConsole(alice, 'alice', 'demo-alice');
        await testId(alice, 'tab-colleagues').click();
        await alice.locator(`[data-testid="colleague"][data-user-id="${BOB}"]`).click();
        await row(alice, '100011').waitFor();
        assert.equal(await row(alice, '100011').getAttribute('data-pinned'), 'true');
        await select(alice, '100011');

        // Without unpin the batch is refused, and nothing changes for bob.
        const refusal = await act(alice, 'pick');
        assert.equal(await refusal.getAttribute('data-code'), '400-305', (await refusal.textContent()) ?? '');
        assert.ok((await heldBy(world, BOB)).includes('100011'));

        await testId(alice, 'unpin').check();
        await actDone(alice, 'pick');

        // bob's page was not reloaded: the event stream took the row away and raised the banner.
        await row(bob, '100011').waitFor({ state: 'detached' });
        const notice = bob.locator('[data-testid="taken-notice"][data-activity-id="100011"]');
        await notice.waitFor();
        assert.match((await notice.textContent()) ?? '', /100011.*Alice/);
      }));

    it('bob types a transfer target while the live stream reloads his list; it is kept, focus too', () =>
      withWorld(async (world) => {
        const page = await world.newPage('en-US');
        await signInToConsole(page, 'bob', 'demo-bob');
        await rowIds(page);
        await testId(page, 'transfer-kind').selectOption('queue');
        const target = testId(page, 'transfer-target');
        await target.click();
        await target.pressSequentially(BILLING_QUEUE.slice(0, 1));
        // The very element typed into is marked: a redraw would replace it and lose the mark.
        await target.evaluate((input) => input.setAttribute('data-typed-into', ''));

        // bob pulls from another device (the API): the event stream reloads the list on this page.
        const pull = await world.service.request({
          method: 'PATCH',
          path: '/core/casemgr/v3/activity/pull',
          headers: { authorization: `Bearer ${world.service.token('bob')}` },
        });
        assert.equal(pull.status, 200, pull.text);
        const pulled = pull.json<{ activity: { id: string }[] }>().activity[0]?.id;
        assert.ok(pulled, pull.text);
        await row(page, pulled).waitFor();

        const kept = await target.evaluate((input) => ({
          marked: input.hasAttribute('data-typed-into'),
          focused: input.ownerDocument.activeElement === input,
          value: (input as unknown as { value: string }).value,
        }));
        assert.deepEqual(kept, { marked: true, focused: true, value: BILLING_QUEUE.slice(0, 1) });
        assert.equal(await testId(page, 'transfer-kind').inputValue(), 'queue');
        await target.pressSequentially(BILLING_QUEUE.slice(1));

        await select(page, pulled);
        await actDone(page, 'transfer');
        await row(page, pulled).waitFor({ state: 'detached' });
        const moved = await world.service.database.db
          .selectFrom('activities')
          .select(['queue_id', 'assigned_user_id'])
          .where('id', '=', pulled)
          .executeTakeFirstOrThrow();
        assert.deepEqual(moved, { queue_id: BILLING_QUEUE, assigned_user_id: null });
      }));

    it('bob completes the last open activity of a case and sees the case close', () =>
      withWorld(async (world) => {
        const page = await world.newPage('en-US');
        await signInToConsole(page, 'bob', 'demo-bob');
        const caseId =
          (await row(page, '100012').locator('[data-testid="activity-case"]').textContent()) ?? '';
        assert.match(caseId, /^\d+$/);
        await select(page, '100012');
        assert.match(await actDone(page, 'complete'), new RegExp(`case ${caseId} closed`));
        const stored = await world.service.database.db
          .selectFrom('cases')
          .select('closed_ms')
          .where('id', '=', caseId)
          .executeTakeFirstOrThrow();
        assert.notEqual(stored.closed_ms, null);
      }));

    it('a refused batch gives the API’s French reason once and names every rejected activity; nothing changes', () =>
      withWorld(async (world) => {
        const page = await world.newPage('fr-FR');
        await signInToConsole(page, 'bob', 'demo-bob');
        assert.equal(await page.locator('html').getAttribute('lang'), 'fr-FR');
        // Ages read as the past, in words ("il y a 32 jours"), never as "-32 j".
        assert.match((await row(page, '100012').locator('time').textContent()) ?? '', /^il y a \d+ \p{L}+$/u);
        const batch = ['100012', '100013'];
        const lastModified = await Promise.all(batch.map((id) => world.service.lastModified(id)));
        await select(page, ...batch);
        const refused = await act(page, 'pick');
        assert.equal(await refused.getAttribute('data-code'), '400-303', (await refused.textContent()) ?? '');
        assert.equal(
          await refused.getByTestId('nothing-changed').textContent(),
          "Refusé : rien n'a été modifié.",
        );

        // The reason is the API's own, in French: the same batch sent directly says the same.
        const direct = await world.service.pick(
          'bob',
          batch.map((id, i) => ({ id, lastModified: lastModified[i] ?? '' })),
          { headers: { 'accept-language': 'fr-FR' } },
        );
        assert.equal(direct.status, 400);
        const reason = direct.json<{ developerMessage: string }>().developerMessage;
        // The reason (which names every id) is said once; then one line per rejected activity.
        assert.equal(await refused.getByTestId('refusal-reason').textContent(), `${reason} (400-303)`);
        assert.equal(((await refused.textContent()) ?? '').split(reason).length - 1, 1, 'the reason once');
        for (const id of batch) {
          const rejection = refused.locator(`[data-testid="rejection"][data-activity-id="${id}"]`);
          assert.equal(await rejection.textContent(), `Activité ${id}`);
        }
        assert.deepEqual(
          await Promise.all(batch.map((id) => world.service.lastModified(id))),
          lastModified,
          'nothing changed',
        );
        await assertAccessible(page, 'refused batch (fr-FR)');
      }));

    it('axe-core finds no violations on my work, a queue, and colleagues', () =>
      withWorld(async (world) => {
        const page = await world.newPage('en-US');
        await signInToConsole(page, 'alice', 'demo-alice');
        await rowIds(page);
        await assertAccessible(page, 'my work');

        await testId(page, 'tab-queues').click();
        const queue = page.locator(`[data-testid="queue"][data-queue-id="${BILLING_QUEUE}"]`);
        await queue.click();
        await row(page, '100001').waitFor();
        await assertAccessible(page, 'queue 10');

        await testId(page, 'tab-colleagues').click();
        await page.locator(`[data-testid="colleague"][data-user-id="${BOB}"]`).click();
        await row(page, '100011').waitFor();
        await assertAccessible(page, 'colleague bob');
      }));
  });
}
