// Tests of the organisation generator: deterministic, keeps the well-known demo content at every size,
// and obeys every rule of docs/organisation-file.md. The rules are checked here independently of the
// importer so that a bug shared by both cannot hide.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALICE,
  BILLING_QUEUE,
  BOB,
  CAROL,
  DAVE,
  DEMO_OPTIONS,
  ERIN,
  MINIMUM_SIZES,
  SALES,
  SALES_QUEUE,
  SERVICE,
  generateOrganisation,
  type ActivityEntry,
  type OrganisationFile,
  type UserEntry,
} from './organisation-generator.js';
import { BUILT_IN_ACTIVITY_TYPES } from '../domain/activity.js';
import { USER_LICENSES } from '../domain/caller.js';
import { KNOWN_ACTIONS } from './organisation-schema.js';

const LICENSES = new Set<string>(USER_LICENSES);
const ACTIONS = new Set<string>(KNOWN_ACTIONS);
const BUILT_IN_TYPES: readonly string[] = BUILT_IN_ACTIVITY_TYPES;
const SUBSTATUSES: Record<string, readonly string[]> = {
  in_workflow: ['in_workflow'],
  awaiting_assignment: ['ready_for_assignment'],
  assigned: ['new', 'in_progress'],
  in_precompletion: ['in_precompletion'],
  completed: ['done'],
};
const SUBTYPES: Record<string, readonly (string | undefined)[]> = {
  email: ['general', 'complaint', 'inquiry'],
  social: ['twitter', 'facebook'],
  task: ['follow_up', undefined],
};
const ID = /^[1-9][0-9]*$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const demo = generateOrganisation(DEMO_OPTIONS);
const nowMs = DEMO_OPTIONS.now.getTime();

// ---------------------------------------------------------------------------------------------
// An independent checker of org-data.md; returns every problem so a failure shows them all.

/** The ids of each kind, once checked for uniqueness. */
interface Known {
  departments: Set<string>;
  roles: Set<string>;
  users: Set<string>;
  groups: Set<string>;
  queues: Set<string>;
  types: Set<string>;
}

function uniqueIds(kind: string, ids: readonly string[], problems: string[]): Set<string> {
  const seen = new Set<string>();
  for (const id of ids) {
    if (!ID.test(id)) problems.push(`${kind} id ${JSON.stringify(id)} is not digits without a leading zero`);
    if (seen.has(id)) problems.push(`${kind} id ${id} is duplicated`);
    seen.add(id);
  }
  return seen;
}

function checkActivity(a: ActivityEntry, org: OrganisationFile, known: Known, problems: string[]): void {
  const say = (reason: string) => problems.push(`activity ${a.id}: ${reason}`);
  if (!known.departments.has(a.department)) say(`no department ${a.department}`);
  if (!BUILT_IN_TYPES.includes(a.type) && !known.types.has(a.type)) say(`unknown type ${a.type}`);
  if (a.queue !== undefined && !known.queues.has(a.queue)) say(`no queue ${a.queue}`);
  if (a.queue !== undefined && org.queues.find((q) => q.id === a.queue)?.department !== a.department) {
    say(`queue ${a.queue} is not in department ${a.department}`);
  }
  if (a.assignedTo !== undefined && !known.users.has(a.assignedTo)) say(`no user ${a.assignedTo}`);
  if (a.status === 'assigned' && a.assignedTo === undefined) say('assigned without assignedTo');
  if (a.status === 'awaiting_assignment' && a.queue === undefined) say('awaiting_assignment without queue');
  if (a.status === 'awaiting_assignment' && a.assignedTo !== undefined)
    say('awaiting_assignment with assignedTo');
  if (a.status !== 'assigned' && (a.pinned || a.locked)) say('pinned/locked but not assigned');
  if (!(SUBSTATUSES[a.status] ?? []).includes(a.substatus ?? ''))
    say(`substatus ${a.substatus} with ${a.status}`);
  const subtypes = SUBTYPES[a.type];
  if (subtypes ? !subtypes.includes(a.subtype) : a.subtype !== undefined)
    say(`subtype ${a.subtype} on ${a.type}`);
  if (
    a.type === 'email'
      ? a.mode !== 'inbound' && a.mode !== 'outbound'
      : a.type === 'social'
        ? a.mode !== 'inbound'
        : a.mode !== undefined
  ) {
    say(`mode ${a.mode} on ${a.type}`);
  }
  if (a.isDraftResponse) checkDraft(a, org, say);
  if (a.created === undefined || a.lastModified === undefined) {
    say('missing created/lastModified');
    return;
  }
  if (!ISO_MS.test(a.created) || !ISO_MS.test(a.lastModified)) say('timestamps not ISO with ms and Z');
  const created = Date.parse(a.created);
  const lastModified = Date.parse(a.lastModified);
  if (!(created <= lastModified && lastModified <= nowMs)) say('not created ≤ lastModified ≤ now');
}

