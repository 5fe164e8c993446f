// The store layer on every dialect: migrations, the organisation import (idempotent, all-or-nothing),
// the caller's authorization facts, the pick transaction (set-based write, history, lock query),
// the signing key, the retry wrapper, an unreachable server, and DATABASE_URL parsing.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import type { Activity } from '../src/domain/activity.js';
import { createCallerResolver } from '../src/auth/caller-resolver.js';
import { issueToken } from '../src/auth/token-issuer.js';
import { createTokenVerifier } from '../src/auth/token-verifier.js';
import { USER_LICENSES } from '../src/domain/caller.js';
import { fail, succeed, type Outcome } from '../src/domain/failures.js';
import type { PickPlan } from '../src/domain/pick-rules.js';
import type { OrganisationDocument } from '../src/org/organisation-schema.js';
import { parseOrganisation } from '../src/org/parse-organisation.js';
import { ActivityStore } from '../src/store/activity-store.js';
import { openDatabase, type OpenDatabase } from '../src/store/database.js';
import { parseDatabaseUrl } from '../src/store/dialect.js';
import { KeyStore } from '../src/store/key-store.js';
import { OrganisationStore } from '../src/store/organisation-store.js';
import type { Database } from '../src/store/schema.js';
import { StoreUnavailableError, isUnavailable } from '../src/store/store-errors.js';
import { createTransactional } from '../src/store/transaction.js';
import { UserStore } from '../src/store/user-store.js';
import { createTestDatabase, dialectsUnderTest, type TestDatabase } from './support/test-databases.js';
import { EMBEDDED_AUTH, FIXTURE_NOW, fixtureOrganisation } from './support/test-service.js';

const { dialects, skipped } = await dialectsUnderTest();
if (skipped) it('PostgreSQL suites', { skip: skipped }, () => undefined);

const TABLES = [
  'departments',
  'roles',
  'role_actions',
  'users',
  'user_foreign_departments',
  'user_licenses',
  'user_roles',
  'user_groups',
  'group_members',
  'group_roles',
  'queues',
  'pull_permissions',
  'transfer_permissions',
  'department_shares',
  'user_pull_queues',
  'aliases',
  'customers',
  'customer_contacts',
  'cases',
  'id_sequences',
  'activity_types',
  'activities',
  'activity_history',
  'signing_keys',
  'settings',
] as const satisfies readonly (keyof Database)[];

type Snapshot = Record<string, string[]>;

