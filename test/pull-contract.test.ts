// The HTTP contract of PATCH /core/casemgr/v3/activity/pull (docs/api/pull-activities.md) through a
// real server on every dialect: no body (400-203) and no query (400-101), user tokens with the Pull
// Activities action, up to maxPull of what waits in the user's pull queues — oldest first, never what
// the user may not pick — assigned as a pick with a 'pulled' history row; 204 when nothing is waiting;
// JSON, XML, a French error. On PostgreSQL: concurrent pulls never return the same activity, and a
// pull does not wait for a row another transaction holds (SKIP LOCKED).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { sql } from 'kysely';
import { dialectsUnderTest } from './support/test-databases.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';
import { expectError } from './support/expect-error.js';
import { patch, snapshot, type LifecycleCall } from './support/lifecycle-requests.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const PULL = '/pull';
type Pulled = { activity: { id: string; link: { rel: string; href: string }[] }[] };

/** What waits in queue 10, oldest first by the pull's order (lastModified, created, numeric id). */
async function waitingInQueue10(service: TestService) {
  const rows = await service.database.db
    .selectFrom('activities')
    .select(['id', 'type', 'last_modified_ms', 'created_ms', 'is_draft_response'])
    .where('queue_id', '=', '10')
    .where('status', '=', 'awaiting_assignment')
    .execute();
  const key = (r: (typeof rows)[number]) =>
    [Number(r.last_modified_ms), Number(r.created_ms), r.id.length, r.id] as const;
  return rows.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
}

for (const dialect of dialects) {
  describe(`pull activities (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    const pull = (as: LifecycleCall['as'], extra: Partial<LifecycleCall> = {}) =>
      patch(service, PULL, { as, ...extra });

    async function refused(
      as: LifecycleCall['as'],
      status: number,
      code: string,
      extra: Partial<LifecycleCall> = {},
    ) {
      const before = await snapshot(service);
      const response = await pull(as, extra);
      expectError(response, status, code);
      assert.equal(await snapshot(service), before, 'a refused pull changes nothing');
      return response;
    }

    describe('refusals', () => {
      it('401-101 for a client application', async () => {
        await refused({ client: 'crm' }, 401, '401-101');
      });
      it('400-101 for any query parameter', async () => {
        await refused('bob', 400, '400-101', { query: '?max=2' });
      });
      it('400-203 for a body, whatever its type', async () => {
        await refused('bob', 400, '400-203', { body: {} });
        await refused('bob', 400, '400-203', { rawBody: 'x', headers: { 'content-type': 'text/plain' } });
      });
      it('400-203 in French', async () => {
        const response = await pull('bob', { body: {}, headers: { 'accept-language': 'fr-FR' } });
        expectError(response, 400, '400-203', { message: 'Le corps de la requête n’est pas autorisé.' });
      });
      it('403-197 without the manage scope, 403-178 without Pull Activities', async () => {
        await refused('bob', 403, '403-197', { scope: 'core.casemgr.read' });
        const body = (await refused('dave', 403, '403-178')).json();
        assert.match(body.developerMessage, /Pull Activities/);
      });
      it('XML error body', async () => {
        const response = await pull('dave', { headers: { accept: 'application/xml' } });
        assert.equal(response.status, 403);
        assert.match(String(response.headers['content-type']), /^application\/xml/);
        assert.match(response.text, /403-178/);
      });
    });

    describe('what is pulled', () => {
      it('204 when nothing waits that the user may take (erin holds no licence)', async () => {
        const before = await snapshot(service);
        const response = await pull('erin');
        assert.equal(response.status, 204, response.text);
        assert.equal(response.text, '');
        assert.equal(await snapshot(service), before);
      });

      it('carol (eGain Platform only) is never given an email', async () => {
        const response = await pull('carol');
        assert.equal(response.status, 200, response.text);
        const [only] = response.json<Pulled>().activity;
        const row = await service.database.db
          .selectFrom('activities')
          .selectAll()
          .where('id', '=', only.id)
          .executeTakeFirstOrThrow();
        assert.notEqual(row.type, 'email');
        assert.equal(row.assigned_user_id, '1003');
      });

      it('bob: maxPull (3) of the oldest eligible in his queue, assigned to him, one history row each', async () => {
        const eligible = (await waitingInQueue10(service)).filter(
          (r) => !['chat', 'web', 'call_track'].includes(r.type) && !r.is_draft_response,
        );
        const response = await pull('bob');
        assert.equal(response.status, 200, response.text);
        const pulled = response.json<Pulled>().activity;
        assert.deepEqual(
          pulled.map((a) => a.id),
          eligible.slice(0, 3).map((r) => r.id),
        );
        for (const { id, link } of pulled) {
          assert.deepEqual(link, [{ rel: 'self', href: `/core/casemgr/v3/activity/${id}` }]);
          const row = await service.database.db
            .selectFrom('activities')
            .selectAll()
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          assert.deepEqual([row.status, row.substatus, row.assigned_user_id], ['assigned', 'new', '1002']);
          const history = await service.history(id);
          assert.deepEqual(
            history.map((h) => [h.action, h.from_kind, h.from_id, h.to_user_id, h.by_user_id]),
            [['pulled', 'queue', '10', '1002', '1002']],
          );
        }
      });

      it('XML answer', async () => {
        const response = await pull('alice', { headers: { accept: 'application/xml' } });
        assert.equal(response.status, 200, response.text);
        const parsed = new XMLParser({ ignoreAttributes: false }).parse(response.text);
        const activities = [parsed.activities.activity].flat() as { '@_id': string }[];
        assert.ok(activities.length >= 1 && activities.length <= 5);
      });

      it('204 once the queue is drained', async () => {
        for (let i = 0; i < 10; i++) if ((await pull('alice')).status === 204) break;
        assert.equal((await pull('alice')).status, 204);
        assert.equal((await pull('bob')).status, 204);
      });
    });
  });
}

for (const dialect of dialects) {
  describe(`pull takes the queues in the user's order (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(dialect);
    });
    after(() => service.close());

    it("all of the first queue, however new, before the oldest of the next (bob's maxPull 3)", async () => {
      const db = service.database.db;
      const eligible = (await waitingInQueue10(service)).filter(
        (r) => !['chat', 'web', 'call_track'].includes(r.type) && !r.is_draft_response,
      );
      assert.ok(eligible.length >= 4, 'the fixture has enough waiting in queue 10');
      // A queue of bob's department, first in his pull options, holding queue 10's two newest.
      const bob = await db
        .selectFrom('users')
        .select('home_department_id')
        .where('id', '=', '1002')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('queues')
        .values({ id: '99', name: 'First choice', department_id: bob.home_department_id })
        .execute();
      await db
        .insertInto('pull_permissions')
        .values({ target_kind: 'queue', target_id: '99', grantee_kind: 'user', grantee_id: '1002' })
        .execute();
      await db.updateTable('user_pull_queues').set({ position: 1 }).where('user_id', '=', '1002').execute();
      await db
        .insertInto('user_pull_queues')
        .values({ user_id: '1002', queue_id: '99', position: 0 })
        .execute();
      const newest = eligible.slice(-2);
      await db
        .updateTable('activities')
        .set({ queue_id: '99' })
        .where(
          'id',
          'in',
          newest.map((r) => r.id),
        )
        .execute();

      const response = await patch(service, PULL, { as: 'bob' });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(
        response.json<Pulled>().activity.map((a) => a.id),
        [...newest.map((r) => r.id), eligible[0].id],
      );
    });
  });
}

