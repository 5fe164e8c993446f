// A real service with sign-in and a real Chromium, for tests that click through the console as its
// users do: sign-in through the embedded provider's login page, and axe-core run inside the page.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AxeResults, Result } from 'axe-core';
import {
  CONSOLE_CALLBACK_PATH,
  CONSOLE_CLIENT_ID,
  CONSOLE_PATH,
} from '../../src/auth/oidc/embedded-provider.js';
import { launchBrowser } from './browser.js';
import type { TestDialect } from './test-databases.js';
import { startTestService, type TestService, type TestServiceOptions } from './test-service.js';

export const VIEWPORT = { width: 1280, height: 800 } as const;

export interface BrowserWorld {
  readonly service: TestService;
  readonly browser: Browser;
  /** A fresh browser profile (its own cookies) speaking `locale` (Accept-Language and navigator). */
  newPage(locale?: string): Promise<Page>;
  close(): Promise<void>;
}

export interface BrowserWorldOptions extends Omit<TestServiceOptions, 'signIn'> {
  /** A Chromium the suite already runs (left open at close): a fresh service, fresh profiles. */
  readonly browser?: Browser;
}

export async function startBrowserWorld(
  dialect: TestDialect,
  { browser: shared, ...options }: BrowserWorldOptions = {},
): Promise<BrowserWorld> {
  const service = await startTestService(dialect, { ...options, signIn: true });
  let browser: Browser;
  try {
    browser = shared ?? (await launchBrowser());
  } catch (error) {
    await service.close();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    service,
    browser,
    async newPage(locale = 'en-US') {
      const context = await browser.newContext({ locale, viewport: VIEWPORT, baseURL: service.baseUrl });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const context of contexts) await context.close();
      if (!shared) await browser.close();
      await service.close();
    },
  };
}

/** Fills casemgr's login page (the one the provider shows) and submits it. */
export async function submitLogin(page: Page, login: string, password: string): Promise<void> {
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('button[type="submit"]').click();
}

export interface ProviderSignIn {
  readonly code: string;
  readonly verifier: string;
}

/**
 * The console's authorization request (code + PKCE) opened in the page: what the console does
 * before it sends the browser to the provider. Resolves at the login page.
 */
export async function openLoginPage(page: Page, service: TestService): Promise<{ verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: `${service.baseUrl}${CONSOLE_CALLBACK_PATH}`,
    scope: 'openid core.casemgr.read core.casemgr.manage',
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  await page.goto(`/oidc/auth?${query.toString()}`);
  await page.locator('#login').waitFor();
  return { verifier };
}

/** Signs in through the login page and waits for the provider to send the browser back with a code. */
export async function signInThroughProvider(
  page: Page,
  service: TestService,
  login: string,
  password: string,
): Promise<ProviderSignIn> {
  const { verifier } = await openLoginPage(page, service);
  await submitLogin(page, login, password);
  await page.waitForURL((url) => url.pathname === CONSOLE_CALLBACK_PATH);
  const code = new URL(page.url()).searchParams.get('code');
  if (!code) throw new Error(`no code in ${page.url()}`);
  return { code, verifier };
}

/**
 * Opens the console signed out, signs in on the provider's login page it sends the browser to, and
 * waits until the console is back and ready (the user's work on screen).
 */
export async function signInToConsole(page: Page, login: string, password: string): Promise<void> {
  await page.goto(CONSOLE_PATH);
  await page.locator('#login').waitFor();
  await submitLogin(page, login, password);
  await page.locator('[data-testid="app"][data-state="ready"]').waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations in the page as it is now. The pages forbid inline scripts (CSP), so axe is
 * not added as a <script>: it is evaluated through the DevTools protocol, which CSP does not govern.
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  return results.violations;
}

/** A violation list as one readable line each, for assertion messages. */
export function describeViolations(violations: readonly Result[]): string {
  return violations
    .map(
      (v) =>
        `${v.id} (${v.impact ?? 'n/a'}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
    .join('\n');
}
