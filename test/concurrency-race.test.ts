// The pick is linearizable per activity: agents with different permissions race for overlapping
// batches through several API instances on one database, and afterwards every activity's history is
// one unbroken chain, every 204 is accounted for by history rows, and no request got a 5xx.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import {
  generateOrganisation,
  mulberry32,
  type OrganisationFile,
} from '../src/org/organisation-generator.js';
import { DEFAULT_TRANSACTIONS, type IsolationLevel } from '../src/store/transaction.js';
import {
  createTestDatabase,
  dialectsUnderTest,
  PG_ADMIN_URL,
  type TestDatabase,
  type TestDialect,
} from './support/test-databases.js';
import { FIXTURE_NOW, startTestService, type TestService } from './support/test-service.js';

const AGENTS = 30;
const HOT_SET = 300;
const RUN_MS = Number(process.env.RACE_MS ?? 5000);
// Codes a loser may get: the rules judged against the state another pick just wrote (7–19).
const RULE_CODES = new Set([
  '409-100',
  '400-303',
  '400-304',
  '400-305',
  '403-177',
  '403-178',
  '403-179',
  '403-180',
  '403-181',
  '403-182',
  '400-301',
  '400-302',
  '400-194',
]);

interface Outcome {
  readonly agent: string;
  readonly ids: readonly string[];
  readonly status: number;
  readonly code: string | undefined;
}

/**
 * The generated organisation, with the agents' permissions widened and varied so that many picks can
 * win and losers meet every rule: all see every department and may pull from every queue; every
 * fifth holds only a task license, every third lacks Unpin, every fourth may pull from half the users.
 */
function organisation(): OrganisationFile {
  const org = generateOrganisation({
    seed: 11,
    departments: 3,
    users: AGENTS,
    queues: 6,
    activities: HOT_SET,
    now: FIXTURE_NOW,
  });
  const departments = (org.departments ?? []).map((d) => d.id);
  const users = org.users ?? [];
  org.roles = [
    ...(org.roles ?? []),
    { id: '90', name: 'Racer', actions: ['View Agent Console', 'Pick Activities', 'Unpin'] },
    { id: '91', name: 'Racer without Unpin', actions: ['View Agent Console', 'Pick Activities'] },
  ];
  users.forEach((user, i) => {
    user.homeDepartment = departments[0]!;
    user.foreignDepartments = departments.slice(1);
    user.licenses = i % 5 === 0 ? ['eGain Platform'] : ['eGain Advisor Desktop'];
    user.roles = [i % 3 === 0 ? '91' : '90'];
  });
  org.userGroups = (org.userGroups ?? []).map((g) => ({ ...g, roles: [] }));
  org.permissions = users.flatMap((grantee, i) => [
    ...(org.queues ?? []).map((q) => ({
      permission: 'Pull activities' as const,
      on: { queue: q.id },
      grantedTo: { user: grantee.id },
    })),
    ...users
      .filter((_, j) => i % 4 !== 0 || j % 2 === 0)
      .map((target) => ({
        permission: 'Pull activities' as const,
        on: { user: target.id },
        grantedTo: { user: grantee.id },
      })),
  ]);
  return org;
}

