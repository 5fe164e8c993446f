// USER_FACTS_TTL_MS: with a TTL, a user's roles and permissions are served from memory for that long
// and read again after it. The cache's clock is moved by the test (no waiting); the facts come from
// a real database through a real re-import, the token through the real verifier.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCallerResolver } from '../src/auth/caller-resolver.js';
import { issueToken } from '../src/auth/token-issuer.js';
import { createTokenVerifier } from '../src/auth/token-verifier.js';
import { createTransactional } from '../src/store/transaction.js';
import { openDatabase, type OpenDatabase } from '../src/store/database.js';
import { KeyStore } from '../src/store/key-store.js';
import { OrganisationStore } from '../src/store/organisation-store.js';
import { UserStore } from '../src/store/user-store.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { EMBEDDED_AUTH, FIXTURE_NOW, fixtureOrganisation } from './support/test-service.js';

const { dialects } = await dialectsUnderTest();

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

    async function actionsOf(
      resolve: () => Promise<{ ok: boolean; caller?: { actions: ReadonlySet<string> } }>,
    ) {
      const resolution = await resolve();
      assert.ok(resolution.ok && resolution.caller);
      return [...resolution.caller.actions].sort();
    }

    it('serves the cached facts until the TTL is over, and the changed ones after it', async () => {
      const { verify, bearer, demote } = await world();
      const users = new UserStore(database.db);
      let now = 1_000_000;
      const callers = createCallerResolver(verify, users, 60_000, () => now);
      const resolve = () => callers.resolve(bearer);
      const supervisor = await actionsOf(resolve);
      await demote();
      const viewer = [...(await users.loadFacts('1001'))!.actions].sort();
      assert.notDeepEqual(viewer, supervisor, 'the re-import changed what alice may do');

      now += 59_999;
      assert.deepEqual(await actionsOf(resolve), supervisor, 'within the TTL: still the cached facts');
      now += 2;
      assert.deepEqual(await actionsOf(resolve), viewer, 'after the TTL: the facts are read again');
    });

    it('with no TTL (0) every request reads the facts', async () => {
      const { verify, bearer, demote } = await world();
      const users = new UserStore(database.db);
      const callers = createCallerResolver(verify, users, 0, () => 0);
      const supervisor = await actionsOf(() => callers.resolve(bearer));
      await demote();
      const viewer = await actionsOf(() => callers.resolve(bearer));
      assert.notDeepEqual(viewer, supervisor);
      assert.deepEqual(viewer, [...(await users.loadFacts('1001'))!.actions].sort());
    });
  });
}
