// buildApp: the single place where store, auth, domain and HTTP are wired together. Tests pass their
// own database, clock and config; nothing here reads the environment.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from './auth/auth-config.js';
import { createCallerResolver, type CallerResolver } from './auth/caller-resolver.js';
import { createEmbeddedProvider } from './auth/oidc/embedded-provider.js';
import { registerSignIn } from './auth/oidc/sign-in-routes.js';
import { DEFAULT_CONSOLE_DIR } from './http/console/console-files.js';
import { consoleSettings, registerConsole } from './http/console/console-routes.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { CredentialStore } from './store/credential-store.js';
import type { Clock } from './domain/pick-activities.js';
import type { ActivityEvent } from './domain/events.js';
import { registerApiGate } from './http/api-gate.js';
import {
  applyConnectionLimits,
  connectionOptions,
  DEFAULT_CONNECTION_LIMITS,
  type ConnectionLimits,
} from './http/connection-limits.js';
import { clientErrorHandler } from './http/client-error-handler.js';
import { registerDraining } from './http/draining.js';
import { ApiError } from './http/error-catalog.js';
import { frameworkErrorHandler, registerErrorHandler } from './http/error-handler.js';
import {
  DEFAULT_UNDER_PRESSURE,
  registerUnderPressure,
  type OverloadControl,
  type UnderPressureLimits,
} from './http/overload-control.js';
import { registerRateLimit, type RateLimitSettings } from './http/rate-limit.js';
import {
  createTurnTaking,
  DEFAULT_TURN_MS,
  DEFAULT_TURN_QUEUE_MAX,
  DEFAULT_TURN_WAIT_MAX_MS,
  type TurnTaking,
} from './http/turn-taking.js';
import { setResponseHeaders } from './http/response-headers.js';
import { API_SERVER_OPTIONS } from './http/server-options.js';
import { registerActivityReadRoute } from './http/routes/activity-read.route.js';
import { registerActivityHistoryRoute } from './http/routes/activity-history.route.js';
import { registerCaseReadRoute } from './http/routes/case-read.route.js';
import { registerActivitySearchRoute } from './http/routes/activity-search.route.js';
import { registerCreateEmailRoute } from './http/routes/create-email.route.js';
import { registerCreateTaskRoute } from './http/routes/create-task.route.js';
import { registerHealthRoutes } from './http/routes/health.route.js';
import { createMetrics, registerMetrics, watchTurns, type Metrics } from './http/routes/metrics.route.js';
import { collectOpenApi } from './http/routes/openapi.route.js';
import { registerPickRoute } from './http/routes/pick.route.js';
import { registerCompleteRoute } from './http/routes/complete.route.js';
import { registerPullRoute } from './http/routes/pull.route.js';
import { registerTransferRoutes } from './http/routes/transfer.route.js';
import { registerWebhookRoutes } from './http/routes/webhook.route.js';
import { registerEventStreamRoute } from './http/routes/event-stream.route.js';
import { registerUserMeRoute } from './http/routes/user-me.route.js';
import { CommitNotifier } from './events/commit-notifier.js';
import { startEventStreams, type EventStreams } from './events/event-streams.js';
import { DEFAULT_EVENT_STREAM, type EventStreamSettings } from './events/stream-settings.js';
import { Messages } from './i18n/messages.js';
import { ActivitySearch } from './store/activity-search.js';
import { ActivityStore, type ActivityStoreSeams } from './store/activity-store.js';
import { CaseStore } from './store/case-store.js';
import { HistoryStore } from './store/history-store.js';
import type { OpenDatabase } from './store/database.js';
import { KeyStore } from './store/key-store.js';
import { OrganisationStore } from './store/organisation-store.js';
import { createTransactional, DEFAULT_TRANSACTIONS, type TransactionSettings } from './store/transaction.js';
import { IntakeStore } from './store/intake-store.js';
import { UserStore } from './store/user-store.js';
import { CompleteStore } from './store/complete-store.js';
import { PullStore } from './store/pull-store.js';
import { ProfileStore } from './store/profile-store.js';
import { TransferStore } from './store/transfer-store.js';
import { WebhookStore } from './store/webhook-store.js';
import { WriteHealth } from './store/write-health.js';
import { DEFAULT_DELIVERER, WebhookDeliverer, type DelivererSettings } from './webhooks/deliverer.js';
import { webhookMetrics } from './webhooks/webhook-metrics.js';