/** Every row of every table, as sorted JSON lines: two snapshots are equal iff the contents are. */
async function snapshot(db: Kysely<Database>): Promise<Snapshot> {
  const result: Snapshot = {};
  for (const table of TABLES) {
    const rows = await db.selectFrom(table).selectAll().execute();
    result[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return result;
}

async function count(db: Kysely<Database>, table: (typeof TABLES)[number]): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function organisationStore(database: OpenDatabase): OrganisationStore {
  return new OrganisationStore(database.db, createTransactional(database.db, database.dialect));
}

function activityStore(database: OpenDatabase): ActivityStore {
  return new ActivityStore(database.db, database.dialect, createTransactional(database.db, database.dialect));
}

async function activityRow(db: Kysely<Database>, id: string) {
  return db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

const serializationFailure = () =>
  Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });

/** A small world where every kind of fact comes from more than one place (roles and groups). */
const FACTS_WORLD: OrganisationDocument = {
  departments: [
    { id: '999', name: 'Service' },
    { id: '1000', name: 'Sales' },
    { id: '1001', name: 'Billing Ops' },
  ],
  roles: [
    { id: '1', name: 'Agent', actions: ['View Agent Console', 'Pick Activities'] },
    { id: '2', name: 'Unpinner', actions: ['Unpin'] },
    { id: '3', name: 'Closer', actions: ['Complete'] },
    { id: '4', name: 'Editor', actions: ['Edit Activity'] },
  ],
  users: [
    {
      id: '1001',
      loginName: 'alice',
      firstName: 'Alice',
      lastName: 'Archer',
      homeDepartment: '999',
      foreignDepartments: ['1000', '1001'],
      licenses: ['eGain Advisor Desktop', 'eGain Platform'],
      roles: ['1'],
    },
    { id: '1002', loginName: 'bob', firstName: 'Bob', lastName: 'Baker', homeDepartment: '999' },
    {
      id: '1003',
      loginName: 'carol',
      firstName: 'Carol',
      lastName: 'Chen',
      homeDepartment: '1000',
      licenses: ['eGain MailPlus'],
      roles: ['1'],
    },
    // A login name that is another user's id: findUser prefers the id.
    { id: '1004', loginName: '1002', firstName: 'Digits', lastName: 'Dave', homeDepartment: '1001' },
  ],
  userGroups: [
    { id: '50', name: 'Unpinners', department: '999', members: ['1001'], roles: ['2'] },
    { id: '51', name: 'Closers', department: '999', members: ['1001', '1002'], roles: ['3'] },
    { id: '52', name: 'Editors', department: '1000', members: ['1003'], roles: ['4'] },
  ],
  queues: [
    { id: '10', name: 'Billing', department: '999' },
    { id: '11', name: 'Escalations', department: '999' },
    { id: '12', name: 'Sales Leads', department: '1000' },
  ],
  permissions: [
    { permission: 'Pull activities', on: { queue: '10' }, grantedTo: { user: '1001' } },
    { permission: 'Pull activities', on: { queue: '11' }, grantedTo: { group: '50' } },
    { permission: 'Pull activities', on: { user: '1003' }, grantedTo: { user: '1001' } },
    { permission: 'Pull activities', on: { user: '1002' }, grantedTo: { group: '51' } },
    { permission: 'Pull activities', on: { queue: '12' }, grantedTo: { group: '52' } },
    { permission: 'Pull activities', on: { user: '1001' }, grantedTo: { user: '1002' } },
  ],
};

describe('parseDatabaseUrl', () => {
  it('accepts sqlite:PATH and sqlite::memory:', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:./data/casemgr.db'), {
      dialect: 'sqlite',
      path: './data/casemgr.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite:/tmp/x/casemgr.db'), {
      dialect: 'sqlite',
      path: '/tmp/x/casemgr.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
  });

  it('accepts postgres:// and postgresql:// and keeps the URL whole', () => {
    for (const url of [
      'postgres://postgres@127.0.0.1:5432/casemgr',
      'postgresql://u:secret@db.example:6543/casemgr?sslmode=require',
    ]) {
      assert.deepEqual(parseDatabaseUrl(url), { dialect: 'postgres', url });
    }
  });

  it('rejects other schemes and an empty sqlite path, naming DATABASE_URL', () => {
    for (const url of ['mysql://x', 'http://h/db', 'casemgr.db', '', 'sqlite:']) {
      assert.throws(() => parseDatabaseUrl(url), /DATABASE_URL/, url);
    }
  });

  it('never shows the password of a rejected URL', () => {
    for (const url of [
      'mysql://u:secret@h/db',
      'postgres://u:secret@h:notaport/db', // postgres scheme, but not a valid URL
      'postgresql://u:secret@[not-an-ip/db',
    ]) {
      assert.throws(
        () => parseDatabaseUrl(url),
        (error: Error) => {
          assert.match(error.message, /DATABASE_URL/);
          assert.doesNotMatch(error.message, /secret/, `${url} → ${error.message}`);
          return true;
        },
      );
    }
  });

  for (const [url, why] of [
    ['mysql://:secret@h/db', 'a password without a user name'],
    ['mysql://u:p@secret@h/db', 'a password that contains "@"'],
  ] as const) {
    it(`never shows ${why}`, () => {
      assert.throws(
        () => parseDatabaseUrl(url),
        (error: Error) => {
          assert.doesNotMatch(error.message, /secret/, `${url} → ${error.message}`);
          return true;
        },
      );
    });
  }
});

describe('an unreachable PostgreSQL', () => {
  it('makes openDatabase reject quickly with an error isUnavailable() recognises', async () => {
    const started = Date.now();
    let caught: unknown;
    try {
      const database = await openDatabase({ dialect: 'postgres', url: 'postgres://postgres@127.0.0.1:1/x' });
      await database.close();
    } catch (error) {
      caught = error;
    }
    const elapsed = Date.now() - started;
    assert.ok(caught !== undefined, 'openDatabase resolved against port 1');
    assert.equal(
      isUnavailable(caught),
      true,
      `not recognised as unavailable: ${caught instanceof Error ? caught.message : JSON.stringify(caught)}`,
    );
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
  });
});

