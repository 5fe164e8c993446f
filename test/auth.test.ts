// Tokens of an external OAuth2/OIDC issuer, verified through a real JWKS endpoint on loopback:
// algorithms, issuer and audience pinned; `none` and algorithm confusion refused; clock tolerance;
// the scope prefix; the user claim naming a login.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createSigner } from 'fast-jwt';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, type AuthConfig } from '../src/auth/auth-config.js';
import { DEFAULT_KEY_SET_TIMING, KeySetUnavailableError } from '../src/auth/jwks-key-set.js';
import { createTokenVerifier } from '../src/auth/token-verifier.js';
import { KeyStore, type SigningKey } from '../src/store/key-store.js';
import { startTestService, type TestService } from './support/test-service.js';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'casemgr-api';
const PREFIX = 'https://api.example.test/';

/** The external issuer's settings, with its key set at `jwksUrl`. */
function externalIssuer(jwksUrl: string): AuthConfig {
  return {
    jwksUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['RS256'],
    clockToleranceSeconds: 0,
    scopePrefix: PREFIX,
    userClaim: 'preferred_username',
  };
}
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = randomUUID();
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function sign(
  claims: Record<string, unknown>,
  options: {
    iss?: string | null;
    aud?: string | null;
    expiresInMs?: number;
    nowMs?: number;
    kid?: string;
  } = {},
): string {
  // null leaves the claim out of the token.
  const iss = options.iss === undefined ? ISSUER : (options.iss ?? undefined);
  const aud = options.aud === undefined ? AUDIENCE : (options.aud ?? undefined);
  return createSigner({
    algorithm: 'RS256',
    key: privatePem,
    kid: options.kid ?? KID,
    ...(iss !== undefined ? { iss } : {}),
    ...(aud !== undefined ? { aud } : {}),
    expiresIn: options.expiresInMs ?? 60_000,
    ...(options.nowMs !== undefined ? { clockTimestamp: options.nowMs } : {}),
  })(claims);
}

const userClaims = (scope = `${PREFIX}core.casemgr.read`) => ({ preferred_username: 'alice', scope });

function unsigned(claims: Record<string, unknown>): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iss: ISSUER, aud: AUDIENCE, exp: now + 60, ...claims })}.`;
}

describe('tokens of an external issuer (JWKS over HTTP)', () => {
  let jwks: Server;
  let service: TestService;
  let tolerant: TestService;
  let jwksHits = 0;

  before(async () => {
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
    jwks = createServer((request, response) => {
      jwksHits += 1;
      if (request.url !== '/keys.json') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const address = jwks.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const auth: AuthConfig = externalIssuer(`http://127.0.0.1:${port}/keys.json`);
    service = await startTestService('sqlite', { auth });
    tolerant = await startTestService('sqlite', { auth: { ...auth, clockToleranceSeconds: 30 } });
  });
  after(async () => {
    await service.close();
    await tolerant.close();
    jwks.close();
    jwks.closeAllConnections();
  });

  const read = (target: TestService, token: string) =>
    target.request({
      path: '/core/casemgr/v3/activity/100001',
      headers: { authorization: `Bearer ${token}` },
    });
  const pick = (target: TestService, token: string) =>
    target.request({
      method: 'PATCH',
      path: '/core/casemgr/v3/activity/pick',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ activity: [{ id: '100001', lastModified: '2026-01-01T00:00:00.000Z' }] }),
    });

  it('accepts a token of the issuer for its audience, naming the user by login', async () => {
    const response = await read(service, sign(userClaims()));
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json().activity[0].id, '100001');
  });

  it('fetches the JWKS once and verifies repeated tokens from its cache', async () => {
    const hits = jwksHits;
    const token = sign(userClaims());
    for (let i = 0; i < 5; i++) assert.equal((await read(service, token)).status, 200);
    assert.ok(jwksHits - hits <= 1, `JWKS fetched ${jwksHits - hits} times`);
  });

  for (const [name, token] of [
    ['another issuer', () => sign(userClaims(), { iss: 'https://evil.example.test/' })],
    ['another audience', () => sign(userClaims(), { aud: 'someone-else' })],
    ['a token without `iss`', () => sign(userClaims(), { iss: null })],
    ['a token without `aud`', () => sign(userClaims(), { aud: null })],
    ['an unknown key id', () => sign(userClaims(), { kid: 'no-such-key' })],
    ['an unsigned token (alg none)', () => unsigned(userClaims())],
    [
      'an HS256 token keyed with the public key (algorithm confusion)',
      () =>
        createSigner({
          algorithm: 'HS256',
          key: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          iss: ISSUER,
          aud: AUDIENCE,
          expiresIn: 60_000,
        })(userClaims()),
    ],
    [
      'a client-application token (no user claim)',
      () => sign({ scope: `${PREFIX}core.casemgr.read`, client_id: 'batch-job' }),
    ],
    ['a token naming no known user', () => sign({ ...userClaims(), preferred_username: 'mallory' })],
    ['an expired token', () => sign(userClaims(), { nowMs: Date.now() - 120_000, expiresInMs: 60_000 })],
  ] as const) {
    it(`refuses ${name} with 401-101`, async () => {
      // Reads admit client applications; a pick (user tokens only) refuses every one of these.
      const response = await pick(service, token());
      assert.equal(response.status, 401);
      assert.equal(response.json().code, '401-101');
    });
  }

  it('accepts a token expired less than AUTH_CLOCK_TOLERANCE_SECONDS ago, not one expired longer ago', async () => {
    const justExpired = sign(userClaims(), { nowMs: Date.now() - 70_000, expiresInMs: 60_000 });
    assert.equal((await read(service, justExpired)).status, 401);
    assert.equal((await read(tolerant, justExpired)).status, 200);
    const longExpired = sign(userClaims(), { nowMs: Date.now() - 120_000, expiresInMs: 60_000 });
    assert.equal((await read(tolerant, longExpired)).status, 401);
  });

  it('reads scopes only under AUTH_SCOPE_PREFIX (403-197 for a bare scope)', async () => {
    const response = await read(service, sign(userClaims('core.casemgr.read')));
    assert.equal(response.status, 403);
    assert.equal(response.json().code, '403-197');
  });
});

