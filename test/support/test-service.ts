// A real casemgr server for a test suite: a fresh database of the given dialect, an organisation
// imported through the same validation as `casemgr import`, Fastify listening on a loopback port,
// and real tokens signed by the embedded issuer.
import { request as httpRequest } from 'node:http';
import { freePort } from './free-port.js';
import type { Selectable } from 'kysely';
import { buildApp, type App, type AppOptions } from '../../src/app.js';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, type AuthConfig } from '../../src/auth/auth-config.js';
import { issueToken } from '../../src/auth/token-issuer.js';
import { importDocument, validateOrganisationText } from '../../src/cli/import-command.js';
import type { Clock } from '../../src/domain/pick-activities.js';
import type { OverloadControl, UnderPressureLimits } from '../../src/http/overload-control.js';
import type { RateLimitSettings } from '../../src/http/rate-limit.js';
import type { ActivityStoreSeams } from '../../src/store/activity-store.js';
import type { TurnTaking } from '../../src/http/turn-taking.js';
import type { Database } from '../../src/store/schema.js';
import {
  generateOrganisation,
  MINIMUM_SIZES,
  type OrganisationFile,
} from '../../src/org/organisation-generator.js';
import { openDatabase, type OpenDatabase } from '../../src/store/database.js';
import { KeyStore, type SigningKey } from '../../src/store/key-store.js';
import type { TransactionSettings } from '../../src/store/transaction.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './test-databases.js';

export const FIXTURE_NOW = new Date('2026-11-01T12:00:00.000Z');

/** The generator's well-known world (alice, bob, carol, dave, erin; activities 100001–100021). */
export function fixtureOrganisation(activities: number = MINIMUM_SIZES.activities): OrganisationFile {
  return generateOrganisation({ seed: 7, ...MINIMUM_SIZES, activities, now: FIXTURE_NOW });
}

export const EMBEDDED_AUTH: AuthConfig = {
  jwksUrl: undefined,
  issuer: EMBEDDED_ISSUER,
  audience: EMBEDDED_AUDIENCE,
  algorithms: ['EdDSA'],
  clockToleranceSeconds: 0,
  scopePrefix: '',
  userClaim: 'sub',
};

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string | undefined>;
  /** Sent as is; no Content-Type is added unless given in `headers`. */
  readonly body?: string | Buffer;
}

export interface TestService {
  readonly dialect: TestDialect;
  readonly baseUrl: string;
  readonly port: number;
  readonly database: OpenDatabase;
  /** The database's URL, as DATABASE_URL would give it to a `casemgr` command. */
  readonly databaseUrl: string;
  readonly app: App;
  token(login: string, options?: { scope?: string; expiresInSeconds?: number; issuedAtMs?: number }): string;
  request(request: RawRequest): Promise<HttpResponse>;
  /** PATCH /activity/pick with a JSON body and a token for `login`. */
  pick(
    login: string,
    activity: readonly { id: string | number; lastModified: string }[],
    options?: { query?: string; headers?: Record<string, string> },
  ): Promise<HttpResponse>;
  /** lastModified of activities as the API reports them (GET as alice's supervisor view is not enough: read the store). */
  lastModified(id: string): Promise<string>;
  /** The history rows of one activity, as stored. */
  history(id: string): Promise<Selectable<Database['activity_history']>[]>;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  readonly organisation?: OrganisationFile;
  readonly clock?: Clock;
  readonly auth?: AuthConfig;
  readonly transactions?: TransactionSettings;
  readonly userFactsTtlMs?: number;
  /** Turn taking the test controls (src/http/turn-taking.ts). */
  readonly turns?: TurnTaking;
  /** Fastify's logger (default: none); tests read the log lines it writes. */
  readonly logger?: AppOptions['logger'];
  /** Request timeouts, keep-alive and the connection cap (default: the service's defaults). */
  readonly connectionLimits?: AppOptions['connectionLimits'];
  /** OVERLOAD_CONTROL (default turns) and its under-pressure thresholds. */
  readonly overload?: OverloadControl;
  readonly underPressure?: UnderPressureLimits;
  /** A per-caller rate limit; none by default, so that suites may send as they please. */
  readonly rateLimit?: RateLimitSettings;
  /** Steps into the pick transaction (src/store/activity-store.ts). */
  readonly storeSeams?: ActivityStoreSeams;
  /** The webhook deliverer's settings; none runs unless a suite asks for one. */
  readonly webhooks?: AppOptions['webhooks'];
  /** The live stream's settings (default: the service's defaults). */
  readonly eventStream?: AppOptions['eventStream'];
  /**
   * Serve the console's sign-in (the embedded OpenID Provider): at this service's own origin, or at
   * the given one (another instance's, as behind a load balancer).
   */
  readonly signIn?: boolean | { readonly publicUrl: string };
  /** Where the built console is read from (default dist/console); served with the sign-in only. */
  readonly consoleDir?: string;
  /** Reuse an existing database (several instances on one PostgreSQL database). */
  readonly shared?: { readonly database: TestDatabase; readonly seeded: boolean };
}

