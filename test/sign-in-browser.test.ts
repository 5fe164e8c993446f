// Signing in to the console in a real Chromium, through the embedded provider's login page: English
// and French pages, a refused password, accessibility (axe-core in the page), and logout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CALLBACK_PATH, CONSOLE_CLIENT_ID } from '../src/auth/oidc/embedded-provider.js';
import {
  axeViolations,
  describeViolations,
  openLoginPage,
  signInThroughProvider,
  startBrowserWorld,
  submitLogin,
  type BrowserWorld,
} from './support/browser-world.js';

/** The provider's token endpoint, as the console calls it with the code it was given. */
async function exchange(world: BrowserWorld, code: string, verifier: string) {
  const response = await fetch(`${world.service.baseUrl}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_id: CONSOLE_CLIENT_ID,
      redirect_uri: `${world.service.baseUrl}${CONSOLE_CALLBACK_PATH}`,
    }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { access_token: string; id_token: string };
}

describe('sign-in in a real browser', () => {
  let world: BrowserWorld;
  before(async () => {
    world = await startBrowserWorld('sqlite');
  });
  after(async () => {
    await world?.close();
  });

  it('signs bob in on the English login page, and his token works on the API', async () => {
    const page = await world.newPage('en-US');
    await openLoginPage(page, world.service);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en-US');
    assert.equal(await page.locator('h1').textContent(), 'Sign in to casemgr');
    const { code, verifier } = await signInThroughProvider(page, world.service, 'bob', 'demo-bob');
    const tokens = await exchange(world, code, verifier);
    const me = await fetch(`${world.service.baseUrl}/core/casemgr/v3/activity/100001`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(me.status, 200);
  });

  it('signs bob in on the French login page', async () => {
    const page = await world.newPage('fr-FR');
    await openLoginPage(page, world.service);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr-FR');
    assert.equal(await page.getByLabel('Mot de passe').count(), 1);
    await submitLogin(page, 'bob', 'demo-bob');
    await page.waitForURL((url) => url.pathname === CONSOLE_CALLBACK_PATH);
    assert.ok(new URL(page.url()).searchParams.get('code'));
  });

  it('refuses a wrong password on the page, in the page language, keeping the login', async () => {
    const page = await world.newPage('fr-FR');
    await openLoginPage(page, world.service);
    await submitLogin(page, 'bob', 'demo-alice');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), "L'identifiant ou le mot de passe est incorrect.");
    assert.match(new URL(page.url()).pathname, /^\/oidc\/interaction\//);
    assert.equal(await page.locator('#login').inputValue(), 'bob');
    assert.equal(await page.locator('#password').inputValue(), '');
    // The refusal is tied to the fields for screen readers, and axe finds nothing on this page either.
    assert.equal(await page.locator('#password').getAttribute('aria-describedby'), 'sign-in-error');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
  });

  it('has no accessibility violations that axe-core finds on the login page', async () => {
    for (const locale of ['en-US', 'fr-FR', 'ja-JP']) {
      const page = await world.newPage(locale);
      await openLoginPage(page, world.service);
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `${locale}:\n${describeViolations(violations)}`);
    }
  });

  it('signs out: the confirmation, then the next sign-in asks for the password again', async () => {
    const page = await world.newPage('en-US');
    await signInThroughProvider(page, world.service, 'bob', 'demo-bob');
    await page.goto(`/oidc/session/end?client_id=${CONSOLE_CLIENT_ID}`);
    const confirm = page.getByRole('button', { name: 'Yes, sign me out' });
    await confirm.waitFor();
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await confirm.click();
    await page.getByRole('heading', { name: 'You are signed out.' }).waitFor();
    await openLoginPage(page, world.service);
    assert.equal(await page.locator('#password').count(), 1);
  });
});
