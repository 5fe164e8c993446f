// Service configuration from the environment and command-line flags (a flag beats its variable).
// Every value is validated at start; a bad one stops the process with one line naming it.
import {
  EMBEDDED_AUDIENCE,
  EMBEDDED_ISSUER,
  VERIFIABLE_ALGORITHMS,
  type AuthConfig,
  type VerifiableAlgorithm,
} from './auth/auth-config.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './http/connection-limits.js';
import { DEFAULT_POOL, type PoolSettings } from './store/pool-settings.js';
import {
  DEFAULT_RATE_LIMIT,
  DEFAULT_TURN_MS,
  DEFAULT_TURN_QUEUE_MAX,
  DEFAULT_TURN_WAIT_MAX_MS,
  DEFAULT_UNDER_PRESSURE,
  OVERLOAD_CONTROLS,
  type OverloadControl,
  type RateLimitSettings,
  type UnderPressureLimits,
} from './http/overload-settings.js';
import { DEFAULT_EVENT_STREAM, type EventStreamSettings } from './events/stream-settings.js';
import { parseDatabaseUrl, type DatabaseTarget } from './store/dialect.js';
import { PRIVATE_ADDRESS_POLICIES, type PrivateAddressPolicy } from './webhooks/address-policy.js';
import { DEFAULT_DELIVERER, type DelivererSettings } from './webhooks/deliverer.js';
import {
  DEFAULT_TRANSACTIONS,
  type IsolationLevel,
  type TransactionSettings,
} from './store/transaction-settings.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ServiceConfig {
  readonly database: DatabaseTarget;
  readonly databaseUrl: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly auth: AuthConfig;
  readonly pool: PoolSettings;
  readonly transactions: TransactionSettings;
  readonly userFactsTtlMs: number;
  readonly turnMs: number;
  readonly overload: OverloadControl;
  readonly turnQueueMax: number;
  readonly turnWaitMaxMs: number;
  readonly underPressure: UnderPressureLimits;
  readonly rateLimit: RateLimitSettings;
  readonly shutdownGraceMs: number;
  readonly connectionLimits: ConnectionLimits;
  /** The bearer token /metrics requires; empty leaves /metrics open. */
  readonly metricsToken: string;
  readonly webhooks: DelivererSettings;
  readonly eventStream: EventStreamSettings;
  /** The origin browsers reach the service at: the embedded OpenID Provider's issuer is under it. */
  readonly publicUrl: string;
}

