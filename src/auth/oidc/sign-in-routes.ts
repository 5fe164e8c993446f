// Mounts the embedded OpenID Provider under /oidc and serves its login page. The provider reads its
// own request bodies (token, logout…), so its requests are handed over before Fastify parses
// anything; only the login form, casemgr's own page, is parsed here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { CredentialStore } from '../../store/credential-store.js';
import { hashPassword, verifyPassword } from '../password-hash.js';
import { OIDC_PATH } from './embedded-provider.js';
import {
  errorPage,
  loginPage,
  PAGE_CSP,
  pageLanguageOf,
  textsOf,
  type PageLanguage,
} from './sign-in-pages.js';

const LOGIN_FORM_LIMIT_BYTES = 8 * 1024;

export function registerSignIn(
  server: FastifyInstance,
  provider: Provider,
  credentials: CredentialStore,
): void {
  const handle = provider.callback();
  // Checked against when the login is unknown or has no password, so that a wrong login takes as
  // long as a wrong password and the timing does not tell which logins exist.
  const decoyHash = hashPassword('decoy password, never matched');

  server.all(
    `${OIDC_PATH}/*`,
    {
      onRequest: (request, reply, done) => {
        reply.hijack();
        const raw = request.raw as typeof request.raw & { originalUrl?: string };
        // oidc-provider finds its mount path from originalUrl minus url (as under Express or Koa).
        raw.originalUrl = raw.url;
        raw.url = (raw.url ?? '/').slice(OIDC_PATH.length) || '/';
        reply.raw.setHeader('content-security-policy', PAGE_CSP);
        reply.raw.setHeader('x-request-id', request.id);
        handle(raw, reply.raw);
        done();
      },
    },
    () => undefined,
  );

  void server.register((scope, _options, registered) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: LOGIN_FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get<{ Params: { uid: string } }>(`${OIDC_PATH}/interaction/:uid`, async (request, reply) => {
      const language = languageOf(request);
      const details = await interactionOf(provider, request, reply);
      if (!details) return sendPage(reply, 400, errorPage(language, textsOf(language).expired));
      // Only the login prompt is casemgr's to answer: the console's grant needs no consent screen.
      if (details.prompt.name !== 'login') {
        request.log.warn({ prompt: details.prompt.name }, 'sign-in interaction with an unexpected prompt');
        return sendPage(reply, 400, errorPage(language, textsOf(language).expired));
      }
      return sendPage(reply, 200, loginPage({ language, action: loginAction(details.uid) }));
    });

    scope.post<{ Params: { uid: string }; Body: Record<string, string> | undefined }>(
      `${OIDC_PATH}/interaction/:uid/login`,
      async (request, reply) => {
        const language = languageOf(request);
        const details = await interactionOf(provider, request, reply);
        if (!details || details.prompt.name !== 'login')
          return sendPage(reply, 400, errorPage(language, textsOf(language).expired));
        const login = String(request.body?.login ?? '').trim();
        const password = String(request.body?.password ?? '');
        const found = login === '' ? undefined : await credentials.byLogin(login);
        const stored = found?.passwordHash ?? (await decoyHash);
        const matches = (await verifyPassword(password, stored)) && found?.passwordHash != null;
        if (!found || !matches) {
          request.log.info({ login }, 'console sign-in refused');
          return sendPage(
            reply,
            400,
            loginPage({ language, action: loginAction(details.uid), login, refused: true }),
          );
        }
        const returnTo = await provider.interactionResult(request.raw, reply.raw, {
          login: { accountId: found.userId },
        });
        return reply.code(303).header('location', returnTo).header('cache-control', 'no-store').send();
      },
    );
    registered();
  });
}

const loginAction = (uid: string) => `${OIDC_PATH}/interaction/${encodeURIComponent(uid)}/login`;

function languageOf(request: FastifyRequest): PageLanguage {
  return pageLanguageOf(request.headers['accept-language']);
}

/** The interaction the browser's cookie names, or undefined when it has expired or was never there. */
async function interactionOf(
  provider: Provider,
  request: FastifyRequest<{ Params: { uid: string } }>,
  reply: FastifyReply,
) {
  try {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    return details.uid === request.params.uid ? details : undefined;
  } catch (error) {
    if ((error as { name?: unknown }).name === 'SessionNotFound') return undefined;
    throw error;
  }
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(html);
}
