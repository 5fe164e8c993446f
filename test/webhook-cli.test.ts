// `casemgr webhook add|list|remove|redeliver` as a child process on a SQLite file: what it prints,
// its exit codes, and that a dead letter it redelivers is pending again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { SETTINGS } from '../src/config.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'casemgr-webhook-cli-'));
const DATABASE_URL = `sqlite:${join(dir, 'casemgr.db')}`;
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const setting of SETTINGS) delete env[setting.env];
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'webhook', ...args], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('casemgr webhook', () => {
  it('--help names every subcommand', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    for (const word of [
      'add URL',
      'list',
      'remove ID',
      'redeliver [ID]',
      '--events',
      'WEBHOOK_PRIVATE_ADDRESSES',
    ]) {
      assert.ok(help.stdout.includes(word), word);
    }
  });

  it('add prints the id and the secret once; list shows it without the secret; remove deletes it', async () => {
    const added = await run([
      'add',
      'https://crm.example.com/hook',
      '--events',
      'activity_transition,case_closed',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const [id, secretLine] = added.stdout.trim().split('\n');
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.match(secretLine, /^secret whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await run(['list']);
    assert.equal(
      listed.stdout,
      `${id}  active  activity_transition,case_closed  pending=0 dead=0  https://crm.example.com/hook\n`,
    );
    assert.ok(!listed.stdout.includes('whsec_'));

    // A dead letter (as the deliverer leaves one) is pending again after redeliver.
    const db = new SqliteDatabase(join(dir, 'casemgr.db'));
    db.prepare(
      `insert into webhook_deliveries (subscription_id, event_id, order_key, status, next_attempt_ms, created_ms, last_error, attempts) values (?, 1, 'a', 'dead', 0, 0, 'HTTP 500', 7)`,
    ).run(id);
    assert.match((await run(['list'])).stdout, /pending=0 dead=1/);
    const redelivered = await run(['redeliver', id]);
    assert.equal(redelivered.stdout, '1 dead letter queued for delivery again\n');
    const row = db.prepare('select status, attempts from webhook_deliveries').get() as {
      status: string;
      attempts: number;
    };
    assert.deepEqual({ ...row }, { status: 'pending', attempts: 0 });
    db.close();

    assert.equal((await run(['remove', id])).stdout, `removed ${id}\n`);
    assert.equal((await run(['list'])).stdout, 'no webhook subscriptions\n');
    const again = await run(['remove', id]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `casemgr: no webhook subscription "${id}"\n`);
  });

  it('bad usage is exit 2 with one line naming the problem', async () => {
    for (const [args, message] of [
      [['add', 'ftp://x.example'], 'casemgr: URL "ftp://x.example" must use http or https\n'],
      [['add', 'https://x.example', '--events', 'nope'], /--events must list distinct types/],
      [['add', 'https://x.example', '--secret', 'short'], /--secret must be whsec_/],
      [['list', '--events', 'case_closed'], 'casemgr: --events goes with webhook add only\n'],
      [['frobnicate'], /webhook takes add, list, remove or redeliver/],
    ] as const) {
      const result = await run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      if (typeof message === 'string') assert.equal(result.stderr, message);
      else assert.match(result.stderr, message);
    }
  });
});
