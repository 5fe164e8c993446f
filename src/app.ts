// buildApp: the single place where store, auth, domain and HTTP are wired together. Tests pass their
// own database, clock and config; nothing here reads the environment.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from './auth/auth-config.js';
import { createCallerResolver, type CallerResolver } from './auth/caller-resolver.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import type { Clock } from './domain/pick-activities.js';
import { registerApiGate } from './http/api-gate.js';
import { clientErrorHandler } from './http/client-error-handler.js';
import { registerDraining } from './http/draining.js';
import { ApiError } from './http/error-catalog.js';
import { frameworkErrorHandler, registerErrorHandler } from './http/error-handler.js';
import { createTurnTaking, DEFAULT_TURN_MS, type TurnTaking } from './http/turn-taking.js';
import { API_SERVER_OPTIONS } from './http/server-options.js';
import { registerActivityReadRoute } from './http/routes/activity-read.route.js';
import { registerHealthRoutes } from './http/routes/health.route.js';
import { createMetrics, registerMetrics, watchTurns, type Metrics } from './http/routes/metrics.route.js';
import { collectOpenApi } from './http/routes/openapi.route.js';
import { registerPickRoute } from './http/routes/pick.route.js';
import { Messages } from './i18n/messages.js';
import { ActivityStore, type ActivityStoreSeams } from './store/activity-store.js';
import type { OpenDatabase } from './store/database.js';
import { KeyStore } from './store/key-store.js';
import { OrganisationStore } from './store/organisation-store.js';
import { createTransactional, DEFAULT_TRANSACTIONS, type TransactionSettings } from './store/transaction.js';
import { UserStore } from './store/user-store.js';
import { WriteHealth } from './store/write-health.js';

export interface AppOptions {
  readonly database: OpenDatabase;
  readonly auth: AuthConfig;
  readonly clock?: Clock;
  readonly transactions?: TransactionSettings;
  /** How long a user's authorization facts may be served from memory; 0 reads them on every request. */
  readonly userFactsTtlMs?: number;
  readonly logger?: FastifyServerOptions['logger'];
  readonly messages?: Messages;
  /** How long a busy event-loop turn should last (src/http/turn-taking.ts). */
  readonly turnMs?: number;
  /** The turn taking itself, instead of one built from `turnMs` (tests hold turns with it). */
  readonly turns?: TurnTaking;
  /** Tests only: steps into the pick transaction (src/store/activity-store.ts). */
  readonly storeSeams?: ActivityStoreSeams;
}

export interface App {
  readonly server: FastifyInstance;
  readonly organisations: OrganisationStore;
  readonly callers: CallerResolver;
  readonly metrics: Metrics;
}

const systemClock: Clock = { nowMs: () => Date.now() };
const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function buildApp(options: AppOptions): Promise<App> {
  const { db, dialect } = options.database;
  const clock = options.clock ?? systemClock;
  const messages = options.messages ?? new Messages();
  const metrics = createMetrics();
  const writeHealth = new WriteHealth(() => clock.nowMs());
  const transactional = createTransactional(db, dialect, options.transactions ?? DEFAULT_TRANSACTIONS, {
    onRetry: () => metrics.transactionRetries.inc(),
    writeHealth,
  });
  const activities = new ActivityStore(db, dialect, transactional, options.storeSeams);
  const users = new UserStore(db);
  const organisations = new OrganisationStore(db, transactional);
  const embeddedKey =
    options.auth.jwksUrl === undefined ? await new KeyStore(db).getOrCreate(clock.nowMs()) : undefined;
  const callers = createCallerResolver(
    createTokenVerifier(options.auth, embeddedKey),
    users,
    options.userFactsTtlMs ?? 0,
  );

  const server = Fastify({
    ...API_SERVER_OPTIONS,
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    // Draining answers 503-100 itself (src/http/draining.ts); Node's parser errors too.
    return503OnClosing: false,
    clientErrorHandler: clientErrorHandler(messages),
    frameworkErrors: frameworkErrorHandler(messages, callers),
  });
  server.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerDraining(server, messages);
  registerContentTypeParsers(server);
  registerErrorHandler(server, messages);
  registerMetrics(server, metrics);
  registerHealthRoutes(server, async () => {
    await options.database.ping();
    // `select 1` still answers on a full disk or a read-only database: recent writes say more.
    return writeHealth.writable;
  });
  collectOpenApi(server, { version: packageVersion });
  const turns = options.turns ?? createTurnTaking(options.turnMs ?? DEFAULT_TURN_MS);
  registerApiGate(server, callers, turns, watchTurns(metrics, turns));
  registerPickRoute(server, { store: activities, clock, onPicked: (n) => metrics.activitiesPicked.inc(n) });
  registerActivityReadRoute(server, { reader: activities, messages });
  await server.ready();
  return { server, organisations, callers, metrics };
}

/**
 * Only JSON is read. The API gate already refused other media types with a body (415-100); an empty
 * body of any type is "no body" (400-264). Invalid JSON is 400-152.
 */
function registerContentTypeParsers(server: FastifyInstance): void {
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    // Only a truly empty body is "no body"; whitespace alone is a body that is not JSON (400-152).
    if (text.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError('400-152', { attribute: 'body' }, [{ key: 'attribute', value: 'body' }]), undefined);
    }
  });
  server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    if ((body as string).length === 0) return done(null, undefined);
    done(new ApiError('415-100'), undefined);
  });
}
