// The real `casemgr` command as a child process: help, exit codes and one-line config errors, import
// (valid, invalid, twice), token, serve (health, a token it accepts, SIGTERM), and serve --demo.
// The sources run through tsx (dist/ may be stale while src/ changes); one test runs bin/casemgr.js.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { SETTINGS } from '../src/config.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { fixtureOrganisation } from './support/test-service.js';
import { freePort } from './support/free-port.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
const ACTIVITY_PATH = '/core/casemgr/v3/activity';
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'casemgr-cli-'));
  tempDirs.push(dir);
  return dir;
}

/** The environment without any casemgr setting of the developer's shell, plus `extra`. */
function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const setting of SETTINGS) delete env[setting.env];
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  delete env.NODE_COMPILE_CACHE;
  return { ...env, ...extra };
}

function launch(
  args: readonly string[],
  env: Record<string, string>,
  script = CLI,
  cwd = ROOT,
): ChildProcess {
  const child = spawn(process.execPath, [...script, ...args], {
    cwd,
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return { stdout: () => stdout, stderr: () => stderr };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

/** Runs a command to its end (killed after `timeoutMs`). */
async function run(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { timeoutMs?: number; script?: readonly string[]; cwd?: string } = {},
): Promise<Finished> {
  const child = launch(args, env, options.script ? [...options.script] : CLI, options.cwd);
  const output = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const { code, signal } = await exited(child);
  clearTimeout(timer);
  return { code, signal, stdout: output.stdout(), stderr: output.stderr() };
}

function describeRun(result: Finished): string {
  return `exit ${result.code} ${result.signal ?? ''}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

interface Served {
  readonly baseUrl: string;
  output(): string;
  /** SIGTERM, then the exit code and how long the process took to go. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

async function serve(databaseUrl: string, args: readonly string[] = []): Promise<Served> {
  const port = await freePort();
  const child = launch(['serve', ...args], {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    SHUTDOWN_GRACE_MS: '5000',
  });
  const output = collect(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const text = () => `stdout: ${output.stdout()}\nstderr: ${output.stderr()}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`serve exited with ${child.exitCode ?? child.signalCode}\n${text()}`);
    try {
      const response = await fetch(`${baseUrl}/health/live`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not answer /health/live within 30 s\n${text()}`);
    }
    await sleep(100);
  }
  return {
    baseUrl,
    output: text,
    async stop() {
      const started = Date.now();
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await done;
      clearTimeout(timer);
      return { ...result, ms: Date.now() - started };
    },
  };
}

async function token(databaseUrl: string, login: string, extra: readonly string[] = []): Promise<string> {
  const result = await run(['token', login, ...extra], { DATABASE_URL: databaseUrl });
  assert.equal(result.code, 0, describeRun(result));
  return result.stdout.trim();
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function getActivity(baseUrl: string, id: string, bearer: string): Promise<Response> {
  return fetch(`${baseUrl}${ACTIVITY_PATH}/${id}`, {
    headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
  });
}

/** An organisation file in its own temp dir, and a SQLite URL beside it. */
function workspace(document: unknown = fixtureOrganisation()): { file: string; dbPath: string; url: string } {
  const dir = tempDir();
  const file = join(dir, 'organisation.json');
  writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
  const dbPath = join(dir, 'casemgr.db');
  return { file, dbPath, url: `sqlite:${dbPath}` };
}

function sqliteCount(path: string, table: string): number {
  const database = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  } finally {
    database.close();
  }
}

const COUNTS_LINE = 'imported 3 departments, 5 users, 2 queues, 21 activities, 4 customers, 16 cases';

describe('casemgr --help', { concurrency: 2 }, () => {
  for (const command of ['serve', 'import', 'token', 'migrate']) {
    it(`${command} --help exits 0 with its usage and the settings`, async () => {
      const result = await run([command, '--help']);
      assert.equal(result.code, 0, describeRun(result));
      assert.match(result.stdout, new RegExp(`^Usage: casemgr ${command}`));
      for (const setting of ['DATABASE_URL', 'PORT', 'HOST', '--database-url'])
        assert.ok(result.stdout.includes(setting), `${command} --help does not mention ${setting}`);
      assert.equal(result.stderr, '');
    });
  }

  it('the top level --help exits 0 and lists the commands', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stdout, /^Usage: casemgr <command>/);
    for (const command of ['serve', 'import FILE', 'token LOGIN', 'migrate'])
      assert.ok(result.stdout.includes(command), command);
    assert.equal(result.stderr, '');
  });

  it('the top level --help mentions the settings', async () => {
    const result = await run(['--help']);
    assert.equal(result.code, 0);
    for (const setting of ['DATABASE_URL', 'PORT', 'HOST'])
      assert.ok(result.stdout.includes(setting), setting);
  });

  it('bin/casemgr.js --help works', async () => {
    const result = await run(['--help'], {}, { script: ['bin/casemgr.js'] });
    assert.equal(result.code, 0, describeRun(result));
    assert.match(result.stdout, /^Usage: casemgr <command>/);
    const serveHelp = await run(['serve', '--help'], {}, { script: ['bin/casemgr.js'] });
    assert.equal(serveHelp.code, 0, describeRun(serveHelp));
    assert.match(serveHelp.stdout, /DATABASE_URL/);
  });
});

describe("bin/casemgr.js uses Node's compile cache", () => {
  it('stores compiled code in a cache folder, so later runs skip compiling', async () => {
    // module.enableCompileCache() with no folder uses <temp>/node-compile-cache; without the call
    // (and without NODE_COMPILE_CACHE, which the environment here leaves out) nothing is written.
    const temp = tempDir();
    const env = { TMPDIR: temp, TEMP: temp, TMP: temp };
    const result = await run(['--help'], env, { script: ['bin/casemgr.js'] });
    assert.equal(result.code, 0, describeRun(result));
    const cache = join(temp, 'node-compile-cache');
    assert.ok(
      existsSync(cache) && readdirSync(cache, { recursive: true }).length > 0,
      'no compile cache was written',
    );
  });
});

/** The packages (node_modules/<name>) a CLI run loaded, through test/support/record-loads.mjs. */
async function packagesLoaded(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Set<string>> {
  const file = join(tempDir(), 'loaded.txt');
  const result = await run(
    args,
    { ...env, CASEMGR_RECORD_LOADS: file },
    {
      script: ['--import', './test/support/record-loads.mjs', ...CLI],
    },
  );
  assert.ok(result.code === 0 || result.code === 1, describeRun(result));
  const urls = readFileSync(file, 'utf8').split('\n');
  return new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1] ?? []));
}

// Start-up time is most of a short command's run: each command loads only its own code. Measured
// by which packages were loaded, never by a clock (README: Command line; timings in docs/decisions.md).
describe('a command loads only what it needs', { concurrency: 2 }, () => {
  it('--help loads no database driver, no Kysely and no HTTP server', async () => {
    const loaded = await packagesLoaded(['--help']);
    for (const name of [
      'fastify',
      'kysely',
      'better-sqlite3',
      'pg',
      'prom-client',
      'fast-jwt',
      '@fastify/rate-limit',
      '@fastify/under-pressure',
    ])
      assert.equal(loaded.has(name), false, `--help loaded ${name}`);
  });

  it('token on SQLite loads neither the HTTP server nor the PostgreSQL driver', async () => {
    const { file, url } = workspace();
    assert.equal((await run(['import', file], { DATABASE_URL: url })).code, 0);
    const loaded = await packagesLoaded(['token', 'alice'], { DATABASE_URL: url });
    assert.ok(loaded.has('better-sqlite3') && loaded.has('fast-jwt'), [...loaded].join(' '));
    for (const name of ['fastify', 'pg', 'prom-client', 'intl-messageformat', 'fast-xml-parser'])
      assert.equal(loaded.has(name), false, `token loaded ${name}`);
  });
});

describe('bad usage and bad configuration exit 2 with one line naming the problem', () => {
  const dir = tempDir();
  const url = `sqlite:${join(dir, 'casemgr.db')}`;
  const cases: { name: string; args: string[]; env?: Record<string, string>; names: RegExp }[] = [
    { name: 'an unknown command', args: ['frobnicate'], names: /frobnicate/ },
    { name: 'an unknown flag on serve', args: ['serve', '--bogus'], names: /--bogus/ },
    { name: 'an unknown flag on token', args: ['token', 'alice', '--bogus'], names: /--bogus/ },
    {
      name: 'a misspelt flag, with the closest one suggested',
      args: ['serve', '--databse-url', 'sqlite:x.db'],
      names: /unknown flag --databse-url \(did you mean --database-url\?\)/,
    },
    {
      name: "a command's own flag misspelt",
      args: ['token', 'alice', '--expries-in', '60'],
      names: /--expries-in \(did you mean --expires-in\?\)/,
    },
    { name: 'import without FILE', args: ['import'], names: /FILE/ },
    { name: 'token without LOGIN', args: ['token'], names: /LOGIN/ },
    { name: 'a bad --expires-in', args: ['token', 'alice', '--expires-in', 'soon'], names: /--expires-in/ },
    { name: 'PORT=abc on serve', args: ['serve'], env: { PORT: 'abc' }, names: /\bPORT\b.*"abc"/ },
    { name: '--port abc on serve', args: ['serve', '--port', 'abc'], names: /\bPORT\b.*"abc"/ },
    { name: 'PORT=70000 on serve', args: ['serve'], env: { PORT: '70000' }, names: /\bPORT\b/ },
    {
      name: 'DATABASE_URL=mysql://x on migrate',
      args: ['migrate'],
      env: { DATABASE_URL: 'mysql://x' },
      names: /DATABASE_URL/,
    },
    {
      name: 'DATABASE_URL=mysql://x on import',
      args: ['import', 'missing.json'],
      env: { DATABASE_URL: 'mysql://x' },
      names: /DATABASE_URL/,
    },
    {
      name: 'DATABASE_URL=mysql://x on token',
      args: ['token', 'alice'],
      env: { DATABASE_URL: 'mysql://x' },
      names: /DATABASE_URL/,
    },
    {
      name: 'AUTH_ALGORITHMS=none on serve',
      args: ['serve'],
      env: { AUTH_ALGORITHMS: 'none' },
      names: /AUTH_ALGORITHMS/,
    },
    { name: 'LOG_LEVEL=loud on serve', args: ['serve'], env: { LOG_LEVEL: 'loud' }, names: /LOG_LEVEL/ },
    {
      name: 'EVENT_LOOP_TURN_MS=0 on serve',
      args: ['serve'],
      env: { EVENT_LOOP_TURN_MS: '0' },
      names: /EVENT_LOOP_TURN_MS/,
    },
    {
      name: 'OVERLOAD_CONTROL=fast on serve',
      args: ['serve'],
      env: { OVERLOAD_CONTROL: 'fast' },
      names: /OVERLOAD_CONTROL/,
    },
    {
      name: 'RATE_LIMIT_WINDOW_MS=0 on serve',
      args: ['serve'],
      env: { RATE_LIMIT_WINDOW_MS: '0' },
      names: /RATE_LIMIT_WINDOW_MS/,
    },
  ];
  describe('each', { concurrency: 2 }, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const result = await run(c.args, { DATABASE_URL: url, ...c.env });
        assert.equal(result.code, 2, describeRun(result));
        const lines = result.stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, `expected one line:\n${result.stderr}`);
        assert.match(lines[0], c.names);
        assert.doesNotMatch(lines[0], /\bat .*:\d+:\d+/); // no stack
        assert.equal(result.stdout, '');
      });
    }

    it('a bad DATABASE_URL is named without its password', async () => {
      const result = await run(['migrate'], { DATABASE_URL: 'mysql://admin:hunter2@db.example/casemgr' });
      assert.equal(result.code, 2, describeRun(result));
      assert.equal(result.stderr.trimEnd().split('\n').length, 1);
      assert.match(result.stderr, /DATABASE_URL/);
      assert.doesNotMatch(result.stderr, /hunter2/);
    });

    it('no command at all is bad usage too', async () => {
      const result = await run([], { DATABASE_URL: url });
      assert.equal(result.code, 2, describeRun(result));
      assert.match(result.stdout, /Usage: casemgr/);
    });
  });

  it('none of these created the database', () => {
    assert.equal(existsSync(join(dir, 'casemgr.db')), false);
  });
});

describe('casemgr import', () => {
  it('imports a valid file, prints the counts and exits 0, twice', async () => {
    const { file, dbPath, url } = workspace();
    for (let i = 0; i < 2; i++) {
      const result = await run(['import', file], { DATABASE_URL: url });
      assert.equal(result.code, 0, describeRun(result));
      assert.equal(result.stdout, `${COUNTS_LINE}\n`);
      assert.equal(result.stderr, '');
    }
    assert.equal(sqliteCount(dbPath, 'users'), 5);
    assert.equal(sqliteCount(dbPath, 'activities'), 21);
  });

  it('--database-url beats DATABASE_URL', async () => {
    const { file, dbPath, url } = workspace();
    const elsewhere = join(tempDir(), 'unused.db');
    const result = await run(['import', file, '--database-url', url], {
      DATABASE_URL: `sqlite:${elsewhere}`,
    });
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(sqliteCount(dbPath, 'users'), 5);
    assert.equal(existsSync(elsewhere), false);
  });

  it('rejects a file with errors: exit 1, every problem with its JSON path, no database written', async () => {
    const document = fixtureOrganisation();
    document.users[0].homeDepartment = '77';
    document.queues[1].department = '88';
    document.activities[2].assignedTo = '4242';
    const { file, dbPath, url } = workspace(document);
    const result = await run(['import', file], { DATABASE_URL: url });
    assert.equal(result.code, 1, describeRun(result));
    assert.equal(result.stdout, '');
    for (const line of [
      'users[0].homeDepartment: no department "77"',
      'queues[1].department: no department "88"',
      'activities[2].assignedTo: no user "4242"',
    ]) {
      assert.ok(result.stderr.split('\n').includes(line), `missing "${line}" in:\n${result.stderr}`);
    }
    // Validated before the database is opened: not even the file (let alone tables) is created.
    assert.equal(existsSync(dbPath), false);
  });

  it('rejects a file with schema errors and leaves an existing database as it was', async () => {
    const { dbPath, url } = workspace();
    const migrated = await run(['migrate'], { DATABASE_URL: url });
    assert.equal(migrated.code, 0, describeRun(migrated));
    const document = fixtureOrganisation() as unknown as { users: Record<string, unknown>[] };
    document.users[1].color = 'blue';
    document.users[2].id = 'x7';
    const { file } = workspace(document);
    const result = await run(['import', file], { DATABASE_URL: url });
    assert.equal(result.code, 1, describeRun(result));
    assert.match(result.stderr, /^users\[1\]/m);
    assert.match(result.stderr, /^users\[2\]\.id: /m);
    assert.equal(sqliteCount(dbPath, 'users'), 0);
    assert.equal(sqliteCount(dbPath, 'activities'), 0);
  });

  it('rejects a file that is not JSON, and a file that does not exist, with exit 1', async () => {
    const { file, dbPath, url } = workspace('{"departments": [');
    const notJson = await run(['import', file], { DATABASE_URL: url });
    assert.equal(notJson.code, 1, describeRun(notJson));
    assert.match(notJson.stderr, /not JSON/);
    const missing = await run(['import', join(tempDir(), 'nope.json')], { DATABASE_URL: url });
    assert.equal(missing.code, 1, describeRun(missing));
    assert.match(missing.stderr, /nope\.json/);
    assert.equal(existsSync(dbPath), false);
  });
});

describe('casemgr migrate', () => {
  it('names the migrations it applied to an empty database, then says there was none to apply', async () => {
    const { dbPath, url } = workspace();
    const first = await run(['migrate'], { DATABASE_URL: url });
    assert.equal(first.code, 0, describeRun(first));
    assert.equal(
      first.stdout,
      'applied 8 migrations: 0001-initial, 0002-lifecycle-organisation, 0003-search-indexes, 0004-task-subtype-index, 0005-search-index-order, 0006-last-department, 0007-outbox, 0013-oidc-records\n',
    );
    assert.equal(sqliteCount(dbPath, 'users'), 0);
    const second = await run(['migrate'], { DATABASE_URL: url });
    assert.equal(second.code, 0, describeRun(second));
    assert.equal(second.stdout, 'database schema is up to date: no migration to apply\n');
  });
});

describe('a sqlite: path creates its file, not its missing folders', () => {
  it('a missing folder is bad configuration: exit 2, one line naming it and --create-folder, nothing created', async () => {
    const dir = tempDir();
    const missing = join(dir, 'typo', 'deeper');
    for (const args of [['migrate'], ['token', 'alice'], ['serve']]) {
      const result = await run(args, { DATABASE_URL: `sqlite:${join(missing, 'casemgr.db')}` });
      assert.equal(result.code, 2, describeRun(result));
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.ok(lines[0].includes(missing), lines[0]);
      assert.match(lines[0], /--create-folder/);
    }
    assert.equal(existsSync(join(dir, 'typo')), false);
  });

  it('--create-folder creates them', async () => {
    const dir = tempDir();
    const path = join(dir, 'new', 'deeper', 'casemgr.db');
    const result = await run(['migrate', '--create-folder'], { DATABASE_URL: `sqlite:${path}` });
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(sqliteCount(path, 'users'), 0);
  });

  it('the default ./data folder is created unasked', async () => {
    const cwd = tempDir();
    const result = await run(['migrate'], {}, { script: [join(ROOT, 'bin/casemgr.js')], cwd });
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(sqliteCount(join(cwd, 'data', 'casemgr.db'), 'users'), 0);
  });
});

describe('casemgr token', () => {
  const { file, url } = workspace();
  before(async () => {
    const result = await run(['import', file], { DATABASE_URL: url });
    assert.equal(result.code, 0, describeRun(result));
  });

  it('prints exactly one line: a JWT for the user, with the default scope and lifetime', async () => {
    const result = await run(['token', 'alice'], { DATABASE_URL: url });
    assert.equal(result.code, 0, describeRun(result));
    assert.equal(result.stderr, '');
    assert.ok(result.stdout.endsWith('\n'));
    const lines = result.stdout.slice(0, -1).split('\n');
    assert.equal(lines.length, 1, result.stdout);
    assert.match(lines[0], JWT);
    const [header, payload] = lines[0].split('.').slice(0, 2).map(decodePart);
    assert.equal(header.alg, 'EdDSA');
    assert.equal(typeof header.kid, 'string');
    assert.equal(payload.sub, '1001');
    assert.equal(payload.preferred_username, 'alice');
    assert.equal(payload.scope, 'core.casemgr.manage');
    assert.equal(Number(payload.exp) - Number(payload.iat), 3600);
    assert.ok(Math.abs(Number(payload.iat) - Date.now() / 1000) < 60);
  });

  it('reflects --scope and --expires-in in the payload, and signs every token with the same key', async () => {
    const first = await token(url, 'bob', ['--scope', 'core.casemgr.read', '--expires-in', '60']);
    const [header, payload] = first.split('.').slice(0, 2).map(decodePart);
    assert.equal(payload.scope, 'core.casemgr.read');
    assert.equal(Number(payload.exp) - Number(payload.iat), 60);
    assert.equal(payload.sub, '1002');
    const both = await token(url, 'bob', ['--scope', 'core.casemgr.read core.casemgr.manage']);
    assert.equal(decodePart(both.split('.')[1]).scope, 'core.casemgr.read core.casemgr.manage');
    assert.equal(decodePart(both.split('.')[0]).kid, header.kid);
  });

  it('finds the user by id too', async () => {
    const byId = await token(url, '1003');
    assert.equal(decodePart(byId.split('.')[1]).preferred_username, 'carol');
  });

  it('exits 1 for an unknown user and prints no token', async () => {
    const result = await run(['token', 'nobody'], { DATABASE_URL: url });
    assert.equal(result.code, 1, describeRun(result));
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /nobody/);
  });
});

describe('casemgr serve (sqlite)', () => {
  it('answers /health/live, accepts a printed token, and exits 0 on SIGTERM within seconds', async () => {
    const { file, url } = workspace();
    assert.equal((await run(['import', file], { DATABASE_URL: url })).code, 0);
    const served = await serve(url);
    // The token is made while serve runs: both use the key kept in the database.
    const bearer = await token(url, 'alice');
    const live = await fetch(`${served.baseUrl}/health/live`);
    assert.equal(live.status, 200);
    const read = await getActivity(served.baseUrl, '100001', bearer);
    assert.equal(read.status, 200, served.output());
    const body = (await read.json()) as { activity: { id: string }[] };
    assert.equal(body.activity[0].id, '100001');
    const unauthenticated = await fetch(`${served.baseUrl}${ACTIVITY_PATH}/100001`);
    assert.equal(unauthenticated.status, 401);
    const stopped = await served.stop();
    assert.equal(stopped.code, 0, `${JSON.stringify(stopped)}\n${served.output()}`);
    assert.ok(stopped.ms < 5000, `took ${stopped.ms} ms to stop`);
  });

  it('a PORT already in use is bad configuration: exit 2, one line naming PORT and --port', async () => {
    const { url } = workspace();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const result = await run(['serve'], { DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1' });
      assert.equal(result.code, 2, describeRun(result));
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0], new RegExp(`\\bPORT ${port}\\b.*in use.*--port`));
    } finally {
      blocker.close();
    }
  });

  it('plain serve never adds data (but migrates)', async () => {
    const { dbPath, url } = workspace();
    const served = await serve(url);
    const stopped = await served.stop();
    assert.equal(stopped.code, 0, served.output());
    assert.equal(sqliteCount(dbPath, 'users'), 0);
    assert.equal(sqliteCount(dbPath, 'activities'), 0);
    const result = await run(['token', 'alice'], { DATABASE_URL: url });
    assert.equal(result.code, 1, describeRun(result));
  });

  it('serve --demo seeds an empty database once, and never over data that changed', async () => {
    const { dbPath, url } = workspace();
    const first = await serve(url, ['--demo']);
    let activity: { lastModified: string; status: { value: string; assigned?: { user: { id: string } } } };
    try {
      const alice = await token(url, 'alice');
      const read = await getActivity(first.baseUrl, '100001', alice);
      assert.equal(read.status, 200, first.output());
      activity = ((await read.json()) as { activity: (typeof activity)[] }).activity[0];
      assert.equal(activity.status.value, 'awaiting_assignment');
      const bob = await token(url, 'bob');
      const picked = await fetch(`${first.baseUrl}${ACTIVITY_PATH}/pick`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' },
        body: JSON.stringify({ activity: [{ id: '100001', lastModified: activity.lastModified }] }),
      });
      assert.equal(picked.status, 204, `${await picked.text()}\n${first.output()}`);
    } finally {
      assert.equal((await first.stop()).code, 0, first.output());
    }
    const users = sqliteCount(dbPath, 'users');
    const activities = sqliteCount(dbPath, 'activities');
    assert.ok(users >= 5);

    const second = await serve(url, ['--demo']);
    try {
      const read = await getActivity(second.baseUrl, '100001', await token(url, 'alice'));
      assert.equal(read.status, 200, second.output());
      const now = ((await read.json()) as { activity: (typeof activity)[] }).activity[0];
      assert.equal(now.status.value, 'assigned');
      assert.equal(now.status.assigned?.user.id, '1002');
      assert.ok(Date.parse(now.lastModified) > Date.parse(activity.lastModified));
    } finally {
      assert.equal((await second.stop()).code, 0, second.output());
    }
    assert.equal(sqliteCount(dbPath, 'users'), users);
    assert.equal(sqliteCount(dbPath, 'activities'), activities);
    assert.equal(sqliteCount(dbPath, 'activity_history'), 1);
  });
});

describe(
  'casemgr on PostgreSQL',
  { skip: dialects.includes('postgres') ? false : (skipped ?? 'not selected') },
  () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase('postgres');
    });
    after(() => database?.drop());

    it('imports twice, issues a token, and serves it', async () => {
      const { file } = workspace();
      for (let i = 0; i < 2; i++) {
        const result = await run(['import', file], { DATABASE_URL: database.url });
        assert.equal(result.code, 0, describeRun(result));
        assert.equal(result.stdout, `${COUNTS_LINE}\n`);
      }
      const bearer = await token(database.url, 'alice');
      assert.match(bearer, JWT);
      const nobody = await run(['token', 'nobody'], { DATABASE_URL: database.url });
      assert.equal(nobody.code, 1, describeRun(nobody));
      const served = await serve(database.url);
      try {
        const read = await getActivity(served.baseUrl, '100001', bearer);
        assert.equal(read.status, 200, served.output());
      } finally {
        const stopped = await served.stop();
        assert.equal(stopped.code, 0, served.output());
        assert.ok(stopped.ms < 5000, `took ${stopped.ms} ms to stop`);
      }
    });
  },
);
