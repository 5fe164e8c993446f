// Sign-in: OAuth 2.0 authorization code + PKCE (S256) against the issuer's discovery document, asking
// for the scopes the service names in /console/config.json (they carry AUTH_SCOPE_PREFIX). Only
// the PKCE verifier and the state wait in sessionStorage, across the redirect, and are removed on
// return; the tokens live in this page's memory only. After a reload there is no token: the page
// runs the authorization again, and the provider's session cookie brings it straight back.

export const CLIENT_ID = 'casemgr-console';
const DISCOVERY_PATH = '/oidc/.well-known/openid-configuration';
const PENDING_KEY = 'casemgr.console.pending';
const SIGNED_OUT_KEY = 'casemgr.console.signed-out';
const SETTINGS_PATH = '/console/config.json';

/** The deployment's settings (/console/config.json, made by the service at start). */
export interface Settings {
  /** The scopes to ask for: the API's names carry the deployment's AUTH_SCOPE_PREFIX. */
  readonly scope: string;
}

export interface Discovery {
  /** The console's settings, fetched with the discovery document. */
  readonly settings: Settings;
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
}

export interface Session {
  readonly accessToken: string;
  readonly idToken: string;
  /** The signed-in user's id (the access token's `sub`). */
  readonly userId: string;
}

export type SignInOutcome =
  | { readonly kind: 'signed-in'; readonly session: Session }
  | { readonly kind: 'redirecting' }
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'failed'; readonly reason: string };

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function fetchJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

export async function discover(): Promise<Discovery> {
  const [document, settings] = await Promise.all([
    fetchJson<Omit<Discovery, 'settings'>>(DISCOVERY_PATH),
    fetchJson<Settings>(SETTINGS_PATH),
  ]);
  return { ...document, settings };
}

/** The console's own URLs are under the issuer's origin (PUBLIC_URL): the redirect URI is registered there. */
export const consoleOrigin = (discovery: Discovery) => new URL(discovery.issuer).origin;

interface Pending {
  readonly verifier: string;
  readonly state: string;
  /** prompt=none after a sign-out: asks whether the provider's session really ended. */
  readonly silent?: boolean;
}

export async function startAuthorization(
  discovery: Discovery,
  locale: string,
  { silent = false } = {},
): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, silent } satisfies Pending));
  if (!silent) sessionStorage.removeItem(SIGNED_OUT_KEY);
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: `${consoleOrigin(discovery)}/console/callback`,
    scope: discovery.settings.scope,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    ui_locales: locale,
    ...(silent ? { prompt: 'none' } : {}),
  }).toString();
  location.assign(url.href);
}

function takePending(): Pending | undefined {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Pending;
  } catch {
    return undefined;
  }
}

/** The provider's answers to prompt=none when it would have to show a page: nobody is signed in. */
const NOT_SIGNED_IN = new Set(['login_required', 'interaction_required', 'consent_required']);

function subjectOf(jwt: string): string {
  const payload = jwt.split('.')[1] ?? '';
  const json = atob(payload.replaceAll('-', '+').replaceAll('_', '/'));
  const { sub } = JSON.parse(json) as { sub?: unknown };
  return typeof sub === 'string' ? sub : '';
}

/** Back from the provider (/console/callback): the code exchanged for tokens, the URL cleaned. */
async function finishAuthorization(discovery: Discovery): Promise<SignInOutcome> {
  const params = new URLSearchParams(location.search);
  const pending = takePending();
  history.replaceState(null, '', '/console/');
  const error = params.get('error');
  if (error && pending?.silent && NOT_SIGNED_IN.has(error)) return { kind: 'signed-out' };
  if (error) return { kind: 'failed', reason: params.get('error_description') ?? error };
  const code = params.get('code');
  if (!code || !pending || params.get('state') !== pending.state)
    return { kind: 'failed', reason: 'state mismatch' };
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${consoleOrigin(discovery)}/console/callback`,
      client_id: CLIENT_ID,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) return { kind: 'failed', reason: `token: ${response.status}` };
  const tokens = (await response.json()) as { access_token: string; id_token: string };
  // Signed in, after all (the agent said "no, stay signed in" at the provider): no longer signed out.
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  return {
    kind: 'signed-in',
    session: {
      accessToken: tokens.access_token,
      idToken: tokens.id_token,
      userId: subjectOf(tokens.access_token),
    },
  };
}

export async function signIn(discovery: Discovery, locale: string): Promise<SignInOutcome> {
  if (location.pathname === '/console/callback') return finishAuthorization(discovery);
  // Back from the provider's sign-out page, which may have been answered "no, stay signed in": ask
  // the provider without showing anything (prompt=none). A live session signs straight back in; an
  // ended one answers login_required, and the console waits for a click rather than show the login
  // page unasked.
  const silent = sessionStorage.getItem(SIGNED_OUT_KEY) !== null;
  await startAuthorization(discovery, locale, { silent });
  return { kind: 'redirecting' };
}

/**
 * The provider's end-session endpoint; it comes back to /console/ whether the agent confirmed or not,
 * and the flag set here makes the console check which (signIn) before it shows the signed-out screen.
 */
export function signOut(discovery: Discovery, session: Session): void {
  sessionStorage.setItem(SIGNED_OUT_KEY, '1');
  if (!discovery.end_session_endpoint) {
    location.assign('/console/');
    return;
  }
  const url = new URL(discovery.end_session_endpoint);
  url.search = new URLSearchParams({
    id_token_hint: session.idToken,
    client_id: CLIENT_ID,
    post_logout_redirect_uri: `${consoleOrigin(discovery)}/console/`,
  }).toString();
  location.assign(url.href);
}
