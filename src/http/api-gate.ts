// Rules 1–3 for every /core/casemgr route, in the contract's order: the token (401), then Accept,
// Accept-Language and Content-Type (406/415), then query parameters (400-101/102). The body (rule 4)
// is judged after parsing, by the route schema.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallerResolver } from '../auth/caller-resolver.js';
import { DEFAULT_LOCALE } from '../i18n/locales.js';
import { authenticate } from './authenticate.js';
import { ApiError, unsupportedMediaType } from './error-catalog.js';
import type { TurnTaking } from './turn-taking.js';
import { isAcceptableContentType, negotiateLocale, negotiateMedia } from './negotiation.js';
import { allowedQueryOf, checkQuery, type AllowedQuery } from './query-rules.js';

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** No Content-Encoding, or only `identity` (RFC 9110 §8.4: a list, in the order applied). */
function isIdentityEncoding(header: string | undefined): boolean {
  if (header === undefined) return true;
  return header.split(',').every((coding) => ['', 'identity'].includes(coding.trim().toLowerCase()));
}

export function registerApiGate(
  app: FastifyInstance,
  callers: CallerResolver,
  turns: TurnTaking,
  onAbandoned: () => void,
): void {
  const allowedByRoute = new WeakMap<object, AllowedQuery>();
  app.decorateRequest('media', 'json');
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('caller', undefined);

  app.addHook('onRequest', async (request, reply) => {
    const api = request.routeOptions.config.api;
    if (!api) return;
    // Health and metrics do not queue: a probe must see the service as it is, even when saturated.
    await turns.take();
    // A client that gave up while its request waited gets nothing done in its name: a pick whose
    // body had fully arrived would otherwise commit with nobody to tell. Hijacked, Fastify goes no
    // further with the request.
    if (request.raw.socket?.destroyed) {
      onAbandoned();
      reply.hijack();
      return;
    }
    const media = negotiateMedia(request.headers.accept);
    const locale = negotiateLocale(request.headers['accept-language']);
    // Errors found before the headers are judged still speak the client's language when they can.
    request.media = media ?? 'json';
    request.locale = locale ?? DEFAULT_LOCALE;

    // Rule 1 — 401-101: a valid token of a known user.
    request.caller = await authenticate(request, callers);

    // Rule 2 — 406-101 (body in JSON), 406-100, 415-100.
    if (media === undefined) throw new ApiError('406-101');
    if (locale === undefined) throw new ApiError('406-100');
    if (api.takesBody && hasBody(request)) {
      if (!isAcceptableContentType(request.headers['content-type'] ?? '')) {
        throw unsupportedMediaType('Content-Type');
      }
      // Bodies are read as sent: a compressed one would otherwise fail as JSON (400-152), which
      // misleads the client. Judged here, before a byte of the body is read.
      if (!isIdentityEncoding(request.headers['content-encoding'])) {
        throw unsupportedMediaType('Content-Encoding');
      }
    }

    // Rule 3 — 400-101 / 400-102.
    let allowed = allowedByRoute.get(api);
    if (!allowed) {
      allowed = allowedQueryOf(api.query);
      allowedByRoute.set(api, allowed);
    }
    checkQuery(request.query as Record<string, unknown>, allowed);
  });
}