export function rawRequest(baseUrl: string, req: RawRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.path, baseUrl);
    const headers = Object.fromEntries(
      Object.entries(req.headers ?? {}).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const outgoing = httpRequest(url, { method: req.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    outgoing.on('error', reject);
    if (req.body !== undefined) outgoing.write(req.body);
    outgoing.end();
  });
}

export async function startTestService(
  dialect: TestDialect,
  options: TestServiceOptions = {},
): Promise<TestService> {
  const testDatabase = options.shared?.database ?? (await createTestDatabase(dialect));
  const database = await openDatabase(testDatabase.target);
  if (!options.shared?.seeded) {
    const organisation = options.organisation ?? fixtureOrganisation();
    await importDocument(
      database,
      validateOrganisationText(JSON.stringify(organisation)),
      FIXTURE_NOW.getTime(),
    );
  }
  // The provider's issuer is the service's origin, so the port is chosen before the app is built.
  const chosenPort = options.signIn === true ? await freePort() : 0;
  const publicUrl =
    typeof options.signIn === 'object' ? options.signIn.publicUrl : `http://127.0.0.1:${chosenPort}`;
  const app = await buildApp({
    database,
    auth: options.auth ?? EMBEDDED_AUTH,
    ...(options.signIn
      ? { signIn: { publicUrl, ...(options.consoleDir ? { consoleDir: options.consoleDir } : {}) } }
      : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.transactions ? { transactions: options.transactions } : {}),
    ...(options.userFactsTtlMs !== undefined ? { userFactsTtlMs: options.userFactsTtlMs } : {}),
    ...(options.turns ? { turns: options.turns } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.connectionLimits ? { connectionLimits: options.connectionLimits } : {}),
    ...(options.overload ? { overload: options.overload } : {}),
    ...(options.underPressure ? { underPressure: options.underPressure } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.storeSeams ? { storeSeams: options.storeSeams } : {}),
    webhooks: options.webhooks ?? false,
    ...(options.eventStream ? { eventStream: options.eventStream } : {}),
  });
  await app.server.listen({ port: chosenPort, host: '127.0.0.1' });
  const address = app.server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const key: SigningKey = await new KeyStore(database.db).getOrCreate(Date.now());
  const users = new Map(
    (await database.db.selectFrom('users').select(['id', 'login_name']).execute()).map((u) => [
      u.login_name,
      u.id,
    ]),
  );

  const token: TestService['token'] = (login, tokenOptions = {}) =>
    issueToken(key, {
      userId: users.get(login) ?? login,
      loginName: login,
      scope: tokenOptions.scope ?? 'core.casemgr.manage',
      expiresInSeconds: tokenOptions.expiresInSeconds ?? 3600,
      ...(tokenOptions.issuedAtMs !== undefined ? { issuedAtMs: tokenOptions.issuedAtMs } : {}),
    });

  const service: TestService = {
    dialect,
    baseUrl,
    port,
    database,
    databaseUrl: testDatabase.url,
    app,
    token,
    request: (req) => rawRequest(baseUrl, req),
    pick: (login, activity, pickOptions = {}) =>
      rawRequest(baseUrl, {
        method: 'PATCH',
        path: `/core/casemgr/v3/activity/pick${pickOptions.query ?? ''}`,
        headers: {
          authorization: `Bearer ${token(login)}`,
          'content-type': 'application/json',
          ...pickOptions.headers,
        },
        body: JSON.stringify({ activity }),
      }),
    async lastModified(id) {
      const row = await database.db
        .selectFrom('activities')
        .select('last_modified_ms')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return new Date(Number(row.last_modified_ms)).toISOString();
    },
    history: (id) =>
      database.db
        .selectFrom('activity_history')
        .selectAll()
        .where('activity_id', '=', id)
        .orderBy('id')
        .execute(),
    async close() {
      await app.server.close();
      await database.close();
      if (!options.shared) await testDatabase.drop();
    },
  };
  return service;
}
