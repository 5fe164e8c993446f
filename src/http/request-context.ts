// What the API gate learns about a request before the handler runs.
import type { TSchema } from '@sinclair/typebox';
import type { FactsStamp } from '../auth/caller-resolver.js';
import type { Caller, ClientApplication } from '../domain/caller.js';
import type { Locale } from '../i18n/locales.js';
import type { MessageVariant } from './message-variants.js';
import type { MediaKind } from './negotiation.js';

/** Per-route settings the API gate reads (Fastify route `config`). */
export interface ApiRouteConfig {
  readonly api?: {
    /** The route's querystring schema: its properties and their `enum`s are the allowed names and values. */
    readonly query: TSchema;
    /** Whether the route takes a JSON body (so Content-Type is judged). */
    readonly takesBody: boolean;
    /** Whether client-application tokens (no user) may call it; left out, they get 401-101. */
    readonly clients?: boolean;
    /** The querystring schema for client applications when it differs from `query` (search). */
    readonly clientQuery?: TSchema;
    /** The route answers text/event-stream: an Accept asking only for it passes the gate (406 otherwise). */
    readonly eventStream?: boolean;
    /** The operation whose message variants the route's framework answers (413-100) are worded for. */
    readonly wording?: MessageVariant;
    /**
     * `by-route`: the caller's cached facts reach the handler unconfirmed, and the handler checks the
     * organisation version in a statement it makes anyway (src/http/facts-check.ts). Left out, the
     * gate confirms them before the handler runs.
     */
    readonly factsCheck?: 'by-route';
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Negotiated media type for the response and error bodies. */
    media: MediaKind;
    locale: Locale;
    /** Set by the API gate once the token is verified; absent on health and metrics routes. */
    caller: Caller | undefined;
    /** Set instead of `caller` when a client application calls a route that admits them. */
    clientApp: ClientApplication | undefined;
    /** Where `caller`'s facts stand against the organisation version; set with `caller`. */
    factsStamp: FactsStamp | undefined;
    /** When the user's token expires (its `exp`, in ms); set with `caller`. */
    tokenExpiresAtMs: number | undefined;
  }
  /** OpenAPI fields read by routes/openapi.route.ts. */
  interface FastifySchema {
    operationId?: string;
    summary?: string;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends ApiRouteConfig {}
}
