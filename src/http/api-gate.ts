// Rules 1–3 for every /core/casemgr route, in the contract's order: the token (401), then Accept,
// Accept-Language and Content-Type (406/415), then query parameters (400-101/102). The body (rule 4)
// is judged after parsing, by the route schema.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallerResolver } from '../auth/caller-resolver.js';
import { DEFAULT_LOCALE } from '../i18n/locales.js';
import { authenticate } from './authenticate.js';
import { ApiError, unsupportedMediaType } from './error-catalog.js';
import { overloaded } from './overload-control.js';
import type { RateLimitCheck } from './rate-limit.js';
import type { TurnOutcome, TurnTaking } from './turn-taking.js';
import { acceptsEventStream, isAcceptableContentType, negotiateInto } from './negotiation.js';
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

export interface ApiGateOptions {
  /** Turn taking, when OVERLOAD_CONTROL=turns. */
  readonly turns: TurnTaking | undefined;
  /** The per-caller rate limit, when one is set. */
  readonly rateLimit: RateLimitCheck | undefined;
  /** A request whose client left while it waited for its turn. */
  readonly onAbandoned: () => void;
  /** A request refused by turn taking (load shed). */
  readonly onShed: (outcome: Exclude<TurnOutcome, 'admitted'>) => void;
}

export function registerApiGate(app: FastifyInstance, callers: CallerResolver, gate: ApiGateOptions): void {
  const { turns, rateLimit, onAbandoned, onShed } = gate;
  const allowedByRoute = new WeakMap<object, AllowedQuery>();
  app.decorateRequest('media', 'json');
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.decorateRequest('caller', undefined);
  app.decorateRequest('clientApp', undefined);
  app.decorateRequest('factsStamp', undefined);
  app.decorateRequest('tokenExpiresAtMs', undefined);

  // An answer sent before the request's body has fully arrived (a refusal by the rules below, which
  // run before the body parser) closes the connection: otherwise Node would read the rest of the
  // body to reach the next request on the connection, whatever its size, for a client that may not
  // even have a token (issue 9 §3).
  // (Callback-style hooks where nothing is awaited: an async hook costs a promise on every request.)
  app.addHook('onSend', (request, reply, payload, done) => {
    if (hasBody(request) && !request.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onRequest', async (request, reply) => {
    const api = request.routeOptions.config.api;
    if (!api) return;
    // Errors found before the headers are judged still speak the client's language when they can
    // (a 503 from turn taking included).
    const { media, locale } = negotiateInto(request);
    // Health and metrics do not queue: a probe must see the service as it is, even when saturated.
    if (turns) {
      const outcome = await turns.take();
      if (outcome !== 'admitted') {
        onShed(outcome);
        throw overloaded();
      }
    }
    // A client that gave up while its request waited gets nothing done in its name: a pick whose
    // body had fully arrived would otherwise commit with nobody to tell. Hijacked, Fastify goes no
    // further with the request.
    if (request.raw.socket?.destroyed) {
      onAbandoned();
      reply.hijack();
      return;
    }

    // Rule 1 — 401-101: a valid token of a known user, or of a client application where admitted.
    let refusal: Error | undefined;
    try {
      const authenticated = await authenticate(
        request,
        callers,
        api.clients === true,
        api.factsCheck ?? 'now',
      );
      request.caller = authenticated.caller;
      request.clientApp = authenticated.client;
      request.factsStamp = authenticated.stamp;
      request.tokenExpiresAtMs = authenticated.expiresAtMs;
    } catch (error) {
      refusal = error instanceof Error ? error : new Error(String(error));
    }
    // The rate limit (429-001) counts every request, refused ones too, by its verified user, else by
    // its client address: checked here, once the token is verified, it cannot be spread over forged
    // subjects.
    if (rateLimit) await rateLimit(request, reply);
    if (refusal !== undefined) throw refusal;

    // Rule 2 — 406-101 (body in JSON), 406-100, 415-100.
    // The live stream judges its own Accept (text/event-stream); its errors are JSON unless XML is asked.
    if (media === undefined && !(api.eventStream && acceptsEventStream(request.headers.accept))) {
      throw new ApiError('406-101');
    }
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
    // A parameter not for this kind of caller is as unknown as any other (search: clientQuery).
    const schema = request.clientApp !== undefined && api.clientQuery ? api.clientQuery : api.query;
    let allowed = allowedByRoute.get(schema);
    if (!allowed) {
      allowed = allowedQueryOf(schema);
      allowedByRoute.set(schema, allowed);
    }
    checkQuery(request.query as Record<string, unknown>, allowed);
  });
}