for (const dialect of dialects) {
  describe(`store (${dialect})`, () => {
    describe('migrations', () => {
      let testDb: TestDatabase;
      before(async () => {
        testDb = await createTestDatabase(dialect);
      });
      after(() => testDb.drop());

      it('run on open, and a second open neither fails nor migrates again nor loses data', async () => {
        const first = await openDatabase(testDb.target);
        try {
          const tables = (await first.db.introspection.getTables()).map((t) => t.name);
          for (const table of TABLES) assert.ok(tables.includes(table), `table ${table} missing`);
          await first.db.insertInto('departments').values({ id: '999', name: 'Service' }).execute();
        } finally {
          await first.close();
        }
        const second = await openDatabase(testDb.target);
        try {
          const anyDb = second.db as unknown as Kysely<{ kysely_migration: { name: string } }>;
          const migrations = await anyDb.selectFrom('kysely_migration').select('name').execute();
          assert.deepEqual(
            migrations.map((m) => m.name),
            [
              '0001-initial',
              '0002-lifecycle-organisation',
              '0003-search-indexes',
              '0004-task-subtype-index',
              '0005-search-index-order',
              '0006-last-department',
              '0007-outbox',
              '0013-oidc-records',
            ],
          );
          assert.equal(await count(second.db, 'departments'), 1);
        } finally {
          await second.close();
        }
        // Two opens at once of a migrated database (two instances starting together) also succeed.
        const both = await Promise.all([openDatabase(testDb.target), openDatabase(testDb.target)]);
        await Promise.all(both.map((d) => d.close()));
      });

      it('two instances opening a fresh database at once migrate it once, and both open', async () => {
        const fresh = await createTestDatabase(dialect);
        try {
          const results = await Promise.allSettled([openDatabase(fresh.target), openDatabase(fresh.target)]);
          for (const r of results) if (r.status === 'fulfilled') await r.value.close();
          for (const result of results)
            assert.equal(
              result.status,
              'fulfilled',
              result.status === 'rejected' ? String(result.reason) : '',
            );
        } finally {
          await fresh.drop();
        }
      });
    });

    describe('organisation import', () => {
      let testDb: TestDatabase;
      let database: OpenDatabase;
      let store: OrganisationStore;
      const organisation = fixtureOrganisation();
      const nowMs = FIXTURE_NOW.getTime();
      // Each test has a database of its own: none relies on what another one imported.
      beforeEach(async () => {
        testDb = await createTestDatabase(dialect);
        database = await openDatabase(testDb.target);
        store = organisationStore(database);
      });
      afterEach(async () => {
        await database.close();
        await testDb.drop();
      });

      it('writes the fixture organisation and returns its counts', async () => {
        assert.equal(await store.isEmpty(), true);
        const counts = await store.import(organisation, nowMs);
        assert.deepEqual(counts, {
          departments: 3,
          users: 5,
          queues: 2,
          activities: 21,
          customers: 4,
          cases: 16,
        });
        assert.equal(await store.isEmpty(), false);
        const db = database.db;
        assert.equal(await count(db, 'departments'), organisation.departments.length);
        assert.equal(await count(db, 'roles'), organisation.roles.length);
        assert.equal(
          await count(db, 'role_actions'),
          organisation.roles.reduce((n, r) => n + r.actions.length, 0),
        );
        assert.equal(await count(db, 'users'), 5);
        assert.equal(await count(db, 'user_groups'), organisation.userGroups.length);
        assert.equal(await count(db, 'queues'), 2);
        const kinds = (name: string) => organisation.permissions.filter((p) => p.permission === name).length;
        assert.equal(await count(db, 'pull_permissions'), kinds('Pull activities'));
        assert.equal(await count(db, 'transfer_permissions'), kinds('Transfer activities'));
        // Every activity has a case: the file's four, or one of its own.
        assert.equal(await count(db, 'cases'), 16);
        assert.equal(await count(db, 'customer_contacts'), 6);
        assert.equal(await count(db, 'activity_types'), organisation.activityTypes.length);
        assert.equal(await count(db, 'activities'), 21);
        assert.equal(await count(db, 'activity_history'), 0);
        const row = await activityRow(db, '100011');
        assert.equal(row.status, 'assigned');
        assert.equal(row.assigned_user_id, '1002');
        assert.equal(Number(row.pinned), 1);
        assert.equal(Number(row.last_modified_ms), Date.parse('2026-11-01T11:11:11.220Z'));
        assert.equal(row.last_action, 'imported');
      });

      it('leaves every table identical when the same document is imported again', async () => {
        await store.import(structuredClone(organisation), nowMs);
        const before1 = await snapshot(database.db);
        const counts = await store.import(structuredClone(organisation), nowMs + 3_600_000);
        assert.deepEqual(counts, {
          departments: 3,
          users: 5,
          queues: 2,
          activities: 21,
          customers: 4,
          cases: 16,
        });
        assert.deepEqual(await snapshot(database.db), before1);
      });

      it('keeps the stored lastModified when the file has none, and sets it when the file has one', async () => {
        await store.import(structuredClone(organisation), nowMs);
        const stored = Number((await activityRow(database.db, '100002')).last_modified_ms);
        const storedCreated = Number((await activityRow(database.db, '100002')).created_ms);
        const doc = structuredClone(organisation);
        const without = doc.activities.find((a) => a.id === '100002')!;
        delete without.lastModified;
        const withNew = doc.activities.find((a) => a.id === '100003')!;
        withNew.lastModified = '2026-11-01T11:59:59.999Z';
        await store.import(doc, nowMs + 7_200_000);
        const kept = await activityRow(database.db, '100002');
        assert.equal(Number(kept.last_modified_ms), stored);
        assert.equal(Number(kept.created_ms), storedCreated);
        assert.equal(
          Number((await activityRow(database.db, '100003')).last_modified_ms),
          Date.parse('2026-11-01T11:59:59.999Z'),
        );
      });

      it('gives a new activity without lastModified the import time', async () => {
        await store.import(structuredClone(organisation), nowMs);
        const doc = structuredClone(organisation);
        const fresh = { ...doc.activities.find((a) => a.id === '100001')!, id: '200001' };
        delete fresh.lastModified;
        delete fresh.created;
        doc.activities.push(fresh);
        const importMs = nowMs + 10_000;
        await store.import(doc, importMs);
        const row = await activityRow(database.db, '200001');
        assert.equal(Number(row.last_modified_ms), importMs);
        assert.equal(Number(row.created_ms), importMs);
      });

      it('rejects a file with a bad reference before the store, so nothing is written', async () => {
        await store.import(structuredClone(organisation), nowMs);
        const before1 = await snapshot(database.db);
        const doc = structuredClone(organisation);
        doc.users[0].homeDepartment = '77';
        doc.departments.push({ id: '5000', name: 'Never written' });
        const parsed = parseOrganisation(JSON.stringify(doc));
        assert.equal(parsed.ok, false);
        assert.deepEqual(!parsed.ok && parsed.problems, [
          { path: 'users[0].homeDepartment', reason: 'no department "77"' },
        ]);
        assert.deepEqual(await snapshot(database.db), before1);
      });

      // The file's own validation cannot let this through (every reference must resolve within the
      // file), so the document goes to OrganisationStore.import directly: only the database sees it.
      it('is all-or-nothing: a role unknown to the file and the database rolls the whole import back', async () => {
        await store.import(structuredClone(organisation), nowMs);
        const before1 = await snapshot(database.db);
        const doc: OrganisationDocument = {
          departments: [{ id: '5000', name: 'Temporary' }],
          users: [
            {
              id: '9001',
              loginName: 'zed',
              firstName: 'Zed',
              lastName: 'Zimmer',
              homeDepartment: '5000',
              roles: ['4242'],
            },
          ],
        };
        assert.equal(parseOrganisation(JSON.stringify(doc)).ok, false);
        await assert.rejects(store.import(doc, nowMs));
        assert.deepEqual(await snapshot(database.db), before1);
      });

      it('is all-or-nothing when the very last statement fails (permissions are restored too)', async () => {
        await store.import(structuredClone(organisation), nowMs);
        const before1 = await snapshot(database.db);
        const doc = structuredClone(organisation);
        doc.departments.push({ id: '5000', name: 'Temporary' });
        doc.permissions = [];
        doc.activities[0].subject = 'changed by an import that fails';
        doc.activities.push({
          ...doc.activities[0],
          id: '200002',
          queue: '77777', // no such queue anywhere: the activities upsert (the last write) fails
        });
        await assert.rejects(store.import(doc, nowMs));
        assert.deepEqual(await snapshot(database.db), before1);
      });
    });

    describe('users', () => {
      let testDb: TestDatabase;
      let database: OpenDatabase;
      let users: UserStore;
      before(async () => {
        testDb = await createTestDatabase(dialect);
        database = await openDatabase(testDb.target);
        const parsed = parseOrganisation(JSON.stringify(FACTS_WORLD));
        assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
        await organisationStore(database).import(parsed.document, FIXTURE_NOW.getTime());
        users = new UserStore(database.db);
      });
      after(async () => {
        await database.close();
        await testDb.drop();
      });

      it('loadFacts: actions of roles and group roles, direct and group pulls, licenses, foreign departments', async () => {
        const facts = await users.loadFacts('1001');
        assert.ok(facts);
        assert.equal(facts.userId, '1001');
        assert.equal(facts.homeDepartmentId, '999');
        assert.deepEqual(facts.foreignDepartmentIds, new Set(['1000', '1001']));
        assert.deepEqual(facts.licenses, new Set(['eGain Advisor Desktop', 'eGain Platform']));
        // Role 1 directly, role 2 through group 50, role 3 through group 51; not role 4 (group 52).
        assert.deepEqual(
          facts.actions,
          new Set(['View Agent Console', 'Pick Activities', 'Unpin', 'Complete']),
        );
        // Queue 10 directly, queue 11 through group 50; not queue 12 (group 52).
        assert.deepEqual(facts.pullableQueueIds, new Set(['10', '11']));
        // User 1003 directly, user 1002 through group 51; not 1001 (granted to bob).
        assert.deepEqual(facts.pullableUserIds, new Set(['1002', '1003']));
      });

      it('loadFacts: a user with no roles gets actions only through its group, and empty sets elsewhere', async () => {
        const facts = await users.loadFacts('1002');
        assert.ok(facts);
        assert.equal(facts.homeDepartmentId, '999');
        assert.deepEqual(facts.actions, new Set(['Complete']));
        assert.deepEqual(facts.licenses, new Set());
        assert.deepEqual(facts.foreignDepartmentIds, new Set());
        assert.deepEqual(facts.pullableQueueIds, new Set());
        assert.deepEqual(facts.pullableUserIds, new Set(['1001', '1002']));
        const dave = await users.loadFacts('1004');
        assert.ok(dave);
        assert.deepEqual(dave.actions, new Set());
        assert.deepEqual(dave.pullableUserIds, new Set());
      });

      it('loadFacts: an unknown user has no facts', async () => {
        assert.equal(await users.loadFacts('424242'), undefined);
      });

      it('loadFacts follows a re-import that removes a group membership and a license', async () => {
        const doc = structuredClone(FACTS_WORLD);
        doc.userGroups![0].members = [];
        doc.users![0].licenses = [USER_LICENSES[0]];
        await organisationStore(database).import(doc, FIXTURE_NOW.getTime());
        const facts = await users.loadFacts('1001');
        assert.ok(facts);
        assert.deepEqual(facts.actions, new Set(['View Agent Console', 'Pick Activities', 'Complete']));
        assert.deepEqual(facts.pullableQueueIds, new Set(['10']));
        assert.deepEqual(facts.licenses, new Set([USER_LICENSES[0]]));
        await organisationStore(database).import(FACTS_WORLD, FIXTURE_NOW.getTime());
      });

      it('findUser finds by id and by login name, preferring the id', async () => {
        assert.deepEqual(await users.findUser('1001'), { id: '1001', loginName: 'alice' });
        assert.deepEqual(await users.findUser('alice'), { id: '1001', loginName: 'alice' });
        assert.deepEqual(await users.findUser('bob'), { id: '1002', loginName: 'bob' });
        // "1002" is bob's id and user 1004's login name.
        assert.deepEqual(await users.findUser('1002'), { id: '1002', loginName: 'bob' });
        assert.equal(await users.findUser('nobody'), undefined);
        assert.equal(await users.findUser('Alice'), undefined);
      });

      it("a token claim that is one user's id and another's login resolves to the id (docs/decisions.md)", async () => {
        const key = await new KeyStore(database.db).getOrCreate(Date.now());
        const callers = createCallerResolver(createTokenVerifier(EMBEDDED_AUTH, key), users, 0);
        const callerFor = async (claim: string) => {
          const token = issueToken(key, {
            userId: claim,
            loginName: claim,
            scope: 'core.casemgr.read',
            expiresInSeconds: 60,
          });
          const resolution = await callers.resolve(`Bearer ${token}`);
          return resolution.ok ? resolution.caller?.userId : undefined;
        };
        // "1002" is bob's id and user 1004's login name: bob.
        assert.equal(await callerFor('1002'), '1002');
        assert.equal(await callerFor('1004'), '1004');
        assert.equal(await callerFor('alice'), '1001');
        assert.equal(await callerFor('nobody'), undefined);
      });
    });

    describe('activities', () => {
      let testDb: TestDatabase;
      let database: OpenDatabase;
      let store: ActivityStore;
      const organisation = fixtureOrganisation();
      // Each test has a freshly imported database of its own: none relies on another one's picks.
      beforeEach(async () => {
        testDb = await createTestDatabase(dialect);
        database = await openDatabase(testDb.target);
        await organisationStore(database).import(organisation, FIXTURE_NOW.getTime());
        store = activityStore(database);
      });
      afterEach(async () => {
        await database.close();
        await testDb.drop();
      });

      it('pickAtomically writes the plan for every activity and one history row each, under one pick id', async () => {
        const before1 = await snapshot(database.db);
        const previous1 = Number((await activityRow(database.db, '100001')).last_modified_ms);
        const previous11 = Number((await activityRow(database.db, '100011')).last_modified_ms);
        const newMs = FIXTURE_NOW.getTime() + 60_000;
        let seen: readonly Activity[] = [];
        const outcome = await store.pickAtomically(['100011', '100001', '999999'], (found) => {
          seen = found;
          return succeed<PickPlan>({
            userId: '1001',
            lastModifiedMs: newMs,
            changes: [
              {
                activityId: '100011',
                from: { kind: 'user', id: '1002' },
                unpinned: true,
                previousLastModifiedMs: previous11,
              },
              {
                activityId: '100001',
                from: { kind: 'queue', id: '10' },
                unpinned: false,
                previousLastModifiedMs: previous1,
              },
            ],
          });
        });
        assert.equal(outcome.ok, true);
        // Only the rows that exist, locked (and so returned) in ascending id order.
        assert.deepEqual(
          seen.map((a) => a.id),
          ['100001', '100011'],
        );
        assert.equal(seen[1].pinned, true);
        assert.equal(seen[1].assignedUserId, '1002');

        for (const id of ['100001', '100011']) {
          const row = await activityRow(database.db, id);
          const entry = organisation.activities.find((a) => a.id === id)!;
          assert.equal(row.status, 'assigned', id);
          assert.equal(row.substatus, 'new', id);
          assert.equal(row.assigned_user_id, '1001', id);
          assert.equal(Number(row.pinned), 0, id);
          assert.equal(Number(row.locked), 0, id);
          assert.equal(Number(row.last_modified_ms), newMs, id);
          assert.equal(row.last_modified_by, '1001', id);
          assert.equal(row.last_action, 'picked', id);
          // Unchanged by a pick.
          assert.equal(row.queue_id, entry.queue ?? null, id);
          assert.equal(row.department_id, entry.department, id);
          assert.equal(row.subject, entry.subject, id);
          assert.equal(Number(row.created_ms), Date.parse(entry.created!), id);
        }

        const history = await database.db
          .selectFrom('activity_history')
          .selectAll()
          .orderBy('activity_id')
          .execute();
        assert.equal(history.length, 2);
        const pickId = history[0].pick_id;
        assert.match(pickId, /^[0-9a-f-]{36}$/);
        assert.deepEqual(
          history.map(({ id: _id, at_ms, unpinned, ...rest }) => ({
            ...rest,
            at_ms: Number(at_ms),
            unpinned: Number(unpinned),
          })),
          [
            {
              activity_id: '100001',
              pick_id: pickId,
              from_kind: 'queue',
              from_id: '10',
              to_user_id: '1001',
              by_user_id: '1001',
              at_ms: newMs,
              unpinned: 0,
              action: 'picked',
            },
            {
              activity_id: '100011',
              pick_id: pickId,
              from_kind: 'user',
              from_id: '1002',
              to_user_id: '1001',
              by_user_id: '1001',
              at_ms: newMs,
              unpinned: 1,
              action: 'picked',
            },
          ],
        );

        // Nothing else changed.
        const after1 = await snapshot(database.db);
        const touched = (line: string) => /"id":"100001"|"id":"100011"/.test(line);
        assert.deepEqual(
          after1.activities.filter((l) => !touched(l)),
          before1.activities.filter((l) => !touched(l)),
        );
        for (const table of TABLES.filter((t) => t !== 'activities' && t !== 'activity_history'))
          assert.deepEqual(after1[table], before1[table], table);

        // A second pick gets a pick id of its own.
        const outcome2 = await store.pickAtomically(['100002'], ([found]) =>
          succeed<PickPlan>({
            userId: '1002',
            lastModifiedMs: newMs + 1,
            changes: [
              {
                activityId: found.id,
                from: { kind: 'queue', id: found.queueId! },
                unpinned: false,
                previousLastModifiedMs: found.lastModifiedMs,
              },
            ],
          }),
        );
        assert.equal(outcome2.ok, true);
        const second = await database.db
          .selectFrom('activity_history')
          .select('pick_id')
          .where('activity_id', '=', '100002')
          .executeTakeFirstOrThrow();
        assert.notEqual(second.pick_id, pickId);
      });

      it('writes nothing when decide fails or throws', async () => {
        const before1 = await snapshot(database.db);
        const failure: Outcome<PickPlan> = fail({ kind: 'StaleLastModified', ids: ['100003'] });
        const outcome = await store.pickAtomically(['100003', '100004'], () => failure);
        assert.deepEqual(outcome, failure);
        await assert.rejects(
          store.pickAtomically(['100003'], () => {
            throw new Error('rules blew up');
          }),
          /rules blew up/,
        );
        assert.deepEqual(await snapshot(database.db), before1);
      });

      it('rolls the activity update back when the history insert fails', async () => {
        const before1 = await snapshot(database.db);
        await assert.rejects(
          store.pickAtomically(['100005'], ([found]) =>
            succeed<PickPlan>({
              userId: '1001',
              lastModifiedMs: found.lastModifiedMs + 1,
              // from.id NOT NULL: the history insert, after the update, fails.
              changes: [
                {
                  activityId: found.id,
                  from: { kind: 'queue', id: null as unknown as string },
                  unpinned: false,
                  previousLastModifiedMs: found.lastModifiedMs,
                },
              ],
            }),
          ),
        );
        assert.deepEqual(await snapshot(database.db), before1);
      });

      it('findViews returns the names beside the ids', async () => {
        // 100001 picked by alice: its view names her.
        await store.pickAtomically(['100001'], ([found]) =>
          succeed<PickPlan>({
            userId: '1001',
            lastModifiedMs: found.lastModifiedMs + 1,
            changes: [
              {
                activityId: found.id,
                from: { kind: 'queue', id: found.queueId! },
                unpinned: false,
                previousLastModifiedMs: found.lastModifiedMs,
              },
            ],
          }),
        );
        assert.deepEqual(await store.findViews([]), []);
        const asked = ['100019', '100001', '100020', '100021', '100011', '424242'];
        const views = (await store.findViews(asked)).sort((a, b) => a.id.localeCompare(b.id));
        assert.deepEqual(
          views.map((v) => v.id),
          ['100001', '100011', '100019', '100020', '100021'],
        );
        const byId = new Map(views.map((v) => [v.id, v]));
        const pick = (id: string) => {
          const v = byId.get(id)!;
          return {
            departmentName: v.departmentName,
            queueName: v.queueName,
            assignedUserName: v.assignedUserName,
            customTypeDisplayName: v.customTypeDisplayName,
          };
        };
        assert.deepEqual(pick('100001'), {
          departmentName: 'Service',
          queueName: 'Billing',
          assignedUserName: 'Alice Archer',
          customTypeDisplayName: null,
        });
        assert.deepEqual(pick('100019'), {
          departmentName: 'Sales',
          queueName: 'Sales Leads',
          assignedUserName: null,
          customTypeDisplayName: null,
        });
        assert.deepEqual(pick('100020'), {
          departmentName: 'Service',
          queueName: 'Billing',
          assignedUserName: null,
          customTypeDisplayName: 'Warranty claim',
        });
        assert.deepEqual(pick('100021'), {
          departmentName: 'Service',
          queueName: 'Billing',
          assignedUserName: 'Alice Archer',
          customTypeDisplayName: null,
        });
        const v20 = byId.get('100020')!;
        const entry = organisation.activities.find((a) => a.id === '100020')!;
        assert.equal(v20.type, 'warranty_claim');
        assert.equal(v20.status, 'awaiting_assignment');
        assert.equal(v20.subject, entry.subject);
        assert.equal(v20.lastModifiedMs, Date.parse(entry.lastModified!));
        assert.equal(v20.createdMs, Date.parse(entry.created!));
        assert.equal(v20.pinned, false);
      });

      it('findViews shows the assignee of an unpicked activity', async () => {
        const [view] = await store.findViews(['100014']);
        assert.equal(view.assignedUserName, 'Bob Baker');
        assert.equal(view.locked, true);
        assert.equal(view.assignedUserId, '1002');
      });

      const ORDER = /order by length\((?:"a"\."id"|a\.id)\), "a"\."id"/;
      it(`the lock query orders by numeric id ${dialect === 'postgres' ? 'and ends with for update' : 'and takes no row lock'}`, () => {
        const sql = store.lockSql(['100002', '100001']).trim();
        assert.match(sql, /^select /);
        assert.match(sql, /where "a"\."id" in \(/);
        assert.match(sql, ORDER);
        if (dialect === 'postgres') assert.match(sql, /order by length\([^)]*\), "a"\."id" for update$/);
        else assert.doesNotMatch(sql, /for update/i);
      });

      it('the lock query refers to a.id through Kysely (quoted), like every other identifier', () => {
        const sql = store.lockSql(['100001']);
        assert.match(sql, /order by length\("a"\."id"\), "a"\."id"/);
      });

      it('pickAtomically runs exactly the lock query that lockSql shows', async () => {
        const queries: { sql: string; parameters: readonly unknown[] }[] = [];
        const log = (event: LogEvent) => {
          if (event.level === 'query')
            queries.push({ sql: event.query.sql, parameters: event.query.parameters });
        };
        const logged =
          testDb.target.dialect === 'sqlite'
            ? new Kysely<Database>({
                dialect: new SqliteDialect({ database: new SqliteDatabase(testDb.target.path) }),
                log,
              })
            : new Kysely<Database>({
                dialect: new PostgresDialect({
                  pool: new pg.Pool({ connectionString: testDb.target.url, max: 2 }),
                }),
                log,
              });
        try {
          const loggedStore = new ActivityStore(logged, dialect, createTransactional(logged, dialect));
          const ids = ['100007', '100006'];
          const seen: string[] = [];
          await loggedStore.pickAtomically(ids, (found) => {
            seen.push(...found.map((a) => a.id));
            return fail({ kind: 'StaleLastModified', ids: ['100006'] });
          });
          assert.deepEqual(seen, ['100006', '100007']);
          const lock = queries.filter((q) => q.sql.includes('from "activities" as "a"'));
          assert.equal(lock.length, 1, JSON.stringify(queries));
          assert.equal(lock[0].sql, loggedStore.lockSql(ids));
          assert.deepEqual(lock[0].parameters, ids);
          if (dialect === 'postgres') assert.match(lock[0].sql, /for update$/);
          else {
            assert.doesNotMatch(lock[0].sql, /for update/);
            // SQLite takes the write lock up front instead.
            const begin = queries.findIndex((q) => /^begin immediate$/i.test(q.sql));
            assert.ok(begin >= 0 && begin < queries.indexOf(lock[0]), JSON.stringify(queries));
          }
        } finally {
          await logged.destroy();
        }
      });
    });

    describe('signing keys', () => {
      let testDb: TestDatabase;
      before(async () => {
        testDb = await createTestDatabase(dialect);
      });
      after(() => testDb.drop());

      it('getOrCreate is stable across calls and across a second open of the same database', async () => {
        const first = await openDatabase(testDb.target);
        let key;
        try {
          key = await new KeyStore(first.db).getOrCreate(1_000);
          assert.equal(key.algorithm, 'EdDSA');
          assert.match(key.privatePem, /BEGIN PRIVATE KEY/);
          assert.match(key.publicPem, /BEGIN PUBLIC KEY/);
          assert.deepEqual(await new KeyStore(first.db).getOrCreate(2_000), key);
          assert.deepEqual(await new KeyStore(first.db).getOrCreate(3_000), key);
          assert.equal(await count(first.db, 'signing_keys'), 1);
        } finally {
          await first.close();
        }
        const second = await openDatabase(testDb.target);
        try {
          assert.deepEqual(await new KeyStore(second.db).getOrCreate(4_000), key);
          assert.equal(await count(second.db, 'signing_keys'), 1);
        } finally {
          await second.close();
        }
      });

      // Two processes on a fresh database (`casemgr serve` starting while `casemgr token` runs): B reads
      // "no key" and is paused there; A creates its key and returns it (serve would verify with it for
      // its whole life); then B goes on. B created its key earlier (5 000 < 6 000), so it is the oldest.
      it('two racing first calls agree on one key', async () => {
        const fresh = await createTestDatabase(dialect);
        const a = await openDatabase(fresh.target);
        const b = await openDatabase(fresh.target);
        try {
          let readDone!: () => void;
          const bHasRead = new Promise<void>((resolve) => (readDone = resolve));
          let release!: () => void;
          const gate = new Promise<void>((resolve) => (release = resolve));
          let first = true;
          const paused = b.db.withPlugin({
            transformQuery: (args) => args.node,
            transformResult: async (args) => {
              if (first) {
                first = false;
                readDone();
                await gate;
              }
              return args.result;
            },
          });
          const pending = new KeyStore(paused).getOrCreate(5_000);
          await bHasRead;
          const keyA = await new KeyStore(a.db).getOrCreate(6_000);
          release();
          const keyB = await pending;
          assert.equal(keyB.kid, keyA.kid, 'the two racers got different keys');
          assert.deepEqual(await new KeyStore(a.db).getOrCreate(7_000), keyA);
        } finally {
          await Promise.all([a.close(), b.close()]);
          await fresh.drop();
        }
      });
    });

    if (dialect === 'postgres') {
      describe('transaction retry', () => {
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

        const settingsRows = () =>
          database.db.selectFrom('settings').selectAll().where('name', 'like', 'probe-%').execute();

        it('reruns a unit of work that fails with 40001, each attempt in a fresh transaction', async () => {
          const retried: unknown[] = [];
          const transactional = createTransactional(
            database.db,
            'postgres',
            { isolation: 'read committed', retries: 3 },
            { onRetry: (error) => retried.push(error) },
          );
          let attempts = 0;
          const result = await transactional(async (trx) => {
            attempts++;
            // The same key every attempt: a leftover from a failed attempt would violate it.
            await trx
              .insertInto('settings')
              .values({ name: 'probe-a', value: String(attempts) })
              .execute();
            if (attempts < 3) throw serializationFailure();
            return 'done';
          });
          assert.equal(result, 'done');
          assert.equal(attempts, 3);
          assert.equal(retried.length, 2);
          assert.deepEqual(await settingsRows(), [{ name: 'probe-a', value: '3' }]);
          await database.db.deleteFrom('settings').execute();
        });

        it('also reruns on 40P01 (deadlock)', async () => {
          const transactional = createTransactional(database.db, 'postgres', {
            isolation: 'serializable',
            retries: 2,
          });
          let attempts = 0;
          await transactional(async () => {
            attempts++;
            if (attempts === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
          });
          assert.equal(attempts, 2);
        });

        it('gives up after the configured retries with StoreUnavailableError, writing nothing', async () => {
          const transactional = createTransactional(database.db, 'postgres', {
            isolation: 'read committed',
            retries: 3,
          });
          let attempts = 0;
          const started = Date.now();
          await assert.rejects(
            transactional(async (trx) => {
              attempts++;
              await trx.insertInto('settings').values({ name: 'probe-b', value: 'x' }).execute();
              throw serializationFailure();
            }),
            (error: unknown) => {
              assert.ok(error instanceof StoreUnavailableError, String(error));
              assert.equal((error.cause as { code?: string }).code, '40001');
              assert.equal(isUnavailable(error), true);
              return true;
            },
          );
          assert.equal(attempts, 4);
          assert.ok(Date.now() - started < 2000);
          assert.deepEqual(await settingsRows(), []);
        });

        it('does not retry other errors and passes them through unchanged', async () => {
          const transactional = createTransactional(database.db, 'postgres', {
            isolation: 'read committed',
            retries: 3,
          });
          let attempts = 0;
          const boom = Object.assign(new Error('duplicate key'), { code: '23505' });
          await assert.rejects(
            transactional(async () => {
              attempts++;
              throw boom;
            }),
            (error) => error === boom,
          );
          assert.equal(attempts, 1);
        });

        // A statement or lock timeout means the database could not serve in time: 503, not 500.
        for (const [label, setting, code] of [
          ['statement_timeout (57014)', 'statement_timeout', '57014'],
          ['lock_timeout (55P03)', 'lock_timeout', '55P03'],
        ] as const) {
          it(`treats ${label} as unavailable, not as a fault`, async () => {
            const holder = await database.db.connection().execute(async (connection) => {
              await sql`BEGIN`.execute(connection);
              await sql`LOCK TABLE settings IN ACCESS EXCLUSIVE MODE`.execute(connection);
              try {
                return await database.db.transaction().execute(async (trx) => {
                  await sql.raw(`SET LOCAL ${setting} = '50ms'`).execute(trx);
                  await sql`SELECT count(*) FROM settings`.execute(trx);
                  return undefined;
                });
              } catch (error) {
                return error;
              } finally {
                await sql`ROLLBACK`.execute(connection);
              }
            });
            assert.equal((holder as { code?: string } | undefined)?.code, code, String(holder));
            assert.equal(isUnavailable(holder), true);
          });
        }
      });
    }
  });
}
