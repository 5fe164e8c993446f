// The console's sign-in through the embedded OpenID Provider, end to end over real HTTP: the
// authorization code flow with PKCE driven by hand (as a browser would), the token exchange, and the
// access token used on the API, on both stores.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CALLBACK_PATH, CONSOLE_CLIENT_ID } from '../src/auth/oidc/embedded-provider.js';
import { runSetPassword } from '../src/cli/password-command.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { BrowserSession } from './support/browser-session.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { EMBEDDED_AUTH, startTestService, type TestService } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const SCOPE = 'openid core.casemgr.read core.casemgr.manage';

interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizePath(
  service: TestService,
  pkce: Pkce | undefined,
  extra: Record<string, string> = {},
): string {
  const query = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: `${service.baseUrl}${CONSOLE_CALLBACK_PATH}`,
    scope: SCOPE,
    state: 'state-1',
    ...(pkce ? { code_challenge: pkce.challenge, code_challenge_method: 'S256' } : {}),
    ...extra,
  });
  return `/oidc/auth?${query.toString()}`;
}

const locationOf = (response: Response) => {
  const location = response.headers.get('location');
  assert.ok(location, `a redirect, got ${response.status}: no Location`);
  return location;
};

/** From /oidc/auth to the login page: the form's action. */
async function openLoginPage(
  browser: BrowserSession,
  path: string,
): Promise<{ action: string; html: string }> {
  const start = await browser.fetch(path);
  assert.equal(start.status, 303, await start.clone().text());
  const page = await browser.fetch(locationOf(start));
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const html = await page.text();
  assert.doesNotMatch(html, /<script|style=/);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, html);
  return { action: action.replaceAll('&#38;', '&'), html };
}

/** Signs in and follows the provider back to the console's callback: the authorization code. */
async function signIn(
  service: TestService,
  browser: BrowserSession,
  pkce: Pkce,
  login: string,
  password: string,
  extra: Record<string, string> = {},
) {
  const { action } = await openLoginPage(browser, authorizePath(service, pkce, extra));
  const submitted = await browser.fetch(action, { form: { login, password } });
  assert.equal(submitted.status, 303, await submitted.clone().text());
  const back = await browser.fetch(locationOf(submitted));
  assert.equal(back.status, 303, await back.clone().text());
  const callback = new URL(locationOf(back));
  assert.equal(`${callback.origin}${callback.pathname}`, `${service.baseUrl}${CONSOLE_CALLBACK_PATH}`);
  assert.equal(callback.searchParams.get('state'), 'state-1');
  const code = callback.searchParams.get('code');
  assert.ok(code, callback.href);
  return code;
}

/** `publicOrigin`: the origin the redirect URI was registered under, whichever instance answers. */
function exchange(
  service: TestService,
  code: string,
  verifier: string | undefined,
  publicOrigin = service.baseUrl,
): Promise<Response> {
  return fetch(`${service.baseUrl}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${publicOrigin}${CONSOLE_CALLBACK_PATH}`,
      client_id: CONSOLE_CLIENT_ID,
      ...(verifier !== undefined ? { code_verifier: verifier } : {}),
    }),
  });
}

const readActivity = (service: TestService, token: string) =>
  fetch(`${service.baseUrl}/core/casemgr/v3/activity/100001`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });

