// Picks, pulls, the three transfers and completes, in random overlapping batches from several
// agents at once on PostgreSQL (READ COMMITTED and SERIALIZABLE), for a bounded time. Afterwards:
// nothing answered 5xx; every 2xx wrote exactly one history row per activity it named; each
// activity's history is one chain (each move starts where the previous one left it, nothing after a
// complete) whose last entry matches the row; no case is closed while one of its activities is open,
// and none touched by a complete is open with all its activities completed. The seed is printed;
// LIFECYCLE_RACE_SEED=<n> replays a run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_TRANSACTIONS, type IsolationLevel } from '../src/store/transaction.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';
import { itemsOf, patch } from './support/lifecycle-requests.js';

const { dialects } = await dialectsUnderTest();
const RUN_MS = 3000;
const WORKERS = 8;
const TRANSFER_QUEUE: Record<string, string> = { '999': '10', '1000': '11' };
const LOGIN: Record<string, string> = { '1001': 'alice', '1002': 'bob' };

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (dialects.includes('postgres')) {
  for (const isolation of ['read committed', 'serializable'] as IsolationLevel[]) {
    describe(`lifecycle race (postgres, ${isolation})`, () => {
      let service: TestService;
      before(async () => {
        service = await startTestService('postgres', {
          organisation: fixtureOrganisation(200),
          transactions: { ...DEFAULT_TRANSACTIONS, isolation },
        });
      });
      after(() => service.close());

      it('keeps every invariant', async () => {
        const seed = Number(process.env.LIFECYCLE_RACE_SEED ?? Date.now() % 1_000_000);
        process.stderr.write(`lifecycle race (${isolation}) seed ${seed}\n`);
        const random = mulberry32(seed);
        const pickOf = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
        const db = service.database.db;
        const rows = await db
          .selectFrom('activities')
          .select(['id', 'department_id'])
          .where('is_draft_response', '=', 0)
          .where('department_id', 'in', ['999', '1000'])
          .execute();
        const ids = rows.map((r) => r.id);
        const some = (n: number) => [
          ...new Set(Array.from({ length: 1 + Math.floor(random() * n) }, () => pickOf(ids))),
        ];
        const heldBy = async (userId: string) =>
          (
            await db
              .selectFrom('activities')
              .select('id')
              .where('assigned_user_id', '=', userId)
              .where('status', '=', 'assigned')
              .where('is_draft_response', '=', 0)
              .execute()
          ).map((r) => r.id);
        const historyBefore = Number(
          (
            await db
              .selectFrom('activity_history')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );

        let expectedRows = 0;
        const failures: string[] = [];
        const completedIds = new Set<string>();
        async function step(): Promise<void> {
          const op = pickOf(['pick', 'pull', 'toQueue', 'toUser', 'toDept', 'complete'] as const);
          const as = pickOf(['alice', 'bob']);
          let chosen: string[] = [];
          let path = '';
          let query = '';
          switch (op) {
            case 'pick':
              chosen = some(3);
              path = '/pick';
              break;
            case 'pull': {
              const answer = await patch(service, '/pull', { as });
              if (answer.status >= 500) failures.push(`pull ${answer.status} ${answer.text}`);
              if (answer.status === 200)
                expectedRows += answer.json<{ activity: unknown[] }>().activity.length;
              return;
            }
            case 'toQueue':
              chosen = some(3);
              path = '/transfer/queue/10';
              query = '?unpin=yes';
              break;
            case 'toUser':
              chosen = some(3);
              path = `/transfer/user/${as === 'alice' ? '1002' : '1003'}`;
              break;
            case 'toDept':
              chosen = some(2);
              path = `/transfer/department/${pickOf(['999', '1000'])}`;
              query = '?unpin=yes';
              break;
            case 'complete': {
              const held = await heldBy(as === 'alice' ? '1001' : '1002');
              if (held.length === 0) return;
              chosen = [...new Set([pickOf(held), pickOf(held)])];
              path = '/complete';
              break;
            }
          }
          const answer = await patch(service, path, {
            as: op === 'toQueue' || op === 'toDept' ? 'alice' : as,
            body: await itemsOf(service, chosen),
            query,
          });
          if (answer.status >= 500) failures.push(`${op} ${answer.status} ${answer.text}`);
          if (answer.status < 300) {
            expectedRows += chosen.length;
            if (op === 'complete') for (const id of chosen) completedIds.add(id);
          }
        }
        const deadline = Date.now() + RUN_MS;
        await Promise.all(
          Array.from({ length: WORKERS }, async () => {
            while (Date.now() < deadline) await step();
          }),
        );
        assert.deepEqual(failures, [], `seed ${seed}`);
        process.stderr.write(`  ${expectedRows} activities moved, ${completedIds.size} completed\n`);

        // One history row per activity of every 2xx (draft responses moved along are counted apart).
        const written = await db
          .selectFrom('activity_history as h')
          .innerJoin('activities as a', 'a.id', 'h.activity_id')
          .selectAll('h')
          .where('h.id', '>', historyBefore)
          .where('a.is_draft_response', '=', 0)
          .orderBy('h.id')
          .execute();
        assert.equal(written.length, expectedRows, `seed ${seed}: history rows vs 2xx`);
        assert.ok(expectedRows > 0, 'the run moved something');

        // Each activity's chain, and its last entry against its row.
        const byActivity = new Map<string, typeof written>();
        for (const h of written) byActivity.set(h.activity_id, [...(byActivity.get(h.activity_id) ?? []), h]);
        const where = (to: string) =>
          to.startsWith('queue:')
            ? { kind: 'queue', id: to.slice(6) }
            : to.startsWith('department:')
              ? { kind: 'queue', id: TRANSFER_QUEUE[to.slice(11)] }
              : { kind: 'user', id: to };
        for (const [id, chain] of byActivity) {
          for (let i = 1; i < chain.length; i++) {
            const previous = chain[i - 1];
            assert.notEqual(previous.action, 'completed', `seed ${seed}: ${id} moved after its complete`);
            const from = where(previous.to_user_id);
            assert.deepEqual(
              { kind: chain[i].from_kind, id: chain[i].from_id },
              from,
              `seed ${seed}: ${id} entry ${i} does not start where ${i - 1} ended`,
            );
          }
          const last = chain.at(-1)!;
          const row = await db
            .selectFrom('activities')
            .selectAll()
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          if (last.action === 'completed') {
            assert.equal(row.status, 'completed', `seed ${seed}: ${id}`);
          } else if (last.to_user_id.includes(':')) {
            const [kind, target] = last.to_user_id.split(':');
            assert.equal(row.status, 'awaiting_assignment', `seed ${seed}: ${id}`);
            assert.equal(row.assigned_user_id, null, `seed ${seed}: ${id}`);
            if (kind === 'queue') assert.equal(row.queue_id, target, `seed ${seed}: ${id}`);
            else {
              assert.equal(row.department_id, target, `seed ${seed}: ${id}`);
              assert.equal(row.queue_id, TRANSFER_QUEUE[target], `seed ${seed}: ${id}`);
            }
          } else {
            assert.equal(row.status, 'assigned', `seed ${seed}: ${id}`);
            assert.equal(
              row.assigned_user_id,
              last.to_user_id,
              `seed ${seed}: ${id} (${LOGIN[last.to_user_id] ?? ''})`,
            );
          }
        }

        // Cases: closed only without open activities; those completes touched are closed when done.
        const cases = await db
          .selectFrom('cases as c')
          .innerJoin('activities as a', 'a.case_id', 'c.id')
          .select(['c.id', 'c.status', 'a.id as activity_id', 'a.status as activity_status'])
          .execute();
        const touched = new Set(cases.filter((c) => completedIds.has(c.activity_id)).map((c) => c.id));
        const open = new Map<string, number>();
        for (const c of cases)
          if (c.activity_status !== 'completed') open.set(c.id, (open.get(c.id) ?? 0) + 1);
        for (const c of cases) {
          if (c.status === 'closed')
            assert.equal(open.get(c.id) ?? 0, 0, `seed ${seed}: case ${c.id} closed with open work`);
          if (touched.has(c.id) && !open.has(c.id))
            assert.equal(c.status, 'closed', `seed ${seed}: case ${c.id} left open`);
        }
      });
    });
  }
}
