// Proof under concurrency (issue 12): three service instances on one PostgreSQL database, at READ
// COMMITTED and at SERIALIZABLE. Agents and supervisors pick, pull, transfer (to a user, a queue and a
// department) and complete overlapping random batches at once for a bounded time (RACE_MS, default
// 4000). Afterwards, read from the database: every activity has one owner or one queue as its status
// says; each activity's history is one chain whose last entry is its row; the 2xx answers and the
// history rows correspond one to one; no case is closed with open work, none open with all of it
// completed; no pull got an activity another pull also got unless it went back to a queue between;
// every rejection is one the race explains; nothing answered 5xx.
// The seed is printed; LIFECYCLE_RACE_SEED=<n> replays the run's choices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { DEFAULT_TRANSACTIONS, type IsolationLevel } from '../src/store/transaction.js';
import {
  brokenChains,
  caseViolations,
  doublePulls,
  historyAgainstAnswers,
  ownershipViolations,
  readState,
  unexpectedAnswers,
} from './support/lifecycle-race-invariants.js';
import { runRace, type Outcome } from './support/lifecycle-race-load.js';
import { raceWorld } from './support/lifecycle-race-world.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  PG_ADMIN_URL,
  type TestDatabase,
} from './support/test-databases.js';
import { startTestService, type TestService } from './support/test-service.js';

const INSTANCES = 3;
const WORKERS = 18;
const RUN_MS = Number(process.env.RACE_MS ?? 4000);

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('lifecycle race on PostgreSQL', { skip: skipped }, () => undefined);

/** `op code×n` for every answer of the run: the reader of the CI log sees what the race exercised. */
function tally(outcomes: readonly Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) {
    const k = `${o.operation}:${o.code ?? o.status}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .sort()
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');
}

async function retriesOf(service: TestService): Promise<number> {
  const text = (await service.request({ path: '/metrics' })).text;
  const line = text.split('\n').find((l) => l.startsWith('casemgr_transaction_retries_total'));
  return Number(line?.split(' ')[1] ?? 0);
}

const isolations: IsolationLevel[] = dialects.includes('postgres') ? ['read committed', 'serializable'] : [];

for (const isolation of isolations) {
  describe(`lifecycle race: ${INSTANCES} instances on PostgreSQL, ${isolation}`, () => {
    const world = raceWorld({ users: 20, activities: 200 });
    let database: TestDatabase;
    const instances: TestService[] = [];
    before(async () => {
      database = await createTestDatabase('postgres');
      if (isolation === 'serializable') {
        // Everything on this database runs SERIALIZABLE, as on CockroachDB, not only the service's writes.
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(
          `alter database ${new URL(database.url).pathname.slice(1)} set default_transaction_isolation = 'serializable'`,
        );
        await admin.end();
      }
      for (let i = 0; i < INSTANCES; i++)
        instances.push(
          await startTestService('postgres', {
            organisation: world.organisation,
            shared: { database, seeded: i > 0 },
            transactions: { ...DEFAULT_TRANSACTIONS, isolation },
          }),
        );
    });
    after(async () => {
      for (const instance of instances) await instance.close();
      await database?.drop();
    });

    it('keeps one owner per activity, one history chain, one row per 2xx, cases and pulls right', async () => {
      const seed = Number(process.env.LIFECYCLE_RACE_SEED ?? Date.now() % 1_000_000);
      process.stderr.write(
        `# lifecycle race (${isolation}): LIFECYCLE_RACE_SEED=${seed} RACE_MS=${RUN_MS}\n`,
      );
      const db = instances[0].database.db;
      const start = await readState(db);
      assert.deepEqual(caseViolations(start), [], 'the imported cases');
      const outcomes = await runRace({ instances, world, seed, workers: WORKERS, runMs: RUN_MS });
      const end = await readState(db);
      const lastBefore = Number(start.history.at(-1)?.id ?? 0);
      const written = end.history.filter((h) => Number(h.id) > lastBefore);

      const retries = (await Promise.all(instances.map(retriesOf))).reduce((a, b) => a + b, 0);
      const wins = outcomes.filter((o) => o.status < 300 && o.status >= 200).length;
      // Lock order is the same for every operation (ascending ids), so deadlocks should stay at 0.
      const { rows: stats } = await sql<{ deadlocks: string }>`select deadlocks from pg_stat_database
        where datname = current_database()`.execute(db);
      const closed = (state: typeof start) => state.cases.filter((c) => c.status === 'closed').length;
      process.stderr.write(
        `#   ${world.hot.length} hot activities; ${outcomes.length} requests, ${wins} 2xx, ` +
          `${written.length} history rows, ${closed(end) - closed(start)} cases closed, ${retries} retries, ` +
          `${outcomes.filter((o) => o.code === '409-100' && !o.stale).length} lost to another's write (409-100), ` +
          `${stats[0]?.deadlocks ?? '?'} deadlocks\n` +
          `#   ${tally(outcomes)}\n`,
      );
      // Every check at once, so that a red run shows all that broke (up to 20 lines each).
      const cap = (problems: string[]) => problems.slice(0, 20);
      const replay = `LIFECYCLE_RACE_SEED=${seed}`;
      assert.deepEqual(
        {
          answers: cap(unexpectedAnswers(outcomes)),
          history: cap(historyAgainstAnswers(outcomes, written, world, start)),
          chains: cap(brokenChains(written, world, start, end)),
          owners: cap(ownershipViolations(start, end, world)),
          cases: cap(caseViolations(end)),
          pulls: cap(doublePulls(outcomes, written, start)),
        },
        { answers: [], history: [], chains: [], owners: [], cases: [], pulls: [] },
        replay,
      );
      // The run exercised every operation (runRace goes on, within bounds, until each has won once).
      for (const op of ['pick', 'pull', 'toUser', 'toQueue', 'toDepartment', 'complete'] as const)
        assert.ok(
          outcomes.some((o) => o.operation === op && o.status >= 200 && o.status < 300),
          `${replay}: no ${op} succeeded`,
        );
    });
  });
}
