// The user facts cache (src/auth/caller-resolver.ts): facts are kept in memory, tagged with the
// organisation version (migration 0012) that every import bumps, and never served stale. Two
// instances share one database: an import through instance A is seen by the very next request on
// instance B, with no TTL to wait for — whether B's request checks the version before it is judged
// (read by id), in the statement it makes anyway (search's window; the row locks of pick and
// complete; pull's first statement), or must judge a refusal made on cached facts again (search,
// pick, complete).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCallerResolver } from '../src/auth/caller-resolver.js';
import { issueToken } from '../src/auth/token-issuer.js';
import { createTokenVerifier } from '../src/auth/token-verifier.js';
import type { OrganisationFile } from '../src/org/organisation-generator.js';
import { openDatabase, type OpenDatabase } from '../src/store/database.js';
import { KeyStore } from '../src/store/key-store.js';
import { OrganisationStore } from '../src/store/organisation-store.js';
import { createTransactional } from '../src/store/transaction.js';
import { UserStore } from '../src/store/user-store.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import {
  EMBEDDED_AUTH,
  FIXTURE_NOW,
  fixtureOrganisation,
  startTestService,
  type TestService,
} from './support/test-service.js';

const { dialects } = await dialectsUnderTest();
const SEARCH = '/core/casemgr/v3/activity';

/** The fixture with alice (1001) changed by `change`. */
function withAlice(change: (alice: OrganisationFile['users'][number]) => void): OrganisationFile {
  const organisation = fixtureOrganisation();
  change(organisation.users.find((u) => u.loginName === 'alice')!);
  return organisation;
}