for (const dialect of dialects) {
  describe(`console sign-in (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect, { signIn: true });
    });
    after(async () => {
      await service.close();
    });

    it('signs bob in with code + PKCE, and his access token works on the API', async () => {
      const browser = new BrowserSession(service.baseUrl);
      const pkce = newPkce();
      const code = await signIn(service, browser, pkce, 'bob', 'demo-bob');
      const tokenResponse = await exchange(service, code, pkce.verifier);
      assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
      const tokens = (await tokenResponse.json()) as {
        access_token: string;
        id_token: string;
        scope: string;
      };
      assert.match(tokens.scope, /core\.casemgr\.manage/);
      const read = await readActivity(service, tokens.access_token);
      assert.equal(read.status, 200, await read.clone().text());
      // The code is single-use.
      assert.equal((await exchange(service, code, pkce.verifier)).status, 400);
    });

    it('refuses a wrong password with a localized message and no redirect', async () => {
      const browser = new BrowserSession(service.baseUrl, 'fr-FR,fr;q=0.9');
      const { action, html } = await openLoginPage(browser, authorizePath(service, newPkce()));
      assert.match(html, /Mot de passe/);
      const refused = await browser.fetch(action, { form: { login: 'bob', password: 'demo-alice' } });
      assert.equal(refused.status, 400);
      assert.equal(refused.headers.get('location'), null);
      assert.match(
        await refused.text(),
        /L'identifiant ou le mot de passe est incorrect|L&#39;identifiant ou le mot de passe est incorrect/,
      );
      const unknown = await browser.fetch(action, { form: { login: 'nobody', password: 'demo-bob' } });
      assert.equal(unknown.status, 400);
    });

    it('refuses an authorization request without PKCE, or with the plain method', async () => {
      const browser = new BrowserSession(service.baseUrl);
      for (const path of [
        authorizePath(service, undefined),
        authorizePath(service, undefined, {
          code_challenge: newPkce().verifier,
          code_challenge_method: 'plain',
        }),
      ]) {
        const response = await browser.fetch(path);
        const location = response.headers.get('location') ?? '';
        // Refused back to the console with an error, never on to the login page.
        assert.doesNotMatch(location, /interaction/);
        assert.match(location, /error=invalid_request/, `${response.status} ${location}`);
      }
    });

    it('lets only its own origin call the token endpoint from a browser (CORS)', async () => {
      // A code exchange sent from a page: the provider answers it (here: a bad code) and says which
      // origin may read the answer. Preflights are answered for any origin; the answer is not.
      const exchangeFrom = (origin: string) =>
        fetch(`${service.baseUrl}/oidc/token`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: 'casemgr-console',
            code: 'not-a-code',
            code_verifier: newPkce().verifier,
            redirect_uri: `${service.baseUrl}/console/callback`,
          }),
        });
      const own = await exchangeFrom(service.baseUrl);
      assert.equal(own.headers.get('access-control-allow-origin'), service.baseUrl);
      const foreign = await exchangeFrom('https://elsewhere.example');
      assert.equal(foreign.headers.get('access-control-allow-origin'), null, await foreign.text());
    });

    it('refuses the token exchange without the code verifier, or with another one', async () => {
      const pkce = newPkce();
      const code = await signIn(service, new BrowserSession(service.baseUrl), pkce, 'bob', 'demo-bob');
      assert.equal((await exchange(service, code, undefined)).status, 400);
      const other = newPkce();
      const code2 = await signIn(service, new BrowserSession(service.baseUrl), pkce, 'bob', 'demo-bob');
      assert.equal((await exchange(service, code2, other.verifier)).status, 400);
    });

    it('ends the session at logout: the next sign-in asks for the password again', async () => {
      const browser = new BrowserSession(service.baseUrl);
      const pkce = newPkce();
      const code = await signIn(service, browser, pkce, 'alice', 'demo-alice');
      const tokens = (await (await exchange(service, code, pkce.verifier)).json()) as { id_token: string };
      // While signed in, a new authorization goes straight back to the console.
      const again = await browser.fetch(authorizePath(service, newPkce()));
      assert.match(locationOf(again), /\/console\/callback\?code=/);

      const replay = browser.copy();
      const confirm = await browser.fetch(
        `/oidc/session/end?${new URLSearchParams({
          id_token_hint: tokens.id_token,
          post_logout_redirect_uri: `${service.baseUrl}/console/`,
        }).toString()}`,
      );
      assert.equal(confirm.status, 200);
      const html = await confirm.text();
      const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
      assert.ok(action && xsrf, html);
      const done = await browser.fetch(action, { form: { xsrf, logout: 'yes' } });
      assert.equal(done.status, 303);
      assert.equal(locationOf(done), `${service.baseUrl}/console/`);

      const afterLogout = await browser.fetch(authorizePath(service, newPkce()));
      assert.match(locationOf(afterLogout), /\/oidc\/interaction\//);
      // The session is ended on the server too: its old cookie, replayed, signs nobody in.
      const replayed = await replay.fetch(authorizePath(service, newPkce()));
      assert.match(locationOf(replayed), /\/oidc\/interaction\//);
    });

    it('`casemgr user password` sets a hash that then signs the user in', async () => {
      const config = parseConfig({ DATABASE_URL: service.databaseUrl });
      await runSetPassword(config, 'carol', 'a brand new passphrase');
      const pkce = newPkce();
      const code = await signIn(
        service,
        new BrowserSession(service.baseUrl),
        pkce,
        'carol',
        'a brand new passphrase',
      );
      assert.equal((await exchange(service, code, pkce.verifier)).status, 200);
      const browser = new BrowserSession(service.baseUrl);
      const { action } = await openLoginPage(browser, authorizePath(service, newPkce()));
      const old = await browser.fetch(action, { form: { login: 'carol', password: 'demo-carol' } });
      assert.equal(old.status, 400);
      assert.match(await old.text(), /role="alert"/);
    });
  });
}

for (const dialect of dialects.filter((d) => d === 'postgres')) {
  describe(`console sign-in across two instances (${dialect})`, () => {
    let first: TestService;
    let second: TestService;
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
      first = await startTestService(dialect, { signIn: true, shared: { database, seeded: false } });
      // The second instance serves the same public origin on the same database (a load balancer's view).
      second = await startTestService(dialect, {
        signIn: { publicUrl: first.baseUrl },
        shared: { database, seeded: true },
      });
    });
    after(async () => {
      await second.close();
      await first.close();
      await database.drop();
    });

    it('starts on one instance, signs in on the other, and exchanges the code on either', async () => {
      const onFirst = new BrowserSession(first.baseUrl);
      const pkce = newPkce();
      const start = await onFirst.fetch(authorizePath(first, pkce));
      const interaction = locationOf(start);
      const onSecond = onFirst.copyTo(second.baseUrl);
      const page = await onSecond.fetch(interaction);
      assert.equal(page.status, 200);
      const action = /<form method="post" action="([^"]+)"/.exec(await page.text())?.[1];
      assert.ok(action);
      const submitted = await onSecond.fetch(action, { form: { login: 'bob', password: 'demo-bob' } });
      assert.equal(submitted.status, 303);
      const back = await onSecond.copyTo(first.baseUrl).fetch(new URL(locationOf(submitted)).pathname);
      const code = new URL(locationOf(back)).searchParams.get('code');
      assert.ok(code, locationOf(back));
      const tokenResponse = await exchange(second, code, pkce.verifier, first.baseUrl);
      assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      assert.equal((await readActivity(first, token)).status, 200);
      assert.equal((await readActivity(second, token)).status, 200);
      // The state both instances saw is in the database, not in either process.
      const models = await first.database.db.selectFrom('oidc_records').select('model').distinct().execute();
      for (const model of ['Session', 'Grant', 'AuthorizationCode'])
        assert.ok(
          models.some((m) => m.model === model),
          `${model} stored: ${JSON.stringify(models)}`,
        );
    });
  });
}

describe('console sign-in with AUTH_SCOPE_PREFIX (sqlite)', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', {
      signIn: true,
      auth: { ...EMBEDDED_AUTH, scopePrefix: 'acme.' },
    });
  });
  after(async () => {
    await service?.close();
  });

  it('the console is told the prefixed scopes, and asking for them gets a token the API accepts', async () => {
    const settings = await fetch(`${service.baseUrl}/console/config.json`);
    assert.equal(settings.status, 200);
    assert.equal(settings.headers.get('cache-control'), 'no-store');
    const { scope } = (await settings.json()) as { scope: string };
    assert.equal(scope, 'openid acme.core.casemgr.read acme.core.casemgr.manage');

    const pkce = newPkce();
    const code = await signIn(service, new BrowserSession(service.baseUrl), pkce, 'bob', 'demo-bob', {
      scope,
    });
    const tokenResponse = await exchange(service, code, pkce.verifier);
    assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
    const tokens = (await tokenResponse.json()) as { access_token: string; scope: string };
    assert.match(tokens.scope, /acme\.core\.casemgr\.manage/);
    const read = await readActivity(service, tokens.access_token);
    assert.equal(read.status, 200, await read.clone().text());
  });
});

describe('PUBLIC_URL', () => {
  it('defaults to localhost on the service port, and takes an https origin', () => {
    assert.equal(parseConfig({ PORT: '9000' }).publicUrl, 'http://localhost:9000');
    assert.equal(parseConfig({ PUBLIC_URL: 'https://cm.example.com' }).publicUrl, 'https://cm.example.com');
    assert.equal(parseConfig({ PUBLIC_URL: 'http://127.0.0.1:8080' }).publicUrl, 'http://127.0.0.1:8080');
  });

  it('refuses plain http off loopback, paths, and what is not a URL, at start', () => {
    for (const bad of [
      'cm.example.com',
      'http://cm.example.com',
      'https://cm.example.com/app',
      'https://cm.example.com/',
    ]) {
      assert.throws(() => parseConfig({ PUBLIC_URL: bad }), ConfigError, bad);
    }
  });
});
