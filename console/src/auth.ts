// Sign-in: OAuth 2.0 authorization code + PKCE (S256) against the issuer's discovery document. Only
// the PKCE verifier and the state wait in sessionStorage, across the redirect, and are removed on
// return; the tokens live in this page's memory only. After a reload there is no token: the page
// runs the authorization again, and the provider's session cookie brings it straight back.

export const CLIENT_ID = 'casemgr-console';
const DISCOVERY_PATH = '/oidc/.well-known/openid-configuration';
const PENDING_KEY = 'casemgr.console.pending';
const SIGNED_OUT_KEY = 'casemgr.console.signed-out';
const SCOPE = 'openid core.casemgr.read core.casemgr.manage';

export interface Discovery {
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

export async function discover(): Promise<Discovery> {
  const response = await fetch(DISCOVERY_PATH, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`discovery: ${response.status}`);
  return (await response.json()) as Discovery;
}

/** The console's own URLs are under the issuer's origin (PUBLIC_URL): the redirect URI is registered there. */
export const consoleOrigin = (discovery: Discovery) => new URL(discovery.issuer).origin;

export async function startAuthorization(discovery: Discovery, locale: string): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: `${consoleOrigin(discovery)}/console/callback`,
    scope: SCOPE,
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    ui_locales: locale,
  }).toString();
  location.assign(url.href);
}

function takePending(): { verifier: string; state: string } | undefined {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as { verifier: string; state: string };
  } catch {
    return undefined;
  }
}

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
  // After a logout, wait for the user to ask: signing straight back in would show the login page unasked.
  if (sessionStorage.getItem(SIGNED_OUT_KEY)) return { kind: 'signed-out' };
  await startAuthorization(discovery, locale);
  return { kind: 'redirecting' };
}

/** The provider's end-session endpoint; it comes back to /console/, which then waits for a click. */
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
