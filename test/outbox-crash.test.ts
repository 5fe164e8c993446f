// The outbox's promise under a crash: a real `casemgr serve` child process (the CLI) takes
// picks, pulls and transfers from concurrent clients and is SIGKILLed while requests are in flight.
// Afterwards, on the database as the dead process left it: every change that committed has exactly
// its event (one per history row, same activity and request id), no event exists for a change that
// did not commit, each activity's newest event matches its row, and every write a client saw
// succeed has its event.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueToken } from '../src/auth/token-issuer.js';
import { importDocument, validateOrganisationText } from '../src/cli/import-command.js';
import { SETTINGS } from '../src/config.js';
import { openDatabase } from '../src/store/database.js';
import { KeyStore } from '../src/store/key-store.js';
import { freePort } from './support/free-port.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { FIXTURE_NOW, fixtureOrganisation } from './support/test-service.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ACTIVITY_PATH = '/core/casemgr/v3/activity';
/** Service lives, each ended by SIGKILL: more kills, more chances to land between two statements. */
const ROUNDS = 4;
/** Writes answered with success before each kill: enough that many more are in flight. */
const SUCCESSES_PER_ROUND = 60;
const PICKERS = 8;
const PULLERS = 2;
const MAX_ATTEMPTS = 20_000;

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const setting of SETTINGS) delete env[setting.env];
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

async function serve(databaseUrl: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  // The CLI's sources through tsx, as test/cli.test.ts runs them: bin/casemgr.js would prefer a
  // dist/ built before the change under test.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: environment({ DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).status === 200) return { child, baseUrl };
    } catch {
      // not listening yet
    }
    if (attempt > 600) throw new Error(`serve did not become ready: ${stderr}`);
    await sleep(100);
  }
}

interface Success {
  readonly ids: readonly string[];
  readonly userId: string | null;
}