export interface AppOptions {
  readonly database: OpenDatabase;
  readonly auth: AuthConfig;
  readonly clock?: Clock;
  readonly transactions?: TransactionSettings;
  /**
   * How long a user's authorization facts are kept in memory at most (every request checks them
   * against the organisation version, so this never makes them stale); 0 reads them on every request.
   */
  readonly userFactsTtlMs?: number;
  readonly logger?: FastifyServerOptions['logger'];
  readonly messages?: Messages;
  /** How the instance protects itself from overload (src/http/overload-control.ts); default `turns`. */
  readonly overload?: OverloadControl;
  /** How long a busy event-loop turn should last (src/http/turn-taking.ts). */
  readonly turnMs?: number;
  /** Requests that may wait for a turn, and for how long; 0 = no bound. */
  readonly turnQueueMax?: number;
  readonly turnWaitMaxMs?: number;
  /** The turn taking itself, instead of one built from the settings above (tests hold turns with it). */
  readonly turns?: TurnTaking;
  /** Request timeouts, keep-alive and the connection cap (src/http/connection-limits.ts). */
  readonly connectionLimits?: ConnectionLimits;
  /** Thresholds when `overload` is `under-pressure`. */
  readonly underPressure?: UnderPressureLimits;
  /** Per-caller rate limit; absent or max 0 = none. */
  readonly rateLimit?: RateLimitSettings;
  /** The bearer token /metrics requires; empty or absent leaves /metrics open. */
  readonly metricsToken?: string;
  /** The live stream's heartbeat, resume window, buffer and limits (src/events/stream-settings.ts). */
  readonly eventStream?: EventStreamSettings;
  /**
   * The console's sign-in (the embedded OpenID Provider under /oidc), served in embedded-issuer mode
   * only, with the console itself at /console: `publicUrl` is the service's origin as browsers see
   * it; `consoleDir` the built console (default dist/console).
   */
  readonly signIn?: { readonly publicUrl: string; readonly consoleDir?: string };
  /** Tests only: steps into the pick transaction (src/store/activity-store.ts). */
  readonly storeSeams?: ActivityStoreSeams;
  /** The webhook deliverer's settings (default DEFAULT_DELIVERER); false runs no deliverer here. */
  readonly webhooks?: DelivererSettings | false;
}

export interface App {
  readonly server: FastifyInstance;
  /** Absent when the options asked for no deliverer. */
  readonly deliverer: WebhookDeliverer | undefined;
  readonly organisations: OrganisationStore;
  readonly callers: CallerResolver;
  readonly metrics: Metrics;
}