async function race(
  instances: readonly TestService[],
  org: OrganisationFile,
  seed: number,
): Promise<Outcome[]> {
  // Seeded, so that a failing race can be rerun with the same choices (RACE_SEED).
  const random = mulberry32(seed);
  const ids = (org.activities ?? []).map((a) => a.id);
  const agents = (org.users ?? []).map((u) => u.loginName).slice(0, AGENTS);
  const db = instances[0].database.db;
  const deadline = Date.now() + RUN_MS;
  const outcomes: Outcome[] = [];

  const agentLoop = async (agent: string, index: number) => {
    const instance = instances[index % instances.length];
    const token = instance.token(agent);
    while (Date.now() < deadline) {
      // Mostly small batches, sometimes up to 75, always from the same hot set.
      const size = random() < 0.8 ? 1 + Math.floor(random() * 5) : 1 + Math.floor(random() * 75);
      const batch = new Set<string>();
      while (batch.size < size) batch.add(ids[Math.floor(random() * ids.length)]);
      const chosen = [...batch];
      const rows = await db
        .selectFrom('activities')
        .select(['id', 'last_modified_ms'])
        .where('id', 'in', chosen)
        .execute();
      const known = new Map(rows.map((r) => [r.id, Number(r.last_modified_ms)]));
      const stale = random() < 0.15;
      const activity = chosen.map((id, i) => ({
        id,
        lastModified: new Date(known.get(id)! - (stale && i === 0 ? 1 : 0)).toISOString(),
      }));
      const response = await instance.request({
        method: 'PATCH',
        path: `/core/casemgr/v3/activity/pick${random() < 0.5 ? '?unpin=yes' : ''}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ activity }),
      });
      const code = response.status === 204 ? undefined : response.json<{ code: string }>().code;
      outcomes.push({ agent, ids: chosen, status: response.status, code });
    }
  };
  await Promise.all(agents.map((agent, i) => agentLoop(agent, i)));
  return outcomes;
}

async function assertLinearHistories(
  service: TestService,
  org: OrganisationFile,
  outcomes: readonly Outcome[],
): Promise<void> {
  const db = service.database.db;
  const fivexx = outcomes.filter((o) => o.status >= 500);
  assert.deepEqual(fivexx, [], 'no request may get a 5xx');
  for (const o of outcomes) {
    if (o.status !== 204)
      assert.ok(RULE_CODES.has(o.code ?? ''), `unexpected rejection ${o.status} ${o.code}`);
  }
  const wins = outcomes.filter((o) => o.status === 204);
  assert.ok(wins.length > 0, 'some picks must win');
  assert.ok(
    outcomes.some((o) => o.code === '409-100'),
    'the race must produce stale losers (409-100)',
  );

  const history = await db.selectFrom('activity_history').selectAll().orderBy('id').execute();
  assert.equal(
    history.length,
    wins.reduce((n, o) => n + o.ids.length, 0),
    'history rows = activities in 204 picks',
  );

  const byActivity = new Map<string, typeof history>();
  for (const entry of history)
    byActivity.set(entry.activity_id, [...(byActivity.get(entry.activity_id) ?? []), entry]);
  const current = new Map(
    (await db.selectFrom('activities').select(['id', 'assigned_user_id', 'status']).execute()).map((r) => [
      r.id,
      r,
    ]),
  );
  const users = new Map((org.users ?? []).map((u) => [u.loginName, u.id]));
  for (const initial of org.activities ?? []) {
    const chain = byActivity.get(initial.id) ?? [];
    if (chain.length === 0) continue;
    const first = chain[0];
    if (initial.status === 'assigned')
      assert.deepEqual(
        [first.from_kind, first.from_id],
        ['user', initial.assignedTo],
        `first move of ${initial.id}`,
      );
    else
      assert.deepEqual(
        [first.from_kind, first.from_id],
        ['queue', initial.queue],
        `first move of ${initial.id}`,
      );
    for (let i = 1; i < chain.length; i++) {
      assert.deepEqual(
        [chain[i].from_kind, chain[i].from_id],
        ['user', chain[i - 1].to_user_id],
        `chain of ${initial.id} at ${i}`,
      );
      assert.ok(
        Number(chain[i].at_ms) > Number(chain[i - 1].at_ms),
        `history of ${initial.id} moves forward in time`,
      );
    }
    const now = current.get(initial.id)!;
    assert.equal(now.status, 'assigned');
    assert.equal(
      now.assigned_user_id,
      chain[chain.length - 1].to_user_id,
      `owner of ${initial.id} is the chain's last`,
    );
  }
  // Every 204 is in the history under its agent, for each of its activities.
  const moves = new Set(history.map((h) => `${h.activity_id}>${h.to_user_id}@${h.at_ms}`));
  const historyByUser = new Map<string, number>();
  for (const h of history) historyByUser.set(h.to_user_id, (historyByUser.get(h.to_user_id) ?? 0) + 1);
  for (const [login, id] of users) {
    const won = wins.filter((o) => o.agent === login).reduce((n, o) => n + o.ids.length, 0);
    assert.equal(historyByUser.get(id) ?? 0, won, `history entries to ${login}`);
  }
  assert.ok(moves.size === history.length, 'no two history rows describe the same move');
}

async function retriesOf(service: TestService): Promise<number> {
  const text = (await service.request({ path: '/metrics' })).text;
  const line = text.split('\n').find((l) => l.startsWith('casemgr_transaction_retries_total'));
  return Number(line?.split(' ')[1] ?? 0);
}

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL race', { skip: skipped }, () => undefined);

const setups: { dialect: TestDialect; instances: number; isolation: IsolationLevel }[] = [
  ...(dialects.includes('sqlite')
    ? [{ dialect: 'sqlite' as const, instances: 1, isolation: 'read committed' as const }]
    : []),
  ...(dialects.includes('postgres')
    ? [
        { dialect: 'postgres' as const, instances: 3, isolation: 'read committed' as const },
        { dialect: 'postgres' as const, instances: 3, isolation: 'serializable' as const },
      ]
    : []),
];

for (const setup of setups) {
  describe(`concurrent picks: ${setup.instances} instance(s) on ${setup.dialect}, ${setup.isolation}`, () => {
    const org = organisation();
    let database: TestDatabase;
    const instances: TestService[] = [];
    before(async () => {
      database = await createTestDatabase(setup.dialect);
      if (setup.dialect === 'postgres' && setup.isolation === 'serializable') {
        // Everything the service runs on this database is SERIALIZABLE, as on CockroachDB.
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(
          `alter database ${new URL(database.url).pathname.slice(1)} set default_transaction_isolation = 'serializable'`,
        );
        await admin.end();
      }
      for (let i = 0; i < setup.instances; i++) {
        instances.push(
          await startTestService(setup.dialect, {
            organisation: org,
            shared: { database, seeded: i > 0 },
            transactions: { ...DEFAULT_TRANSACTIONS, isolation: setup.isolation },
          }),
        );
      }
    });
    after(async () => {
      for (const instance of instances) await instance.close();
      await database.drop();
    });

    it('keeps every activity on one chain of owners, with a history row per activity picked', async () => {
      const seed = Number(process.env.RACE_SEED ?? Date.now() % 100000);
      const outcomes = await race(instances, org, seed);
      await assertLinearHistories(instances[0], org, outcomes);
      const wins = outcomes.filter((o) => o.status === 204).length;
      const stale = outcomes.filter((o) => o.code === '409-100').length;
      // The figures of this run, for the reader of the CI log.
      const counts = new Map<string, number>();
      for (const o of outcomes) counts.set(o.code ?? '204', (counts.get(o.code ?? '204') ?? 0) + 1);
      const codes = [...counts].map(([code, n]) => `${code}×${n}`);
      console.log(
        `# race ${setup.dialect}/${setup.isolation}, seed ${seed}: ${outcomes.length} picks, ${wins} won, ${stale} stale; ${codes.join(' ')}`,
      );
      if (setup.isolation === 'serializable') {
        const retries = (await Promise.all(instances.map(retriesOf))).reduce((a, b) => a + b, 0);
        console.log(`# serialization retries: ${retries}`);
        assert.ok(retries > 0, 'SERIALIZABLE races must exercise the retry path');
      }
    });
  });
}