for (const dialect of dialects) {
  describe(`outbox under kill -9 (${dialect})`, () => {
    let database: TestDatabase;
    after(() => database?.drop());

    it('an event exists if and only if its change committed', { timeout: 180_000 }, async (t) => {
      database = await createTestDatabase(dialect);
      const seeding = await openDatabase(database.target);
      await importDocument(
        seeding,
        validateOrganisationText(JSON.stringify(fixtureOrganisation(300))),
        FIXTURE_NOW.getTime(),
      );
      const key = await new KeyStore(seeding.db).getOrCreate(Date.now());
      const seeded = new Map(
        (await seeding.db.selectFrom('activities').select(['id', 'last_modified_ms']).execute()).map(
          (row) => [row.id, Number(row.last_modified_ms)],
        ),
      );
      await seeding.close();
      const token = (userId: string, login: string) =>
        issueToken(key, { userId, loginName: login, scope: 'core.casemgr.manage', expiresInSeconds: 3600 });
      const alice = token('1001', 'alice');
      const bob = token('1002', 'bob');

      const successes: Success[] = [];
      const ids = [...seeded.keys()];
      const pick = (n: number) => ids[(n * 7919) % ids.length];
      let inFlightAtKills = 0;
      for (let round = 0; round < ROUNDS; round++) {
        inFlightAtKills += await loadAndKill(round, successes);
      }
      assert.ok(inFlightAtKills > 0, 'the kills found requests in flight');

      /** One service life: concurrent writes until enough were answered, then SIGKILL. */
      async function loadAndKill(round: number, successes: Success[]): Promise<number> {
        const { child, baseUrl } = await serve(database.url);
        const call = (method: string, path: string, bearer: string, body?: unknown) =>
          fetch(`${baseUrl}${ACTIVITY_PATH}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${bearer}`,
              accept: 'application/json',
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          });
        let killed = false;
        let inFlightAtKill = 0;
        let inFlight = 0;
        let answered = 0;
        let attempts = 0;
        const kill = () => {
          if (killed) return;
          killed = true;
          inFlightAtKill = inFlight;
          child.kill('SIGKILL');
        };
        const tracked = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
          // A bound, should the load ever stop succeeding: the kill then comes anyway (and the
          // committed-changes assertion below says so).
          if (++attempts >= MAX_ATTEMPTS) kill();
          inFlight++;
          try {
            return await work();
          } catch {
            return undefined; // the connection died with the process
          } finally {
            inFlight--;
          }
        };
        const succeeded = (success: Success) => {
          successes.push(success);
          if (++answered >= SUCCESSES_PER_ROUND) kill();
        };
        /** Sends activities back to queue 10, so that the load never runs out of work. */
        const sendBack = async (bearer: string, items: { id: string; lastModified: string }[]) => {
          const back = await tracked(() => call('PATCH', '/transfer/queue/10', bearer, { activity: items }));
          if (back?.status === 204) succeeded({ ids: items.map((a) => a.id), userId: null });
        };

        // Alice (a supervisor) picks activities from the queue and from colleagues, with unpin=yes.
        const picker = async (offset: number) => {
          for (let n = offset + round * 31; !killed; n += PICKERS) {
            const id = pick(n);
            const read = await tracked(() => call('GET', `/${id}`, alice));
            if (!read || read.status !== 200) continue;
            const [activity] = ((await read.json()) as { activity: { lastModified: string }[] }).activity;
            const picked = await tracked(() =>
              call('PATCH', '/pick?unpin=yes', alice, {
                activity: [{ id, lastModified: activity.lastModified }],
              }),
            );
            if (picked?.status !== 204) continue;
            succeeded({ ids: [id], userId: '1001' });
            const after = await tracked(() => call('GET', `/${id}`, alice));
            if (after?.status !== 200) continue;
            const [now] = ((await after.json()) as { activity: { lastModified: string }[] }).activity;
            await sendBack(alice, [{ id, lastModified: now.lastModified }]);
          }
        };
        // Bob pulls from queue 10 and sends what he pulled back to it.
        const puller = async () => {
          while (!killed) {
            const pulled = await tracked(() => call('PATCH', '/pull', bob));
            if (!pulled || pulled.status !== 200) continue;
            const items = ((await pulled.json()) as { activity: { id: string; lastModified: string }[] })
              .activity;
            succeeded({ ids: items.map((a) => a.id), userId: '1002' });
            await sendBack(
              bob,
              items.map((a) => ({ id: a.id, lastModified: a.lastModified })),
            );
          }
        };
        await Promise.all([
          ...Array.from({ length: PICKERS }, (_, i) => picker(i)),
          ...Array.from({ length: PULLERS }, () => puller()),
        ]);
        await new Promise((resolve) =>
          child.exitCode !== null || child.signalCode ? resolve(null) : child.once('exit', resolve),
        );
        assert.equal(child.signalCode, 'SIGKILL');
        return inFlightAtKill;
      }

      const reopened = await openDatabase(database.target);
      try {
        const history = await reopened.db
          .selectFrom('activity_history')
          .select(['activity_id', 'pick_id', 'to_user_id', 'at_ms'])
          .orderBy('id')
          .execute();
        const events = await reopened.db
          .selectFrom('events')
          .select(['type', 'activity_id', 'request_id', 'user_id', 'at_ms'])
          .orderBy('id')
          .execute();
        const key = (activityId: string | null, requestId: string) => `${activityId}/${requestId}`;
        const historyKeys = history.map((h) => key(h.activity_id, h.pick_id)).sort();
        const eventKeys = events.map((e) => key(e.activity_id, e.request_id)).sort();
        // One event per committed history row, none without one (the fixture writes no history).
        assert.ok(history.length >= ROUNDS * SUCCESSES_PER_ROUND, `only ${history.length} changes committed`);
        assert.deepEqual(eventKeys, historyKeys);
        t.diagnostic(
          `${history.length} changes committed, ${successes.length} writes answered, ${inFlightAtKills} requests in flight at ${ROUNDS} kills`,
        );

        // Each activity's newest event matches its row; an activity without one is as seeded.
        const newest = new Map<string, (typeof events)[number]>();
        for (const event of events) newest.set(event.activity_id!, event);
        const rows = await reopened.db
          .selectFrom('activities')
          .select(['id', 'assigned_user_id', 'last_modified_ms'])
          .execute();
        for (const row of rows) {
          const event = newest.get(row.id);
          if (event) {
            assert.equal(event.user_id, row.assigned_user_id, `activity ${row.id}`);
            assert.equal(Number(event.at_ms), Number(row.last_modified_ms), `activity ${row.id}`);
          } else {
            assert.equal(
              Number(row.last_modified_ms),
              seeded.get(row.id),
              `activity ${row.id} changed without an event`,
            );
          }
        }

        // Every write a client saw succeed has its event for each of its activities.
        const withEvent = new Set(events.map((e) => `${e.activity_id}/${e.user_id}`));
        for (const success of successes) {
          for (const id of success.ids)
            assert.ok(withEvent.has(`${id}/${success.userId}`), `${id} → ${success.userId}`);
        }
      } finally {
        await reopened.close();
      }
    });
  });
}
