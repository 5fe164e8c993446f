// A test run that leaves PostgreSQL out says so in its output, with the reason; with CI=true an
// unreachable PostgreSQL fails the run instead. The real test runner runs a real suite file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { LEFT_OUT, dialectsUnderTest } from './support/test-databases.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Nothing listens on port 1: connecting is refused at once.
const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/test';

function runSuite(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const clean = { ...process.env };
  for (const name of ['TEST_DIALECTS', 'TEST_PG_URL', 'CI', 'NODE_TEST_CONTEXT', 'NODE_OPTIONS'])
    delete clean[name];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/pick-smoke.test.ts'],
    { cwd: ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

describe('a run without PostgreSQL says so', { concurrency: 3 }, () => {
  it('when TEST_DIALECTS leaves it out', async () => {
    const { code, output } = await runSuite({ TEST_DIALECTS: 'sqlite' });
    assert.equal(code, 0, output);
    assert.match(output, /PostgreSQL left out of this run: TEST_DIALECTS=sqlite does not select it/);
  });

  it('when it is unreachable, naming where it was looked for and why it failed', async () => {
    const { code, output } = await runSuite({ TEST_PG_URL: UNREACHABLE });
    assert.equal(code, 0, output);
    assert.match(
      output,
      /PostgreSQL left out of this run: PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test is unreachable \(.*ECONNREFUSED/,
    );
  });

  it('and with CI=true an unreachable PostgreSQL fails the run', async () => {
    const { code, output } = await runSuite({ TEST_PG_URL: UNREACHABLE, CI: 'true' });
    assert.notEqual(code, 0, output);
    assert.match(output, /CI=true requires them/);
  });

  it('a run that includes PostgreSQL says nothing of the kind', async (t) => {
    const { dialects } = await dialectsUnderTest();
    if (!dialects.includes('postgres')) return t.diagnostic('PostgreSQL is not part of this run');
    const { code, output } = await runSuite({});
    assert.equal(code, 0, output);
    assert.equal(output.includes(LEFT_OUT), false, output);
  });
});