for (const dialect of dialects) {
  describe(`user facts cache (${dialect})`, () => {
    let testDb: TestDatabase;
    let database: OpenDatabase;
    before(async () => {
      testDb = await createTestDatabase(dialect);
      database = await openDatabase(testDb.target);
    });
    after(async () => {
      await database.close();
      await testDb.drop();
    });

    /** A fresh organisation in which alice is a supervisor, and a way to make her a viewer. */
    async function world() {
      const organisation = fixtureOrganisation();
      const store = new OrganisationStore(database.db, createTransactional(database.db, dialect));
      await store.import(organisation, FIXTURE_NOW.getTime());
      const key = await new KeyStore(database.db).getOrCreate(Date.now());
      const bearer = `Bearer ${issueToken(key, { userId: '1001', loginName: 'alice', scope: 'core.casemgr.manage', expiresInSeconds: 600 })}`;
      const demote = async () => {
        const changed = structuredClone(organisation);
        const dave = changed.users.find((u) => u.loginName === 'dave')!;
        changed.users.find((u) => u.loginName === 'alice')!.roles = [...(dave.roles ?? [])];
        await store.import(changed, FIXTURE_NOW.getTime());
      };
      return { verify: createTokenVerifier(EMBEDDED_AUTH, key), bearer, demote };
    }

    const actions = (resolution: { ok: boolean; caller?: { actions: ReadonlySet<string> } }) => {
      assert.ok(resolution.ok && resolution.caller);
      return [...resolution.caller.actions].sort();
    };

    it('every import bumps the organisation version, and the facts are read with the version', async () => {
      const users = new UserStore(database.db);
      const before = await users.readVersion();
      const { demote } = await world();
      const after = await users.readVersion();
      assert.ok(after > before, `the import bumped the version (${before} → ${after})`);
      await demote();
      const stamped = await users.loadStampedFacts('1001');
      assert.equal(stamped.version, after + 1);
      assert.equal(stamped.version, await users.readVersion());
      assert.deepEqual(await users.loadStampedFacts('424242'), { facts: undefined, version: after + 1 });
    });

    it('cached facts are checked against the version: a re-import is seen at once, long before the entry ages out', async () => {
      const { verify, bearer, demote } = await world();
      const users = new UserStore(database.db);
      let now = 1_000_000;
      const callers = createCallerResolver(verify, users, 600_000, () => now);
      const supervisor = actions(await callers.resolve(bearer));
      await demote();
      const viewer = [...(await users.loadFacts('1001'))!.actions].sort();
      assert.notDeepEqual(viewer, supervisor, 'the re-import changed what alice may do');
      now += 1;
      assert.deepEqual(actions(await callers.resolve(bearer)), viewer, 'the very next request sees it');
    });

    it('by-route: cached facts come back unconfirmed with their version; refresh reads the new ones', async () => {
      const { verify, bearer, demote } = await world();
      const users = new UserStore(database.db);
      const callers = createCallerResolver(verify, users, 600_000);
      const first = await callers.resolve(bearer, 'by-route');
      assert.ok(first.ok && first.caller);
      assert.equal(first.stamp.confirmed, true, 'read now, so confirmed');
      await demote();
      const cached = await callers.resolve(bearer, 'by-route');
      assert.ok(cached.ok && cached.caller);
      assert.equal(cached.stamp.confirmed, false);
      assert.equal(cached.stamp.version, first.stamp.version, 'the version the cached facts were read at');
      assert.deepEqual(actions(cached), actions(first));
      const fresh = await cached.stamp.refresh();
      assert.ok(fresh);
      assert.equal(fresh.stamp.version, await users.readVersion());
      assert.deepEqual(
        [...fresh.caller.actions].sort(),
        [...(await users.loadFacts('1001'))!.actions].sort(),
      );
      assert.deepEqual(fresh.caller.scopes, first.caller.scopes, 'the token scopes are kept');
    });

    it('with USER_FACTS_TTL_MS 0 nothing is cached: every request reads the facts', async () => {
      const { verify, bearer, demote } = await world();
      const users = new UserStore(database.db);
      const callers = createCallerResolver(verify, users, 0, () => 0);
      const supervisor = actions(await callers.resolve(bearer));
      await demote();
      const resolution = await callers.resolve(bearer, 'by-route');
      assert.ok(resolution.ok && resolution.caller);
      assert.equal(resolution.stamp.confirmed, true, 'read by this request');
      assert.notDeepEqual(actions(resolution), supervisor);
    });
  });

  describe(`user facts cache across two instances on one database (${dialect})`, () => {
    let a: TestService;
    let b: TestService;
    let shared: TestDatabase;
    before(async () => {
      shared = await createTestDatabase(dialect);
      a = await startTestService(dialect, { shared: { database: shared, seeded: false } });
      b = await startTestService(dialect, { shared: { database: shared, seeded: true } });
    });
    after(async () => {
      await b.close();
      await a.close();
      await shared.drop();
    });

    const importOnA = (organisation: OrganisationFile) =>
      a.app.organisations.import(organisation, FIXTURE_NOW.getTime());
    const searchOnB = (query: string) =>
      b.request({
        path: `${SEARCH}?${query}`,
        headers: { authorization: `Bearer ${b.token('alice')}`, accept: 'application/json' },
      });
    const idsOf = (text: string) =>
      (JSON.parse(text) as { activity: { id: string }[] }).activity.map((x) => String(x.id));

    it('search: a foreign department taken away on A is out of the very next search on B', async () => {
      await importOnA(fixtureOrganisation());
      const seen = await searchOnB('queueID=11');
      assert.equal(seen.status, 200, seen.text);
      assert.deepEqual(idsOf(seen.text), ['100019'], 'department 1000 is foreign to alice');
      // B now holds alice's facts; the next search is served from them unless the version moved.
      assert.equal((await searchOnB('queueID=11')).status, 200);
      await importOnA(withAlice((alice) => (alice.foreignDepartments = [])));
      const after = await searchOnB('queueID=11');
      assert.equal(after.status, 204, after.text);
    });

    it('search: View Agent Console taken away on A refuses the very next search on B (403-178)', async () => {
      await importOnA(fixtureOrganisation());
      assert.equal((await searchOnB('queueID=10')).status, 200);
      await importOnA(withAlice((alice) => (alice.roles = [])));
      const refused = await searchOnB('queueID=10');
      assert.equal(refused.status, 403, refused.text);
      assert.equal((JSON.parse(refused.text) as { code: string }).code, '403-178');
    });

    it('search: a refusal judged on cached facts is judged again when A granted the action meanwhile', async () => {
      await importOnA(withAlice((alice) => (alice.roles = [])));
      assert.equal((await searchOnB('queueID=10')).status, 403, 'B caches alice without the action');
      await importOnA(fixtureOrganisation());
      const allowed = await searchOnB('queueID=10');
      assert.equal(allowed.status, 200, allowed.text);
    });

    it('read by id (checked by the gate): a foreign department taken away on A hides its activity on B at once', async () => {
      await importOnA(fixtureOrganisation());
      const read = () =>
        b.request({
          path: `${SEARCH}/100019`,
          headers: { authorization: `Bearer ${b.token('alice')}`, accept: 'application/json' },
        });
      assert.equal((await read()).status, 200, 'department 1000 is foreign to alice');
      await importOnA(withAlice((alice) => (alice.foreignDepartments = [])));
      const hidden = await read();
      assert.equal(hidden.status, 404, hidden.text);
    });

    it('complete: Complete taken away on A refuses the very next complete on B, and given back allows it', async () => {
      await importOnA(fixtureOrganisation());
      assert.equal((await searchOnB('queueID=10')).status, 200, 'B caches alice as a supervisor');
      await importOnA(withAlice((alice) => (alice.roles = ['3'])));
      const id = '100021';
      const complete = async () =>
        b.request({
          method: 'PATCH',
          path: '/core/casemgr/v3/activity/complete',
          headers: {
            authorization: `Bearer ${b.token('alice')}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify({ activity: [{ id, lastModified: await b.lastModified(id) }] }),
        });
      const refused = await complete();
      assert.equal(refused.status, 403, refused.text);
      assert.equal((JSON.parse(refused.text) as { code: string }).code, '403-178');
      await importOnA(fixtureOrganisation());
      const completed = await complete();
      assert.equal(completed.status, 200, completed.text);
    });

    it('pull: the pull permission on queue 10 taken away on A leaves the very next pull on B with nothing to take', async () => {
      await importOnA(fixtureOrganisation());
      assert.equal((await searchOnB('queueID=10')).status, 200, 'B caches alice, who may pull from queue 10');
      const withoutQueuePull = fixtureOrganisation();
      withoutQueuePull.permissions = (withoutQueuePull.permissions ?? []).filter(
        (p) => !(p.permission === 'Pull activities' && 'queue' in p.on && p.on.queue === '10'),
      );
      await importOnA(withoutQueuePull);
      const pull = () =>
        b.request({
          method: 'PATCH',
          path: '/core/casemgr/v3/activity/pull',
          headers: { authorization: `Bearer ${b.token('alice')}`, accept: 'application/json' },
        });
      const nothing = await pull();
      assert.equal(nothing.status, 204, nothing.text);
      await importOnA(fixtureOrganisation());
      const pulled = await pull();
      assert.equal(pulled.status, 200, pulled.text);
    });

    it('pick: Pick Activities taken away on A refuses the very next pick on B', async () => {
      await importOnA(fixtureOrganisation());
      assert.equal((await searchOnB('queueID=10')).status, 200, 'B caches alice as a supervisor');
      await importOnA(withAlice((alice) => (alice.roles = ['3'])));
      const id = '100001';
      const refused = await b.pick('alice', [{ id, lastModified: await b.lastModified(id) }]);
      assert.equal(refused.status, 403, refused.text);
      assert.equal((JSON.parse(refused.text) as { code: string }).code, '403-178');
      await importOnA(fixtureOrganisation());
      const picked = await b.pick('alice', [{ id, lastModified: await b.lastModified(id) }]);
      assert.equal(picked.status, 204, picked.text);
    });
  });
}