describe('tokens of the embedded issuer', () => {
  let service: TestService;
  let key: SigningKey;
  before(async () => {
    service = await startTestService('sqlite');
    key = await new KeyStore(service.database.db).getOrCreate(Date.now());
  });
  after(() => service.close());

  /** A token signed with the embedded key, with `iss`/`aud` as given (undefined leaves one out). */
  const embedded = (claims: { iss?: string; aud?: string }) =>
    createSigner({
      algorithm: 'EdDSA',
      key: key.privatePem,
      kid: key.kid,
      sub: '1001',
      expiresIn: 60_000,
      ...claims,
    })({ scope: 'core.casemgr.read' });
  const read = (token: string) =>
    service.request({
      path: '/core/casemgr/v3/activity/100001',
      headers: { authorization: `Bearer ${token}` },
    });

  it('accepts its own token, which names issuer and audience', async () => {
    const response = await read(embedded({ iss: EMBEDDED_ISSUER, aud: EMBEDDED_AUDIENCE }));
    assert.equal(response.status, 200, response.text);
  });

  for (const [name, claims] of [
    ['without `iss`', { aud: EMBEDDED_AUDIENCE }],
    ['without `aud`', { iss: EMBEDDED_ISSUER }],
  ] as const) {
    it(`refuses a token ${name} with 401-101`, async () => {
      const response = await read(embedded(claims));
      assert.equal(response.status, 401);
      assert.equal(response.json().code, '401-101');
    });
  }
});

/** A JWKS endpoint on loopback that counts its downloads and can be told to fail. */
interface JwksServer {
  readonly url: string;
  downloads: number;
  /** What the endpoint answers: the key set, or a 500. */
  mode: 'keys' | 'error';
  keys: object[];
  close(): Promise<void>;
}

async function startJwksServer(keys: object[]): Promise<JwksServer> {
  const server = createServer((_request, response) => {
    state.downloads += 1;
    if (state.mode === 'error') return void response.writeHead(500).end('down for maintenance');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const state: JwksServer = {
    url: `http://127.0.0.1:${port}/keys.json`,
    downloads: 0,
    mode: 'keys',
    keys,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The service keeps its connection alive; close would otherwise wait for it to time out.
        server.closeAllConnections();
      }),
  };
  return state;
}