const systemClock: Clock = { nowMs: () => Date.now() };
/** USER_FACTS_TTL_MS's default (src/config.ts): ten minutes. */
export const DEFAULT_USER_FACTS_TTL_MS = 600_000;
const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function buildApp(options: AppOptions): Promise<App> {
  const { db, dialect } = options.database;
  const clock = options.clock ?? systemClock;
  const messages = options.messages ?? new Messages();
  const metrics = createMetrics();
  const writeHealth = new WriteHealth(() => clock.nowMs());
  // Started once the server exists (it logs); the commit observer reaches it from then on.
  const live: { streams?: EventStreams; notifier?: CommitNotifier } = {};
  const transactional = createTransactional(db, dialect, options.transactions ?? DEFAULT_TRANSACTIONS, {
    onRetry: () => metrics.transactionRetries.inc(),
    writeHealth,
    onCommitted: () => live.streams?.committed(),
  });
  const eventsCommitted = (events: readonly ActivityEvent[]) => {
    for (const event of events) metrics.eventsWritten.inc({ type: event.type });
    if (events.length > 0) live.notifier?.poke();
  };
  const activities = new ActivityStore(db, dialect, transactional, options.storeSeams, eventsCommitted);
  const users = new UserStore(db);
  const organisations = new OrganisationStore(db, transactional);
  const embedded = options.auth.jwksUrl === undefined;
  // Signing tokens at sign-in needs the private key; otherwise the process only reads the public half.
  const signingKey =
    embedded && options.signIn ? await new KeyStore(db).getOrCreate(clock.nowMs()) : undefined;
  const embeddedKey = embedded
    ? (signingKey ?? (await new KeyStore(db).verificationKey(clock.nowMs())))
    : undefined;
  const provider =
    signingKey && options.signIn
      ? createEmbeddedProvider({
          publicUrl: options.signIn.publicUrl,
          db,
          signingKey,
          scopePrefix: options.auth.scopePrefix,
          nowMs: () => clock.nowMs(),
        })
      : undefined;
  const callers = createCallerResolver(
    createTokenVerifier(options.auth, embeddedKey, {
      nowMs: () => clock.nowMs(),
      ...(provider ? { providerIssuer: provider.issuer } : {}),
    }),
    users,
    options.userFactsTtlMs ?? DEFAULT_USER_FACTS_TTL_MS,
  );

  const connectionLimits = options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS;
  const server = Fastify({
    ...API_SERVER_OPTIONS,
    ...connectionOptions(connectionLimits),
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    // Draining answers 503-100 itself (src/http/draining.ts); Node's parser errors too.
    return503OnClosing: false,
    clientErrorHandler: clientErrorHandler(messages),
    frameworkErrors: frameworkErrorHandler(messages, callers),
  });
  applyConnectionLimits(server.server, connectionLimits);
  server.addHook('onRequest', (request, reply, done) => {
    setResponseHeaders(request, reply);
    done();
  });
  registerDraining(server, messages);
  registerContentTypeParsers(server);
  registerErrorHandler(server, messages);
  registerMetrics(server, metrics, options.metricsToken ?? '');
  registerHealthRoutes(server, async () => {
    await options.database.ping();
    // `select 1` still answers on a full disk or a read-only database: recent writes say more.
    return writeHealth.writable;
  });
  collectOpenApi(server, { version: packageVersion });
  const refused = (cause: string) => metrics.refused.inc({ cause: cause.replaceAll(' ', '_') });
  const overload = options.overload ?? 'turns';
  const turns =
    overload !== 'turns'
      ? undefined
      : (options.turns ??
        createTurnTaking(options.turnMs ?? DEFAULT_TURN_MS, {
          maxWaiting: options.turnQueueMax ?? DEFAULT_TURN_QUEUE_MAX,
          maxWaitMs: options.turnWaitMaxMs ?? DEFAULT_TURN_WAIT_MAX_MS,
        }));
  if (overload === 'under-pressure') {
    await registerUnderPressure(server, options.underPressure ?? DEFAULT_UNDER_PRESSURE, () =>
      refused('under pressure'),
    );
  }
  const rateLimit = options.rateLimit
    ? await registerRateLimit(server, options.rateLimit, () => refused('rate limit'))
    : undefined;
  registerApiGate(server, callers, {
    turns,
    rateLimit,
    onAbandoned: watchTurns(metrics, turns),
    onShed: refused,
  });
  registerPickRoute(server, { store: activities, clock, onPicked: (n) => metrics.activitiesPicked.inc(n) });
  registerActivityReadRoute(server, { reader: activities, messages });
  registerActivityHistoryRoute(server, { reader: new HistoryStore(db) });
  registerCaseReadRoute(server, { reader: new CaseStore(db), messages });
  registerActivitySearchRoute(server, { searcher: new ActivitySearch(db), reader: activities, messages });
  const intake = new IntakeStore(db, dialect, transactional, {}, eventsCommitted);
  registerCreateTaskRoute(server, { store: intake, clock });
  registerCreateEmailRoute(server, { store: intake, clock });
  registerTransferRoutes(server, {
    store: new TransferStore(dialect, transactional, eventsCommitted),
    clock,
  });
  registerCompleteRoute(server, {
    store: new CompleteStore(dialect, transactional, eventsCommitted),
    clock,
    messages,
  });
  registerUserMeRoute(server, { reader: new ProfileStore(db) });
  registerPullRoute(server, { store: new PullStore(dialect, transactional, eventsCommitted), clock });
  const webhooks = new WebhookStore(db, dialect, transactional);
  registerWebhookRoutes(server, { store: webhooks, clock });
  const deliverer = startDeliverer(server, webhooks, options, metrics);
  const streamSettings = options.eventStream ?? DEFAULT_EVENT_STREAM;
  const streams = await startEventStreams(options.database, streamSettings, server.log);
  live.streams = streams;
  if (dialect === 'postgres') {
    // Every instance's listeners are woken after a commit that added events (commit-notifier.ts).
    const notifier = new CommitNotifier(db, server.log);
    live.notifier = notifier;
    server.addHook('onClose', () => notifier.idle());
  }
  registerEventStreamRoute(server, { streams, settings: streamSettings, clock, registry: metrics.registry });
  if (provider) {
    registerSignIn(server, provider, new CredentialStore(db));
    registerConsole(server, {
      dir: options.signIn?.consoleDir ?? DEFAULT_CONSOLE_DIR,
      settings: consoleSettings(options.auth.scopePrefix),
    });
  }
  try {
    await server.ready();
  } catch (error) {
    await streams.close();
    throw error;
  }
  return { server, organisations, callers, metrics, deliverer };
}

/** Every listening instance delivers webhooks; closing the server (graceful shutdown) stops its deliverer. */
function startDeliverer(
  server: FastifyInstance,
  store: WebhookStore,
  options: AppOptions,
  metrics: Metrics,
): WebhookDeliverer | undefined {
  if (options.webhooks === false) return undefined;
  const deliverer = new WebhookDeliverer(
    store,
    options.webhooks ?? DEFAULT_DELIVERER,
    webhookMetrics(metrics.registry),
    server.log,
    options.database.dialect === 'sqlite',
  );
  // Once listening: an instance that fails to start (its port taken) never delivers.
  server.addHook('onListen', (done) => {
    deliverer.start();
    done();
  });
  server.addHook('onClose', async () => deliverer.stop());
  return deliverer;
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
