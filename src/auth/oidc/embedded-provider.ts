// The embedded OpenID Provider (oidc-provider), served under /oidc in embedded-issuer mode: the
// console signs in with the authorization code flow and PKCE (S256), and gets JWT access tokens
// signed with the embedded issuer's own key, so the API's token verifier accepts them as it accepts
// `casemgr token`'s (docs/decisions.md, "The embedded OpenID Provider").
import { createPrivateKey } from 'node:crypto';
import type { Kysely } from 'kysely';
import Provider, { errors, type KoaLikeContext } from 'oidc-provider';
import type { Database } from '../../store/schema.js';
import type { SigningKey } from '../../store/key-store.js';
import { UserStore } from '../../store/user-store.js';
import { EMBEDDED_AUDIENCE } from '../auth-config.js';
import { cookieKeysFrom } from './cookie-keys.js';
import { recordAdapterFactory } from './record-adapter.js';
import { logoutPage, loggedOutPage, pageLanguageOf } from './sign-in-pages.js';

export const OIDC_PATH = '/oidc';
export const CONSOLE_CLIENT_ID = 'casemgr-console';
export const CONSOLE_CALLBACK_PATH = '/console/callback';
export const CONSOLE_PATH = '/console/';
/** The resource indicator of the API: every access token is for it (RFC 8707). */
export const API_RESOURCE = 'urn:casemgr:api';
const API_SCOPES = ['core.casemgr.read', 'core.casemgr.manage'];

/** The API's scope names as this deployment grants them (AUTH_SCOPE_PREFIX before each). */
export const apiScopesOf = (scopePrefix: string): string[] => API_SCOPES.map((s) => `${scopePrefix}${s}`);

export interface EmbeddedProviderOptions {
  /** The service's public origin, e.g. https://casemgr.example.com (no path). */
  readonly publicUrl: string;
  readonly db: Kysely<Database>;
  readonly signingKey: SigningKey;
  /** The deployment's scope prefix (AUTH_SCOPE_PREFIX), put before the API's scope names. */
  readonly scopePrefix: string;
  readonly nowMs: () => number;
}

export function issuerOf(publicUrl: string): string {
  return `${publicUrl}${OIDC_PATH}`;
}

export function createEmbeddedProvider(options: EmbeddedProviderOptions): Provider {
  const { publicUrl, signingKey } = options;
  const apiScopes = apiScopesOf(options.scopePrefix);
  const users = new UserStore(options.db);
  const jwk = {
    ...createPrivateKey(signingKey.privatePem).export({ format: 'jwk' }),
    kid: signingKey.kid,
    alg: signingKey.algorithm,
    use: 'sig',
  };
  const provider = new Provider(issuerOf(publicUrl), {
    adapter: recordAdapterFactory(options.db, options.nowMs),
    jwks: { keys: [jwk] },
    cookies: { keys: cookieKeysFrom(signingKey.privatePem) },
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        client_name: 'casemgr console',
        // A browser application keeps no secret: PKCE stands in for it.
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${publicUrl}${CONSOLE_CALLBACK_PATH}`],
        post_logout_redirect_uris: [`${publicUrl}${CONSOLE_PATH}`],
        id_token_signed_response_alg: signingKey.algorithm,
      },
    ],
    clientDefaults: { id_token_signed_response_alg: signingKey.algorithm },
    enabledJWA: { idTokenSigningAlgValues: [signingKey.algorithm] },
    // The API's scopes are the resource server's (getResourceServerInfo), not OpenID Connect ones.
    scopes: ['openid', 'profile'],
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    // The console is served from casemgr's own origin (its fetches still carry Origin): no other
    // origin may call the token endpoint.
    clientBasedCORS: (_ctx: unknown, origin: string) => origin === publicUrl,
    // The authorization code flow only: no implicit or hybrid responses put tokens in a URL.
    responseTypes: ['code'],
    pkce: { required: () => true },
    // The login page is casemgr's own (interaction-routes.ts).
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${OIDC_PATH}/interaction/${interaction.uid}`,
    },
    async findAccount(_ctx: unknown, sub: string) {
      const user = await users.findUser(sub);
      if (!user || user.id !== sub) return undefined;
      return {
        accountId: user.id,
        claims: () => Promise.resolve({ sub: user.id, preferred_username: user.loginName }),
      };
    },
    // The console is part of casemgr: it is granted the API's scopes without a consent screen.
    async loadExistingGrant(ctx: KoaLikeContext) {
      const { client, account, provider: own } = ctx.oidc;
      if (!client || !account || client.clientId !== CONSOLE_CLIENT_ID) return undefined;
      const grant = new own.Grant({ clientId: client.clientId, accountId: account.accountId });
      grant.addOIDCScope('openid profile');
      grant.addResourceScope(API_RESOURCE, apiScopes.join(' '));
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: apiScopes.join(' '),
            audience: EMBEDDED_AUDIENCE,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: signingKey.algorithm } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaLikeContext, form: string) => {
          ctx.body = logoutPage(pageLanguageOf(headerText(ctx.headers['accept-language'])), form);
        },
        postLogoutSuccessSource: (ctx: KoaLikeContext) => {
          ctx.body = loggedOutPage(pageLanguageOf(headerText(ctx.headers['accept-language'])));
        },
      },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      // A working day; the session ends earlier on logout.
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
  });
  return provider;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