/** One row per setting: the README's configuration table is this list. */
export const SETTINGS = [
  {
    env: 'DATABASE_URL',
    flag: 'database-url',
    default: 'sqlite:./data/casemgr.db',
    help: 'sqlite:PATH (embedded) or postgres://user@host:port/db',
  },
  { env: 'PORT', flag: 'port', default: '8080', help: 'TCP port to listen on' },
  { env: 'HOST', flag: 'host', default: '127.0.0.1', help: 'Address to listen on (0.0.0.0 for all)' },
  {
    env: 'LOG_LEVEL',
    flag: 'log-level',
    default: 'info',
    help: 'fatal, error, warn, info, debug, trace or silent',
  },
  {
    env: 'AUTH_JWKS_URL',
    flag: 'auth-jwks-url',
    default: '',
    help: 'External issuer JWKS URL; empty = the embedded issuer',
  },
  {
    env: 'AUTH_ISSUER',
    flag: 'auth-issuer',
    default: '',
    help: 'Required `iss` (required with AUTH_JWKS_URL)',
  },
  {
    env: 'AUTH_AUDIENCE',
    flag: 'auth-audience',
    default: '',
    help: 'Required `aud` (required with AUTH_JWKS_URL)',
  },
  {
    env: 'AUTH_ALGORITHMS',
    flag: 'auth-algorithms',
    default: 'RS256',
    help: 'Comma-separated algorithms of the external issuer',
  },
  {
    env: 'AUTH_CLOCK_TOLERANCE_SECONDS',
    flag: 'auth-clock-tolerance-seconds',
    default: '0',
    help: 'Leeway for exp/nbf',
  },
  {
    env: 'AUTH_SCOPE_PREFIX',
    flag: 'auth-scope-prefix',
    default: '',
    help: 'Prefix before every scope name',
  },
  {
    env: 'AUTH_USER_CLAIM',
    flag: 'auth-user-claim',
    default: 'sub',
    help: 'Claim naming the user (user id or login name)',
  },
  {
    env: 'USER_FACTS_TTL_MS',
    flag: 'user-facts-ttl-ms',
    default: '600000',
    help: "Keep cached users' roles/permissions at most this long (version-checked per request; 0 = no cache)",
  },
  {
    env: 'DATABASE_POOL_MAX',
    flag: 'database-pool-max',
    default: String(DEFAULT_POOL.poolMax),
    help: 'PostgreSQL pool size',
  },
  {
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    flag: 'database-statement-timeout-ms',
    default: String(DEFAULT_POOL.statementTimeoutMs),
    help: 'PostgreSQL statement_timeout',
  },
  {
    env: 'DATABASE_ISOLATION',
    flag: 'database-isolation',
    default: 'read committed',
    help: 'PostgreSQL isolation: read committed, repeatable read or serializable',
  },
  {
    env: 'EVENT_LOOP_TURN_MS',
    flag: 'event-loop-turn-ms',
    default: String(DEFAULT_TURN_MS),
    help: 'Busy event-loop turn length; requests wait so new connections are accepted',
  },
  {
    env: 'OVERLOAD_CONTROL',
    flag: 'overload-control',
    default: 'turns',
    help: 'turns (bounded turn queue), under-pressure (event-loop thresholds) or off; sheds with 503-100',
  },
  {
    env: 'TURN_QUEUE_MAX',
    flag: 'turn-queue-max',
    default: String(DEFAULT_TURN_QUEUE_MAX),
    help: 'With turns: requests that may wait for a turn; more get 503-100 (0 = no bound)',
  },
  {
    env: 'TURN_WAIT_MAX_MS',
    flag: 'turn-wait-max-ms',
    default: String(DEFAULT_TURN_WAIT_MAX_MS),
    help: 'With turns: a request that waited longer gets 503-100 instead of running (0 = no bound)',
  },
  {
    env: 'UNDER_PRESSURE_MAX_DELAY_MS',
    flag: 'under-pressure-max-delay-ms',
    default: String(DEFAULT_UNDER_PRESSURE.maxEventLoopDelayMs),
    help: 'With under-pressure: mean event-loop delay that sheds requests (0 = not checked)',
  },
  {
    env: 'UNDER_PRESSURE_MAX_ELU_PERCENT',
    flag: 'under-pressure-max-elu-percent',
    default: String(DEFAULT_UNDER_PRESSURE.maxEventLoopUtilization * 100),
    help: 'With under-pressure: event-loop utilization that sheds requests (0 = not checked)',
  },
  {
    env: 'RATE_LIMIT_MAX',
    flag: 'rate-limit-max',
    default: String(DEFAULT_RATE_LIMIT.max),
    help: 'API requests per caller and window, per instance; more get 429-001 (0 = no limit)',
  },
  {
    env: 'RATE_LIMIT_WINDOW_MS',
    flag: 'rate-limit-window-ms',
    default: String(DEFAULT_RATE_LIMIT.windowMs),
    help: 'The rate limit window',
  },
  {
    env: 'PUBLIC_URL',
    flag: 'public-url',
    default: '',
    help: "The service's origin as browsers reach it (the console's sign-in); empty = http://localhost:PORT",
  },
  {
    env: 'METRICS_TOKEN',
    flag: 'metrics-token',
    default: '',
    help: 'Bearer token /metrics requires (16+ characters); empty = open',
  },
  {
    env: 'WEBHOOK_PRIVATE_ADDRESSES',
    flag: 'webhook-private-addresses',
    default: DEFAULT_DELIVERER.privateAddresses,
    help: 'Webhook targets resolving to private/reserved addresses: deny, allow-loopback or allow',
  },
  {
    env: 'WEBHOOK_TIMEOUT_MS',
    flag: 'webhook-timeout-ms',
    default: String(DEFAULT_DELIVERER.timeoutMs),
    help: 'A webhook request must be answered within this, else it is retried',
  },
  {
    env: 'WEBHOOK_MAX_AGE_MS',
    flag: 'webhook-max-age-ms',
    default: String(DEFAULT_DELIVERER.maxAgeMs),
    help: 'An event still undelivered this long after it was written becomes a dead letter',
  },
  {
    env: 'WEBHOOK_RETRY_BASE_MS',
    flag: 'webhook-retry-base-ms',
    default: String(DEFAULT_DELIVERER.baseMs),
    help: 'First retry delay; doubled per attempt, with jitter',
  },
  {
    env: 'WEBHOOK_RETRY_MAX_DELAY_MS',
    flag: 'webhook-retry-max-delay-ms',
    default: String(DEFAULT_DELIVERER.maxDelayMs),
    help: 'Longest delay between two attempts (a longer Retry-After is still honoured)',
  },
  {
    env: 'WEBHOOK_LEASE_MS',
    flag: 'webhook-lease-ms',
    default: String(DEFAULT_DELIVERER.leaseMs),
    help: "How long a deliverer holds a claim; a crashed instance's claims are taken over after it (> WEBHOOK_TIMEOUT_MS)",
  },
  {
    env: 'WEBHOOK_POLL_MS',
    flag: 'webhook-poll-ms',
    default: String(DEFAULT_DELIVERER.pollMs),
    help: 'How often an idle deliverer looks for due deliveries',
  },
  {
    env: 'WEBHOOK_CONCURRENCY',
    flag: 'webhook-concurrency',
    default: String(DEFAULT_DELIVERER.concurrency),
    help: 'Webhook requests in flight at once, per instance',
  },
  {
    env: 'SHUTDOWN_GRACE_MS',
    flag: 'shutdown-grace-ms',
    default: '10000',
    help: 'How long in-flight requests may finish on SIGTERM',
  },
  {
    env: 'REQUEST_TIMEOUT_MS',
    flag: 'request-timeout-ms',
    default: String(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs),
    help: 'Headers and body must arrive within this, else 408 (and closed)',
  },
  {
    env: 'HEADERS_TIMEOUT_MS',
    flag: 'headers-timeout-ms',
    default: String(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs),
    help: 'Header fields must arrive within this (≤ REQUEST_TIMEOUT_MS)',
  },
  {
    env: 'KEEP_ALIVE_TIMEOUT_MS',
    flag: 'keep-alive-timeout-ms',
    default: String(DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs),
    help: 'An idle keep-alive connection is closed after this',
  },
  {
    env: 'MAX_CONNECTIONS',
    flag: 'max-connections',
    default: String(DEFAULT_CONNECTION_LIMITS.maxConnections),
    help: 'Connections held at once; more are closed on arrival',
  },
  {
    env: 'STREAM_HEARTBEAT_MS',
    flag: 'stream-heartbeat-ms',
    default: String(DEFAULT_EVENT_STREAM.heartbeatMs),
    help: 'Event stream (GET /events): a heartbeat comment this often',
  },
  {
    env: 'STREAM_RESUME_WINDOW_MS',
    flag: 'stream-resume-window-ms',
    default: String(DEFAULT_EVENT_STREAM.resumeWindowMs),
    help: 'Event stream: a Last-Event-ID older than this gets a reset event instead of a replay',
  },
  {
    env: 'STREAM_BUFFER_BYTES',
    flag: 'stream-buffer-bytes',
    default: String(DEFAULT_EVENT_STREAM.bufferBytes),
    help: 'Event stream: unsent bytes per stream; a client that falls further behind is dropped',
  },
  {
    env: 'STREAM_MAX_PER_USER',
    flag: 'stream-max-per-user',
    default: String(DEFAULT_EVENT_STREAM.maxPerUser),
    help: 'Event streams one user may hold open on an instance; more get 429-001',
  },
  {
    env: 'STREAM_MAX_CLIENTS',
    flag: 'stream-max-clients',
    default: String(DEFAULT_EVENT_STREAM.maxClients),
    help: 'Event streams an instance holds open; more get 503-100 (unset: at most MAX_CONNECTIONS)',
  },
  {
    env: 'STREAM_POLL_MS',
    flag: 'stream-poll-ms',
    default: String(DEFAULT_EVENT_STREAM.pollMs),
    help: 'Event stream: read the outbox this often without a wake (writes by other processes on SQLite)',
  },
  {
    env: 'STREAM_BATCH_MS',
    flag: 'stream-batch-ms',
    default: String(DEFAULT_EVENT_STREAM.batchMs),
    help: 'Event stream: read the outbox at most this often, each read one write per stream (0: at every commit)',
  },
] as const;