describe('key-set downloads of an external issuer', () => {
  const jwkOf = (key: typeof publicKey, kid: string) => ({
    ...key.export({ format: 'jwk' }),
    kid,
    alg: 'RS256',
    use: 'sig',
  });
  /** The service's clock: tests move it past the refresh cool-down instead of waiting. */
  let now = Date.now();
  const clock = { nowMs: () => now };
  const started: TestService[] = [];
  const servers: JwksServer[] = [];
  after(async () => {
    for (const service of started) await service.close();
    for (const server of servers) await server.close();
  });

  async function setUp(keys: object[] = [jwkOf(publicKey, KID)]) {
    const jwks = await startJwksServer(keys);
    servers.push(jwks);
    const service = await startTestService('sqlite', {
      clock,
      auth: externalIssuer(jwks.url),
    });
    started.push(service);
    const read = (token: string) =>
      service.request({
        path: '/core/casemgr/v3/activity/100001',
        headers: { authorization: `Bearer ${token}` },
      });
    return { jwks, service, read };
  }

  it('30 tokens with fresh unknown key ids cost at most one download', async () => {
    const { jwks, read } = await setUp();
    assert.equal((await read(sign(userClaims()))).status, 200);
    const before = jwks.downloads;
    for (let i = 0; i < 30; i++) {
      const response = await read(sign(userClaims(), { kid: randomUUID() }));
      assert.equal(response.status, 401);
      assert.equal(response.json().code, '401-101');
    }
    assert.ok(jwks.downloads - before <= 1, `${jwks.downloads - before} downloads for 30 unknown key ids`);
  });

  it('checks the algorithm before any key lookup: alg none or HS256 with fresh key ids download nothing', async () => {
    const { jwks, read } = await setUp();
    for (let i = 0; i < 30; i++) {
      const kid = randomUUID();
      const none = unsigned(userClaims()).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid })).toString('base64url');
      const hs256 = createSigner({
        algorithm: 'HS256',
        key: 'a shared secret',
        kid,
        iss: ISSUER,
        aud: AUDIENCE,
      })(userClaims());
      for (const token of [`${header}.${none[1]}.`, hs256]) {
        const response = await read(token);
        assert.equal(response.status, 401);
        assert.equal(response.json().code, '401-101');
      }
    }
    assert.equal(jwks.downloads, 0);
  });

  it('after the cool-down an unknown key id refreshes the key set once: a rotated key is found', async () => {
    const { jwks, read } = await setUp();
    assert.equal((await read(sign(userClaims()))).status, 200);
    const downloads = jwks.downloads;
    const rotated = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rotatedKid = randomUUID();
    jwks.keys = [jwkOf(publicKey, KID), jwkOf(rotated.publicKey, rotatedKid)];
    const token = createSigner({
      algorithm: 'RS256',
      key: rotated.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      kid: rotatedKid,
      iss: ISSUER,
      aud: AUDIENCE,
      expiresIn: 60_000,
    })(userClaims());
    now += 5 * 60_000;
    assert.equal((await read(token)).status, 200);
    assert.equal((await read(token)).status, 200);
    assert.equal((await read(sign(userClaims()))).status, 200);
    assert.equal(jwks.downloads - downloads, 1);
  });

  it('answers 503-100 with Retry-After while the key set cannot be fetched, downloading once per cool-down', async () => {
    const { jwks, read } = await setUp();
    jwks.mode = 'error';
    for (let i = 0; i < 10; i++) {
      const response = await read(sign(userClaims()));
      assert.equal(response.status, 503, response.text);
      assert.equal(response.json().code, '503-100');
      assert.match(String(response.headers['retry-after']), /^[1-9]\d*$/);
    }
    assert.equal(jwks.downloads, 1);
    jwks.mode = 'keys';
    now += 5 * 60_000;
    assert.equal((await read(sign(userClaims()))).status, 200);
    assert.equal(jwks.downloads, 2);
  });

  it('answers 503-100 when nothing listens at the JWKS URL', async () => {
    const { jwks, read } = await setUp();
    await jwks.close();
    servers.splice(servers.indexOf(jwks), 1);
    const response = await read(sign(userClaims()));
    assert.equal(response.status, 503, response.text);
    assert.equal(response.json().code, '503-100');
    assert.ok(response.headers['retry-after']);
  });
});