const activityById = new WeakMap<OrganisationFile, Map<string, ActivityEntry>>();
function findActivity(org: OrganisationFile, id: string): ActivityEntry | undefined {
  let map = activityById.get(org);
  if (!map) activityById.set(org, (map = new Map(org.activities.map((a) => [a.id, a]))));
  return map.get(id);
}

function checkDraft(a: ActivityEntry, org: OrganisationFile, say: (reason: string) => void): void {
  if (a.type !== 'email' || a.mode !== 'outbound' || a.status !== 'assigned')
    say('draft is not an assigned outbound email');
  const parent = a.parentActivity === undefined ? undefined : findActivity(org, a.parentActivity);
  if (!parent || parent.type !== 'email' || parent.mode !== 'inbound')
    say('draft parent is not an inbound email');
}

function findProblems(org: OrganisationFile): string[] {
  const problems: string[] = [];
  const known: Known = {
    departments: uniqueIds(
      'department',
      org.departments.map((d) => d.id),
      problems,
    ),
    roles: uniqueIds(
      'role',
      org.roles.map((r) => r.id),
      problems,
    ),
    users: uniqueIds(
      'user',
      org.users.map((u) => u.id),
      problems,
    ),
    groups: uniqueIds(
      'group',
      org.userGroups.map((g) => g.id),
      problems,
    ),
    queues: uniqueIds(
      'queue',
      org.queues.map((q) => q.id),
      problems,
    ),
    types: new Set(org.activityTypes.map((t) => t.name)),
  };
  uniqueIds(
    'activity',
    org.activities.map((a) => a.id),
    problems,
  );
  const expect = (known: Set<string>, id: string, what: string) => {
    if (!known.has(id)) problems.push(`${what}: ${id} does not resolve`);
  };

  if (new Set(org.users.map((u) => u.loginName)).size !== org.users.length)
    problems.push('duplicate loginName');
  for (const t of org.activityTypes)
    if (BUILT_IN_TYPES.includes(t.name)) problems.push(`type ${t.name} is built in`);
  for (const r of org.roles)
    for (const action of r.actions) if (!ACTIONS.has(action)) problems.push(`action ${action}`);
  for (const u of org.users) {
    expect(known.departments, u.homeDepartment, `user ${u.id} home`);
    for (const d of u.foreignDepartments ?? []) expect(known.departments, d, `user ${u.id} foreign`);
    for (const r of u.roles ?? []) expect(known.roles, r, `user ${u.id} role`);
    for (const l of u.licenses ?? []) if (!LICENSES.has(l)) problems.push(`user ${u.id} license ${l}`);
  }
  for (const g of org.userGroups) {
    expect(known.departments, g.department, `group ${g.id} department`);
    for (const m of g.members ?? []) expect(known.users, m, `group ${g.id} member`);
    for (const r of g.roles ?? []) expect(known.roles, r, `group ${g.id} role`);
  }
  for (const q of org.queues) expect(known.departments, q.department, `queue ${q.id} department`);
  for (const [i, p] of org.permissions.entries()) {
    if (p.permission !== 'Pull activities' && p.permission !== 'Transfer activities')
      problems.push(`permission ${i}: ${JSON.stringify(p.permission)}`);
    if ('queue' in p.on) expect(known.queues, p.on.queue, `permission ${i} on queue`);
    else expect(known.users, p.on.user, `permission ${i} on user`);
    if ('user' in p.grantedTo) expect(known.users, p.grantedTo.user, `permission ${i} to user`);
    else expect(known.groups, p.grantedTo.group, `permission ${i} to group`);
  }
  org.activities.forEach((a, i) => {
    if (a.id !== String(100001 + i)) problems.push(`activity #${i} has id ${a.id}, not ${100001 + i}`);
    checkActivity(a, org, known, problems);
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Helpers about who may do what

function user(org: OrganisationFile, id: string): UserEntry {
  const found = org.users.find((u) => u.id === id);
  assert.ok(found, `user ${id}`);
  return found;
}

function actionsOf(org: OrganisationFile, id: string): Set<string> {
  const groupRoles = org.userGroups
    .filter((g) => (g.members ?? []).includes(id))
    .flatMap((g) => g.roles ?? []);
  const roleIds = new Set([...(user(org, id).roles ?? []), ...groupRoles]);
  return new Set(org.roles.filter((r) => roleIds.has(r.id)).flatMap((r) => r.actions));
}

function pulls(org: OrganisationFile, id: string): { queues: Set<string>; users: Set<string> } {
  const groups = new Set(org.userGroups.filter((g) => (g.members ?? []).includes(id)).map((g) => g.id));
  const mine = org.permissions.filter(
    (p) =>
      p.permission === 'Pull activities' &&
      ('user' in p.grantedTo ? p.grantedTo.user === id : groups.has(p.grantedTo.group)),
  );
  return {
    queues: new Set(mine.flatMap((p) => ('queue' in p.on ? [p.on.queue] : []))),
    users: new Set(mine.flatMap((p) => ('user' in p.on ? [p.on.user] : []))),
  };
}

function activity(org: OrganisationFile, id: number): ActivityEntry {
  const found = org.activities[id - 100001];
  assert.ok(found && found.id === String(id), `activity ${id}`);
  return found;
}

// ---------------------------------------------------------------------------------------------

void describe('generateOrganisation', () => {
  void it('is deterministic: the same options give a deep-equal file', () => {
    assert.deepEqual(generateOrganisation(DEMO_OPTIONS), demo);
    const other = generateOrganisation({ ...DEMO_OPTIONS, seed: 43 });
    assert.notDeepEqual(other.activities, demo.activities);
  });

  void it('obeys every rule of org-data.md at demo size', () => {
    assert.deepEqual(findProblems(demo), []);
  });

  void it('is checked by a checker that does catch broken files', () => {
    const broken = structuredClone(demo);
    broken.users[5].homeDepartment = '77';
    broken.activities[0].assignedTo = BOB; // awaiting_assignment with an assignee
    broken.activities[11].status = 'awaiting_assignment'; // substatus in_progress no longer fits
    broken.activities[30].type = 'fax';
    broken.permissions.push({
      permission: 'Pull activities',
      on: { queue: '9999' },
      grantedTo: { group: '1' },
    });
    broken.activities[40].id = '100001';
    const problems = findProblems(broken).join('\n');
    for (const expected of [
      'user 1006 home: 77',
      'awaiting_assignment with assignedTo',
      'substatus in_progress',
      'unknown type fax',
      'on queue: 9999',
      'to group: 1 ',
      'activity id 100001 is duplicated',
    ]) {
      assert.ok(problems.includes(expected), `expected ${JSON.stringify(expected)} in\n${problems}`);
    }
  });

  void it('obeys the rules at the smallest size and at other shapes', () => {
    for (const options of [
      { ...DEMO_OPTIONS, ...MINIMUM_SIZES, seed: 1 },
      { ...DEMO_OPTIONS, ...MINIMUM_SIZES, activities: 500, seed: 2 },
      { ...DEMO_OPTIONS, departments: 12, users: 60, queues: 5, activities: 2000, seed: 3 },
      { ...DEMO_OPTIONS, departments: 4, users: 120, queues: 30, activities: 5000, seed: 4 },
    ]) {
      assert.deepEqual(findProblems(generateOrganisation(options)), [], JSON.stringify(options));
    }
  });

  void it('refuses sizes too small for the well-known content', () => {
    assert.throws(
      () => generateOrganisation({ ...DEMO_OPTIONS, activities: MINIMUM_SIZES.activities - 1 }),
      RangeError,
    );
    assert.throws(() => generateOrganisation({ ...DEMO_OPTIONS, users: 4 }), RangeError);
    assert.throws(() => generateOrganisation({ ...DEMO_OPTIONS, departments: 2 }), RangeError);
  });

  void it('produces exactly the requested sizes', () => {
    assert.equal(demo.departments.length, 3);
    assert.equal(demo.users.length, 20);
    assert.equal(demo.queues.length, 10);
    assert.equal(demo.activities.length, 3000);
  });
});

void describe('well-known demo content', () => {
  void it('has the documented departments and queues', () => {
    assert.deepEqual(demo.departments.slice(0, 2), [
      { id: SERVICE, name: 'Service', sharedWith: [SALES], transferQueue: BILLING_QUEUE },
      { id: SALES, name: 'Sales', sharedWith: [SERVICE], transferQueue: SALES_QUEUE },
    ]);
    assert.equal(demo.departments[2].id, '1001');
    assert.deepEqual(demo.queues[0], { id: BILLING_QUEUE, name: 'Billing', department: SERVICE });
    assert.equal(demo.queues[1].id, SALES_QUEUE);
    assert.equal(demo.queues[1].department, SALES);
  });

  void it('has alice, bob, carol, dave and erin as documented', () => {
    const logins = [ALICE, BOB, CAROL, DAVE, ERIN].map((id) => user(demo, id).loginName);
    assert.deepEqual(logins, ['alice', 'bob', 'carol', 'dave', 'erin']);
    const alice = user(demo, ALICE);
    assert.equal(alice.homeDepartment, SERVICE);
    assert.deepEqual(alice.foreignDepartments, [SALES]);
    assert.deepEqual(alice.licenses, ['eGain Advisor Desktop']);
    assert.ok(actionsOf(demo, ALICE).has('Unpin'));
    assert.deepEqual(user(demo, BOB).licenses, ['eGain MailPlus']);
    assert.deepEqual(user(demo, CAROL).licenses, ['eGain Platform']);
    assert.deepEqual(user(demo, ERIN).licenses, []);
    assert.ok(actionsOf(demo, BOB).has('Pick Activities'));
    assert.ok(!actionsOf(demo, BOB).has('Unpin'));
    assert.ok(actionsOf(demo, CAROL).has('Pick Activities'));
    assert.ok(actionsOf(demo, DAVE).has('View Agent Console'));
    assert.ok(!actionsOf(demo, DAVE).has('Pick Activities'));
  });

  void it('gives alice Pull on every Service queue and Service agent, and none on Sales queues', () => {
    const alice = pulls(demo, ALICE);
    for (const q of demo.queues)
      assert.equal(alice.queues.has(q.id), q.department === SERVICE, `queue ${q.id}`);
    const serviceAgents = demo.users.filter(
      (u) => u.homeDepartment === SERVICE && (u.roles ?? []).includes('1'),
    );
    assert.ok(serviceAgents.length >= 3);
    for (const agent of serviceAgents) assert.ok(alice.users.has(agent.id), `agent ${agent.id}`);
  });

  void it('gives bob Pull on queue 10 only, and carol and erin on queue 10', () => {
    assert.deepEqual(pulls(demo, BOB), { queues: new Set([BILLING_QUEUE]), users: new Set() });
    assert.ok(pulls(demo, CAROL).queues.has(BILLING_QUEUE));
    assert.ok(pulls(demo, ERIN).queues.has(BILLING_QUEUE));
  });

  for (const [name, org] of [
    ['demo', demo],
    ['smallest', generateOrganisation({ ...DEMO_OPTIONS, ...MINIMUM_SIZES, seed: 9 })],
  ] as const) {
    void it(`has the fixed activities 100001–100021 (${name})`, () => {
      for (let id = 100001; id <= 100010; id++) {
        const a = activity(org, id);
        assert.deepEqual(
          [a.type, a.mode, a.status, a.queue, a.department, a.assignedTo],
          ['email', 'inbound', 'awaiting_assignment', BILLING_QUEUE, SERVICE, undefined],
        );
      }
      for (let id = 100011; id <= 100013; id++) {
        const a = activity(org, id);
        assert.deepEqual(
          [a.type, a.status, a.assignedTo, a.pinned, a.locked],
          ['email', 'assigned', BOB, true, false],
        );
      }
      const locked = activity(org, 100014);
      assert.deepEqual(
        [locked.status, locked.assignedTo, locked.locked, locked.pinned],
        ['assigned', BOB, true, false],
      );
      const draft = activity(org, 100015);
      assert.deepEqual(
        [draft.type, draft.mode, draft.isDraftResponse, draft.parentActivity, draft.status, draft.assignedTo],
        ['email', 'outbound', true, '100011', 'assigned', BOB],
      );
      const chat = activity(org, 100016);
      assert.deepEqual([chat.type, chat.status, chat.queue], ['chat', 'awaiting_assignment', BILLING_QUEUE]);
      assert.equal(activity(org, 100017).status, 'completed');
      const task = activity(org, 100018);
      assert.deepEqual([task.type, task.status, task.queue], ['task', 'awaiting_assignment', BILLING_QUEUE]);
      const sales = activity(org, 100019);
      assert.deepEqual(
        [sales.type, sales.status, sales.queue, sales.department],
        ['email', 'awaiting_assignment', SALES_QUEUE, SALES],
      );
      const generic = activity(org, 100020);
      assert.deepEqual(
        [generic.type, generic.status, generic.queue],
        ['warranty_claim', 'awaiting_assignment', BILLING_QUEUE],
      );
      const alices = activity(org, 100021);
      assert.deepEqual(
        [alices.type, alices.status, alices.assignedTo, alices.pinned],
        ['task', 'assigned', ALICE, false],
      );
    });
  }

  void it('assigns no random activity to the well-known users', () => {
    const fixedUsers = new Set([ALICE, BOB, CAROL, DAVE, ERIN]);
    const strays = demo.activities
      .slice(21)
      .filter((a) => a.assignedTo !== undefined && fixedUsers.has(a.assignedTo));
    assert.deepEqual(strays, []);
  });
});

void describe('realistic mix', () => {
  const share = (predicate: (a: ActivityEntry) => boolean, among = demo.activities) =>
    among.filter(predicate).length / among.length;

  void it('has every type, email the most common', () => {
    const counts = new Map<string, number>();
    for (const a of demo.activities) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
    const expected = [...BUILT_IN_TYPES, ...demo.activityTypes.map((t) => t.name)];
    for (const type of expected) assert.ok((counts.get(type) ?? 0) > 0, `type ${type} present`);
    const email = counts.get('email')!;
    for (const [type, count] of counts)
      if (type !== 'email') assert.ok(email > count, `email outnumbers ${type}`);
    assert.ok(demo.activityTypes.length >= 1 && demo.activityTypes.length <= 2);
  });

  void it('has every status in roughly the intended proportions', () => {
    for (const status of Object.keys(SUBSTATUSES)) assert.ok(share((a) => a.status === status) > 0, status);
    const awaiting = share((a) => a.status === 'awaiting_assignment');
    const assigned = share((a) => a.status === 'assigned');
    assert.ok(awaiting > 0.48 && awaiting < 0.62, `awaiting ${awaiting}`);
    assert.ok(assigned > 0.24 && assigned < 0.36, `assigned ${assigned}`);
  });

  void it('pins about 10% and locks about 5% of assigned activities, and has a few drafts', () => {
    const assigned = demo.activities.filter((a) => a.status === 'assigned');
    const pinned = share((a) => a.pinned === true, assigned);
    const locked = share((a) => a.locked === true, assigned);
    assert.ok(pinned > 0.05 && pinned < 0.16, `pinned ${pinned}`);
    assert.ok(locked > 0.02 && locked < 0.09, `locked ${locked}`);
    const drafts = demo.activities.filter((a) => a.isDraftResponse).length;
    assert.ok(drafts >= 3 && drafts < demo.activities.length * 0.03, `drafts ${drafts}`);
  });

  void it('varies licenses, roles, groups, foreign departments and permission kinds', () => {
    const big = generateOrganisation({ ...DEMO_OPTIONS, users: 200, queues: 20 });
    const licenseSets = new Set(big.users.map((u) => JSON.stringify(u.licenses ?? [])));
    assert.ok(licenseSets.has('["eGain Advisor Desktop"]'));
    assert.ok(licenseSets.has('["eGain MailPlus"]'));
    assert.ok(licenseSets.has('["eGain Platform"]'));
    assert.ok(licenseSets.has('[]'));
    const advisor = big.users.filter((u) => (u.licenses ?? []).includes('eGain Advisor Desktop')).length;
    assert.ok(advisor > big.users.length / 2, 'most users have eGain Advisor Desktop');
    assert.ok(big.users.filter((u) => (u.foreignDepartments ?? []).length > 0).length > 1);
    assert.ok(big.userGroups.some((g) => (g.members ?? []).length > 0 && (g.roles ?? []).length > 0));
    // Some users act only through a group's role.
    assert.ok(
      big.users.some((u) => (u.roles ?? []).length === 0 && actionsOf(big, u.id).has('Pick Activities')),
    );
    const kinds = new Set(
      big.permissions.map((p) => `${Object.keys(p.on)[0]}→${Object.keys(p.grantedTo)[0]}`),
    );
    assert.deepEqual(kinds, new Set(['queue→user', 'queue→group', 'user→user', 'user→group']));
  });
});

void describe('benchmark size', () => {
  void it('generates 200,000 activities with 200,000 unique, consecutive ids and a valid file', () => {
    const org = generateOrganisation({
      ...DEMO_OPTIONS,
      users: 500,
      queues: 50,
      activities: 200_000,
      seed: 7,
    });
    assert.equal(org.activities.length, 200_000);
    assert.equal(new Set(org.activities.map((a) => a.id)).size, 200_000);
    assert.equal(org.activities.at(-1)!.id, String(100000 + 200_000));
    assert.deepEqual(findProblems(org), []);
  });
});