export type SettingName = (typeof SETTINGS)[number]['env'];

function integer(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function overloadControlOf(raw: string): OverloadControl {
  const value = raw.trim().toLowerCase();
  if ((OVERLOAD_CONTROLS as readonly string[]).includes(value)) return value as OverloadControl;
  throw new ConfigError(`OVERLOAD_CONTROL must be ${OVERLOAD_CONTROLS.join(', ')}, got "${raw}"`);
}

function privateAddressesOf(raw: string): PrivateAddressPolicy {
  const value = raw.trim().toLowerCase();
  if ((PRIVATE_ADDRESS_POLICIES as readonly string[]).includes(value)) return value as PrivateAddressPolicy;
  throw new ConfigError(
    `WEBHOOK_PRIVATE_ADDRESSES must be ${PRIVATE_ADDRESS_POLICIES.join(', ')}, got "${raw}"`,
  );
}

function webhookSettingsOf(get: (name: SettingName) => string): DelivererSettings {
  const timeoutMs = integer('WEBHOOK_TIMEOUT_MS', get('WEBHOOK_TIMEOUT_MS'), 1, 600_000);
  const leaseMs = integer('WEBHOOK_LEASE_MS', get('WEBHOOK_LEASE_MS'), 1, 86_400_000);
  // A lease shorter than a request would let a second instance send the same event while the first
  // is still waiting for its answer.
  if (leaseMs <= timeoutMs) {
    throw new ConfigError(`WEBHOOK_LEASE_MS (${leaseMs}) must exceed WEBHOOK_TIMEOUT_MS (${timeoutMs})`);
  }
  return {
    privateAddresses: privateAddressesOf(get('WEBHOOK_PRIVATE_ADDRESSES')),
    timeoutMs,
    leaseMs,
    maxAgeMs: integer('WEBHOOK_MAX_AGE_MS', get('WEBHOOK_MAX_AGE_MS'), 1, 30 * 86_400_000),
    baseMs: integer('WEBHOOK_RETRY_BASE_MS', get('WEBHOOK_RETRY_BASE_MS'), 1, 3_600_000),
    maxDelayMs: integer('WEBHOOK_RETRY_MAX_DELAY_MS', get('WEBHOOK_RETRY_MAX_DELAY_MS'), 1, 86_400_000),
    pollMs: integer('WEBHOOK_POLL_MS', get('WEBHOOK_POLL_MS'), 1, 600_000),
    concurrency: integer('WEBHOOK_CONCURRENCY', get('WEBHOOK_CONCURRENCY'), 1, 10_000),
  };
}

function isolationOf(raw: string): IsolationLevel {
  const value = raw.trim().toLowerCase().replace(/[_-]/g, ' ');
  if (value === 'read committed' || value === 'repeatable read' || value === 'serializable') return value;
  throw new ConfigError(
    `DATABASE_ISOLATION must be read committed, repeatable read or serializable, got "${raw}"`,
  );
}

function algorithmsOf(raw: string): VerifiableAlgorithm[] {
  const list = raw
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = list.filter((a) => !(VERIFIABLE_ALGORITHMS as readonly string[]).includes(a));
  if (list.length === 0 || bad.length > 0) {
    throw new ConfigError(
      `AUTH_ALGORITHMS must list some of ${VERIFIABLE_ALGORITHMS.join(', ')} ("none" is never accepted), got "${raw}"`,
    );
  }
  return list as VerifiableAlgorithm[];
}

/** `values` holds each setting by its environment name; flags have already been folded in by the CLI. */
export function parseConfig(values: Partial<Record<SettingName, string | undefined>>): ServiceConfig {
  const get = (name: SettingName): string => values[name] ?? SETTINGS.find((s) => s.env === name)!.default;
  const databaseUrl = get('DATABASE_URL');
  let database: DatabaseTarget;
  try {
    database = parseDatabaseUrl(databaseUrl);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const logLevel = get('LOG_LEVEL');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent, got "${logLevel}"`,
    );
  }
  const jwksUrl = get('AUTH_JWKS_URL') || undefined;
  if (jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new ConfigError(`AUTH_JWKS_URL must be an absolute http(s) URL, got "${jwksUrl}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new ConfigError(`AUTH_JWKS_URL must use https, got "${jwksUrl}"`);
    if (!get('AUTH_ISSUER') || !get('AUTH_AUDIENCE')) {
      throw new ConfigError(
        'AUTH_ISSUER and AUTH_AUDIENCE are required with AUTH_JWKS_URL: tokens are pinned to both',
      );
    }
  }
  const metricsToken = get('METRICS_TOKEN');
  if (metricsToken !== '' && (metricsToken.length < 16 || /\s/.test(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters without spaces, or empty');
  }
  const host = get('HOST');
  if (host.trim() === '') throw new ConfigError('HOST must not be empty');
  const port = integer('PORT', get('PORT'), 0, 65535);
  const publicUrl = publicUrlOf(get('PUBLIC_URL'), port);
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', get('REQUEST_TIMEOUT_MS'), 1, 3_600_000);
  const headersTimeoutMs = integer('HEADERS_TIMEOUT_MS', get('HEADERS_TIMEOUT_MS'), 1, 3_600_000);
  // Node refuses a headers timeout longer than the request timeout (the headers are part of it).
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  const maxConnections = integer('MAX_CONNECTIONS', get('MAX_CONNECTIONS'), 1, 1_000_000);
  const eventStream = eventStreamOf(get, (name) => values[name] !== undefined, maxConnections);
  return {
    database,
    databaseUrl,
    port,
    host,
    logLevel,
    auth: {
      jwksUrl,
      issuer: get('AUTH_ISSUER') || EMBEDDED_ISSUER,
      audience: get('AUTH_AUDIENCE') || EMBEDDED_AUDIENCE,
      algorithms: algorithmsOf(get('AUTH_ALGORITHMS')),
      clockToleranceSeconds: integer(
        'AUTH_CLOCK_TOLERANCE_SECONDS',
        get('AUTH_CLOCK_TOLERANCE_SECONDS'),
        0,
        3600,
      ),
      scopePrefix: get('AUTH_SCOPE_PREFIX'),
      userClaim: get('AUTH_USER_CLAIM') || 'sub',
    },
    pool: {
      poolMax: integer('DATABASE_POOL_MAX', get('DATABASE_POOL_MAX'), 1, 1000),
      statementTimeoutMs: integer(
        'DATABASE_STATEMENT_TIMEOUT_MS',
        get('DATABASE_STATEMENT_TIMEOUT_MS'),
        1,
        3_600_000,
      ),
      connectionTimeoutMs: DEFAULT_POOL.connectionTimeoutMs,
    },
    transactions: {
      isolation: isolationOf(get('DATABASE_ISOLATION')),
      retries: DEFAULT_TRANSACTIONS.retries,
    },
    userFactsTtlMs: integer('USER_FACTS_TTL_MS', get('USER_FACTS_TTL_MS'), 0, 3_600_000),
    turnMs: integer('EVENT_LOOP_TURN_MS', get('EVENT_LOOP_TURN_MS'), 1, 10_000),
    overload: overloadControlOf(get('OVERLOAD_CONTROL')),
    turnQueueMax: integer('TURN_QUEUE_MAX', get('TURN_QUEUE_MAX'), 0, 1_000_000),
    turnWaitMaxMs: integer('TURN_WAIT_MAX_MS', get('TURN_WAIT_MAX_MS'), 0, 600_000),
    underPressure: {
      maxEventLoopDelayMs: integer(
        'UNDER_PRESSURE_MAX_DELAY_MS',
        get('UNDER_PRESSURE_MAX_DELAY_MS'),
        0,
        60_000,
      ),
      maxEventLoopUtilization:
        integer('UNDER_PRESSURE_MAX_ELU_PERCENT', get('UNDER_PRESSURE_MAX_ELU_PERCENT'), 0, 100) / 100,
    },
    rateLimit: {
      max: integer('RATE_LIMIT_MAX', get('RATE_LIMIT_MAX'), 0, 1_000_000),
      windowMs: integer('RATE_LIMIT_WINDOW_MS', get('RATE_LIMIT_WINDOW_MS'), 1, 86_400_000),
    },
    shutdownGraceMs: integer('SHUTDOWN_GRACE_MS', get('SHUTDOWN_GRACE_MS'), 0, 600_000),
    connectionLimits: {
      requestTimeoutMs,
      headersTimeoutMs,
      keepAliveTimeoutMs: integer('KEEP_ALIVE_TIMEOUT_MS', get('KEEP_ALIVE_TIMEOUT_MS'), 1, 3_600_000),
      maxConnections,
    },
    metricsToken,
    webhooks: webhookSettingsOf(get),
    eventStream,
    publicUrl,
  };
}

function eventStreamOf(
  get: (name: SettingName) => string,
  given: (name: SettingName) => boolean,
  maxConnections: number,
): EventStreamSettings {
  // Left unset, the stream limits shrink to fit a smaller MAX_CONNECTIONS instead of refusing to start;
  // only limits someone chose are checked against it.
  const fit = (name: SettingName, value: number, limit: number) =>
    given(name) ? value : Math.min(value, limit);
  const maxClients = fit(
    'STREAM_MAX_CLIENTS',
    integer('STREAM_MAX_CLIENTS', get('STREAM_MAX_CLIENTS'), 1, 1_000_000),
    maxConnections,
  );
  const maxPerUser = fit(
    'STREAM_MAX_PER_USER',
    integer('STREAM_MAX_PER_USER', get('STREAM_MAX_PER_USER'), 1, 1000),
    maxClients,
  );
  // Each stream holds a connection: more streams than connections could never all be open, and the
  // other requests need connections too.
  if (maxClients > maxConnections) {
    throw new ConfigError(
      `STREAM_MAX_CLIENTS (${maxClients}) must not exceed MAX_CONNECTIONS (${maxConnections})`,
    );
  }
  if (maxPerUser > maxClients) {
    throw new ConfigError(
      `STREAM_MAX_PER_USER (${maxPerUser}) must not exceed STREAM_MAX_CLIENTS (${maxClients})`,
    );
  }
  return {
    heartbeatMs: integer('STREAM_HEARTBEAT_MS', get('STREAM_HEARTBEAT_MS'), 100, 600_000),
    resumeWindowMs: integer('STREAM_RESUME_WINDOW_MS', get('STREAM_RESUME_WINDOW_MS'), 0, 7 * 86_400_000),
    bufferBytes: integer('STREAM_BUFFER_BYTES', get('STREAM_BUFFER_BYTES'), 16 * 1024, 1024 * 1024 * 1024),
    maxPerUser,
    maxClients,
    pollMs: integer('STREAM_POLL_MS', get('STREAM_POLL_MS'), 10, 600_000),
    batchMs: integer('STREAM_BATCH_MS', get('STREAM_BATCH_MS'), 0, 10_000),
  };
}

/**
 * An origin only (scheme, host, port): the sign-in's issuer, redirect URIs and cookies hang below it,
 * so a path, query or fragment here would be a mistake. https is required except on loopback.
 */
function publicUrlOf(value: string, port: number): string {
  if (value === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `PUBLIC_URL must be an absolute URL such as https://casemgr.example.com, got "${value}"`,
    );
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new ConfigError(`PUBLIC_URL must use https (http only on localhost), got "${value}"`);
  if (
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    value.endsWith('/')
  )
    throw new ConfigError(`PUBLIC_URL must be an origin without a path or a trailing slash, got "${value}"`);
  return url.origin;
}