describe('why a token was refused, in the log', () => {
  let jwks: JwksServer;
  let service: TestService;
  const logLines: string[] = [];

  before(async () => {
    jwks = await startJwksServer([
      { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' },
    ]);
    // pino writes one JSON line per call to the destination stream.
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    service = await startTestService('sqlite', {
      logger: { level: 'info', stream: destination },
      auth: externalIssuer(jwks.url),
    });
  });
  after(async () => {
    await service.close();
    await jwks.close();
  });

  const tamper = (token: string) => {
    const [header, payload, signature] = token.split('.');
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] = bytes[0] ^ 0xff;
    return `${header}.${payload}.${bytes.toString('base64url')}`;
  };

  for (const [reason, authorization, claim] of [
    ['missing-token', () => undefined],
    [
      'malformed',
      () => 'Bearer Im5vdCBhbiBvYmplY3QgaGVhZGVyIg.eyJzdWIiOiJhbGljZS10aGUtYWdlbnQifQ.c2lnbmF0dXJlLWJ5dGVz',
    ],
    ['malformed', () => 'Basic YWxpY2U6c2VjcmV0'],
    ['algorithm-not-allowed', () => `Bearer ${unsigned(userClaims())}`],
    ['unknown-key', () => `Bearer ${sign(userClaims(), { kid: 'no-such-key' })}`],
    ['bad-signature', () => `Bearer ${tamper(sign(userClaims()))}`],
    ['expired', () => `Bearer ${sign(userClaims(), { nowMs: Date.now() - 120_000, expiresInMs: 60_000 })}`],
    ['wrong-issuer', () => `Bearer ${sign(userClaims(), { iss: 'https://evil.example.test/' })}`],
    ['wrong-audience', () => `Bearer ${sign(userClaims(), { aud: 'someone-else' })}`],
    ['missing-claim', () => `Bearer ${sign(userClaims(), { aud: null })}`, 'aud'],
    ['missing-claim', () => `Bearer ${sign(userClaims(), { iss: null })}`, 'iss'],
    ['no-user-claim', () => `Bearer ${sign({ scope: `${PREFIX}core.casemgr.read` })}`],
    ['unknown-user', () => `Bearer ${sign({ ...userClaims(), preferred_username: 'mallory' })}`],
  ] as const) {
    it(`logs reason "${reason}"${claim ? ` (${claim})` : ''} at info level, without the token`, async () => {
      const header = authorization();
      // The pick route refuses client applications (GET by ids admits them).
      const response = await service.request({
        method: 'PATCH',
        path: '/core/casemgr/v3/activity/pick',
        headers: { authorization: header, 'content-type': 'application/json' },
        body: '{"activity":[{"id":"100001","lastModified":"2026-01-01T00:00:00.000Z"}]}',
      });
      assert.equal(response.status, 401);
      const requestId = String(response.headers['x-request-id']);
      const lines = logLines.filter((line) => line.includes(requestId));
      const refusals = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.reason !== undefined);
      assert.equal(refusals.length, 1, lines.join('\n'));
      assert.equal(refusals[0].reason, reason);
      assert.equal(refusals[0].level, 30, 'info level');
      if (claim) assert.equal(refusals[0].claim, claim);
      if (header) {
        const credentials = header.slice(header.indexOf(' ') + 1);
        // Every part of the credentials long enough to mean something: a 3-character part such as
        // `e30` (base64 of `{}`) turns up by chance in request ids and timings.
        for (const part of credentials.split('.').filter((p) => p.length >= 8)) {
          assert.ok(!logLines.join('\n').includes(part), 'the log holds part of the token');
        }
      }
    });
  }
});

describe('a key set that does not arrive in time', () => {
  it('is unavailable (→ 503-100), not a bad token: the verifier times out on a silent JWKS server', async () => {
    let requests = 0;
    // Accepts the request and never answers.
    const silent = createServer(() => void (requests += 1));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const verify = createTokenVerifier(externalIssuer(`http://127.0.0.1:${port}/keys.json`), undefined, {
        keySetTiming: { ...DEFAULT_KEY_SET_TIMING, timeoutMs: 200 },
      });
      await assert.rejects(verify(sign(userClaims())), (error: unknown) => {
        assert.ok(error instanceof KeySetUnavailableError, String(error));
        assert.ok(error.retryAfterSeconds >= 1);
        return true;
      });
      assert.equal(requests, 1);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