if (dialects.includes('postgres')) {
  describe('pull under concurrency (postgres)', () => {
    let service: TestService;
    before(async () => {
      service = await startTestService('postgres', { organisation: fixtureOrganisation(400) });
    });
    after(() => service.close());

    it('a pull does not wait for a row another transaction holds: it takes the next ones', async () => {
      const [head] = await waitingInQueue10(service);
      const db = service.database.db;
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked = () => undefined as void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = db.transaction().execute(async (trx) => {
        await sql`select id from activities where id = ${head.id} for update`.execute(trx);
        locked();
        await released;
      });
      await isLocked;
      const started = Date.now();
      const response = await patch(service, PULL, { as: 'bob' });
      const took = Date.now() - started;
      release();
      await holder;
      assert.equal(response.status, 200, response.text);
      const ids = response.json<Pulled>().activity.map((a) => a.id);
      assert.ok(!ids.includes(head.id), `${ids.join()} includes the held ${head.id}`);
      assert.ok(took < 2000, `the pull waited ${took} ms`);
    });

    it('concurrent pulls never return the same activity', async () => {
      const pulledRows = () =>
        service.database.db
          .selectFrom('activity_history')
          .select(['activity_id'])
          .where('action', '=', 'pulled')
          .execute();
      const earlier = (await pulledRows()).length;
      const seen = new Map<string, number>();
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all(
          ['bob', 'bob', 'alice', 'alice', 'carol', 'bob', 'alice', 'carol'].map((as) =>
            patch(service, PULL, { as }),
          ),
        );
        for (const answer of answers) {
          assert.ok(answer.status === 200 || answer.status === 204, answer.text);
          if (answer.status !== 200) continue;
          for (const { id } of answer.json<Pulled>().activity) seen.set(id, (seen.get(id) ?? 0) + 1);
        }
      }
      assert.ok(seen.size > 0);
      const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      assert.deepEqual(twice, []);
      assert.equal(
        (await pulledRows()).length - earlier,
        seen.size,
        'one pulled history row per activity returned',
      );
    });
  });
}
