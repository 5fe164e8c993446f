// Generates organisation import files (docs/organisation-file.md) for the demo, for tests and for
// benchmarks. Pure and deterministic: the same options (seed and `now` included) always give the
// same file, because the randomness comes from an own seeded PRNG and the clock is passed in.
//
// Well-known content, the same at every size (a README walk-through relies on it):
//
// Departments: "999" Service, "1000" Sales, "1001" Billing Ops (then more when asked for).
// Roles: "1" Agent (View Agent Console, Pick Activities), "2" Supervisor (+ Unpin),
//        "3" Viewer (View Agent Console only).
// Queues: "10" Billing in Service, "11" Sales Leads in Sales (then "12", "13", … round-robin over
//        the departments).
// Users (all with home department "999" Service):
//   "1001" alice — Supervisor, foreign department "1000" Sales, "eGain Advisor Desktop"; Pull
//                  activities on every queue of Service and on every Service agent (none on Sales
//                  queues); member of group "51" Service Tier 2.
//   "1002" bob   — Agent, "eGain MailPlus"; Pull activities on queue "10" only; in no group.
//   "1003" carol — Agent, "eGain Platform" only (may pick tasks, not emails); Pull on queue "10".
//   "1004" dave  — Viewer (no Pick Activities action), "eGain Advisor Desktop".
//   "1005" erin  — Agent with no license at all; Pull on queue "10".
//   Users from "1006" on are random. Random activities are never assigned to the five users above
//   (unless no random user can hold work, in tiny organisations, when bob does), so their work
//   lists are exactly the fixed activities below.
// User-defined activity types: "warranty_claim" (Warranty claim), "return_request" (Return request).
// Activities (department "999", queue "10" unless said otherwise):
//   100001–100010  email inbound, awaiting_assignment / ready_for_assignment
//   100011–100013  email inbound, assigned to bob, pinned (substatus in_progress)
//   100014         email inbound, assigned to bob, locked
//   100015         email outbound draft response (isDraftResponse) to 100011, assigned to bob, no queue
//   100016         chat, awaiting_assignment
//   100017         email inbound, completed / done
//   100018         task (follow_up), awaiting_assignment — carol may pick it, erin may not (no license)
//   100019         email inbound, awaiting_assignment in queue "11", department "1000" Sales
//   100020         warranty_claim (user-defined type), awaiting_assignment
//   100021         task, assigned to alice (bob has no Pull activities on alice)
//   100022 onward  random, ids consecutive.
// Every fixed activity was created an hour or so before `now`; lastModified ≥ created, ≤ now.
//
// What picks of them give (with the right lastModified), by the rules of pick-activities.md:
//   bob 100001 → 204;  bob 100011 → 400-303 (already his);  alice 100011 → 400-305, and with
//   ?unpin=yes → 204;  alice 100014 → 403-177 (locked);  100015 → 400-301 (draft);  100016 →
//   400-302 (chat);  100017 → 400-304 (completed);  carol 100001 → 403-180, carol 100018 → 204;
//   erin 100018 → 403-180;  dave anything → 403-178;  bob 100019 → 403-179 (Sales);  alice 100019
//   → 403-181 (no Pull on queue "11");  bob 100020 → 204;  bob 100021 → 403-182 (no Pull on alice).

// The file's types are the import schema's own, so a generated file and an imported one cannot drift.
import type { ActivityStatus } from '../domain/activity.js';
import type { USER_LICENSES } from '../domain/caller.js';
import type {
  ActivityEntry,
  ActivityTypeEntry,
  DepartmentEntry,
  KNOWN_ACTIONS,
  OrganisationDocument,
  PermissionEntry,
  QueueEntry,
  RoleEntry,
  UserEntry,
  UserGroupEntry,
} from './organisation-schema.js';
export type {
  ActivityEntry,
  ActivityTypeEntry,
  DepartmentEntry,
  PermissionEntry,
  QueueEntry,
  RoleEntry,
  UserEntry,
  UserGroupEntry,
} from './organisation-schema.js';

/** A generated organisation: every section present. */
export type OrganisationFile = Required<OrganisationDocument>;
export type License = (typeof USER_LICENSES)[number];
export type Action = (typeof KNOWN_ACTIONS)[number];
export type ActivityStatusValue = ActivityStatus;

export interface GeneratorOptions {
  seed: number;
  departments: number;
  users: number;
  queues: number;
  activities: number;
  now: Date;
}

export const DEMO_OPTIONS: GeneratorOptions = {
  seed: 42,
  departments: 3,
  users: 20,
  queues: 10,
  activities: 3000,
  now: new Date('2026-11-01T12:00:00.000Z'),
};

// ---------------------------------------------------------------------------------------------
// Well-known ids (exported so tests and docs name them rather than repeat literals)

export const SERVICE = '999';
export const SALES = '1000';
export const BILLING_QUEUE = '10';
export const SALES_QUEUE = '11';
export const ALICE = '1001';
export const BOB = '1002';
export const CAROL = '1003';
export const DAVE = '1004';
export const ERIN = '1005';
export const FIRST_ACTIVITY_ID = 100001;

const ROLE_AGENT = '1';
const ROLE_SUPERVISOR = '2';
const ROLE_VIEWER = '3';

const FIRST_DEPARTMENT_ID = 999;
const FIRST_QUEUE_ID = 10;
const FIRST_GROUP_ID = 50;
const FIRST_USER_ID = 1001;

export const USER_DEFINED_TYPES: readonly ActivityTypeEntry[] = [
  { name: 'warranty_claim', displayName: 'Warranty claim' },
  { name: 'return_request', displayName: 'Return request' },
];

const DEPARTMENT_NAMES = [
  'Service',
  'Sales',
  'Billing Ops',
  'Returns',
  'Technical Support',
  'Collections',
  'Onboarding',
  'Retention',
  'Partner Care',
  'Warranty',
];
const QUEUE_NAMES = [
  'Billing',
  'Sales Leads',
  'Invoices',
  'Refunds',
  'Escalations',
  'Orders',
  'Technical',
  'Complaints',
  'Social Media',
  'Callbacks',
  'Accounts',
  'Shipping',
  'VIP',
  'Feedback',
];
// Space-separated so the lists stay compact under the formatter.
const FIRST_NAMES = (
  'Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Quentin Rupert Sybil Trent Uma Victor ' +
  'Walter Xena Yusuf Zoe Amir Beatriz Chen Dmitri Elif Fatima Goran Hana Ines Jonas Kenji'
).split(' ');
const LAST_NAMES = (
  'Fischer Garcia Hughes Ivanova Jensen Kowalski Lopez Moreau Nakamura Okafor Patel Quinn Rossi ' +
  'Schmidt Tanaka Unger Varga Weber Xu Young'
).split(' ');

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: tiny, fast and good enough for test data; the state is one 32-bit integer. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Picks by weight; weights need not add up to 1. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1][0];
  }

  /** Up to `count` distinct items, in a random order (partial Fisher–Yates on a copy). */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point

/** The smallest sizes that still hold every well-known entry listed in the header. */
export const MINIMUM_SIZES = { departments: 3, users: 5, queues: 2, activities: 21 } as const;

export function generateOrganisation(options: GeneratorOptions): OrganisationFile {
  checkOptions(options);
  const random = new Random(options.seed);
  const nowMs = options.now.getTime();

  const departments = makeDepartments(options.departments);
  const roles = makeRoles();
  const queues = makeQueues(options.queues, departments);
  const users = makeUsers(options.users, departments, random);
  const userGroups = makeGroups(departments, users, random);
  const permissions = makePermissions(queues, users, userGroups, random);
  const fixed = makeFixedActivities(nowMs);
  const activities = fixed.concat(
    makeRandomActivities(
      fixed.length,
      options.activities - fixed.length,
      queues,
      users,
      userGroups,
      nowMs,
      random,
    ),
  );
  // The lifecycle's data is added on top, without drawing from `random`: every file generated
  // before it existed keeps its departments, users and activities unchanged.
  return withLifecycleData({
    departments,
    roles,
    users,
    userGroups,
    queues,
    permissions,
    activityTypes: USER_DEFINED_TYPES.map((t) => ({ ...t })),
    activities,
    aliases: [],
    customers: [],
    cases: [],
  });
}

// ---------------------------------------------------------------------------------------------
// The activity lifecycle's data (docs/organisation-file.md): sharing, transfer queues, pull
// options, transfer permissions, aliases, customers and cases.
//
// Service "999" and Sales "1000" share with each other; their transfer queues are "10" and "11".
// Agents and supervisors may also Create, Complete and Pull Activities.
// Pull options: alice ["10"] up to 5, bob ["10"] up to 3, carol ["10"] up to 1.
// Transfer activities: bob → carol and queue "10"; alice → bob, carol, queues "10" and "11".
// Aliases: billing@example.com → Service / "10"; sales@example.com → Sales / "11";
//          old-billing@example.com (inactive) → Service / "10".
// Customers: "7001" Dana Diaz (Service; dana@example.net, mobile +15551234), "7002" Eli Evans
//            (Service; eli@example.org, home +15550002), "7003" Fay Fox (Sales; fay@example.com),
//            "7004" Gus Green (shared by every department; gus@example.com).
// Cases: "8001" Dana — 100001–100005 (open); "8002" Eli — 100011 and its draft 100015 (open);
//        "8003" Fay — 100019 (open); "8004" Dana — 100017 (completed, so the case is closed).
//        Every other activity gets a case of its own at import.

export const DANA = '7001';
export const ELI = '7002';
export const FAY = '7003';
export const GUS = '7004';
export const BILLING_ALIAS = 'billing@example.com';
export const SALES_ALIAS = 'sales@example.com';
export const INACTIVE_ALIAS = 'old-billing@example.com';

const LIFECYCLE_ACTIONS: readonly Action[] = ['Create', 'Complete', 'Pull Activities'];
const FIXED_CASES: readonly (readonly [string, string, readonly number[]])[] = [
  ['8001', DANA, [100001, 100002, 100003, 100004, 100005]],
  ['8002', ELI, [100011, 100015]],
  ['8003', FAY, [100019]],
  ['8004', DANA, [100017]],
];

function withLifecycleData(file: OrganisationFile): OrganisationFile {
  const sharing: Record<string, Pick<DepartmentEntry, 'sharedWith' | 'transferQueue'>> = {
    [SERVICE]: { sharedWith: [SALES], transferQueue: BILLING_QUEUE },
    [SALES]: { sharedWith: [SERVICE], transferQueue: SALES_QUEUE },
  };
  const pullOptions: Record<string, Pick<UserEntry, 'pullQueues' | 'maxPull'>> = {
    [ALICE]: { pullQueues: [BILLING_QUEUE], maxPull: 5 },
    [BOB]: { pullQueues: [BILLING_QUEUE], maxPull: 3 },
    [CAROL]: { pullQueues: [BILLING_QUEUE], maxPull: 1 },
  };
  const transfer = (grantee: string, on: PermissionEntry['on']): PermissionEntry => ({
    permission: 'Transfer activities',
    on,
    grantedTo: { user: grantee },
  });
  const caseOf = new Map(
    FIXED_CASES.flatMap(([id, customer, list]) => list.map((n) => [String(n), { id, customer }] as const)),
  );
  return {
    ...file,
    departments: file.departments.map((d) => ({ ...d, ...sharing[d.id] })),
    roles: file.roles.map((r) =>
      r.actions.includes('Pick Activities') ? { ...r, actions: [...r.actions, ...LIFECYCLE_ACTIONS] } : r,
    ),
    users: file.users.map((u) => ({ ...u, ...pullOptions[u.id] })),
    permissions: [
      ...file.permissions,
      transfer(BOB, { user: CAROL }),
      transfer(BOB, { queue: BILLING_QUEUE }),
      transfer(ALICE, { user: BOB }),
      transfer(ALICE, { user: CAROL }),
      transfer(ALICE, { queue: BILLING_QUEUE }),
      transfer(ALICE, { queue: SALES_QUEUE }),
    ],
    aliases: [
      { address: BILLING_ALIAS, department: SERVICE, queue: BILLING_QUEUE, active: true },
      { address: SALES_ALIAS, department: SALES, queue: SALES_QUEUE, active: true },
      { address: INACTIVE_ALIAS, department: SERVICE, queue: BILLING_QUEUE, active: false },
    ],
    customers: [
      {
        id: DANA,
        firstName: 'Dana',
        lastName: 'Diaz',
        department: SERVICE,
        contacts: { email: ['dana@example.net'], phone: [{ kind: 'mobile', number: '+15551234' }] },
      },
      {
        id: ELI,
        firstName: 'Eli',
        lastName: 'Evans',
        department: SERVICE,
        contacts: { email: ['eli@example.org'], phone: [{ kind: 'home', number: '+15550002' }] },
      },
      {
        id: FAY,
        firstName: 'Fay',
        lastName: 'Fox',
        department: SALES,
        contacts: { email: ['fay@example.com'] },
      },
      { id: GUS, firstName: 'Gus', lastName: 'Green', contacts: { email: ['gus@example.com'] } },
    ],
    cases: FIXED_CASES.map(([id, customer]) => ({ id, customer })),
    activities: file.activities.map((a) => {
      const fixedCase = caseOf.get(a.id);
      return fixedCase ? { ...a, customer: fixedCase.customer, case: fixedCase.id } : a;
    }),
  };
}

function checkOptions(options: GeneratorOptions): void {
  for (const key of Object.keys(MINIMUM_SIZES) as (keyof typeof MINIMUM_SIZES)[]) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < MINIMUM_SIZES[key]) {
      throw new RangeError(`${key} must be an integer ≥ ${MINIMUM_SIZES[key]}, not ${value}`);
    }
  }
  if (!Number.isSafeInteger(options.seed))
    throw new RangeError(`seed must be an integer, not ${options.seed}`);
  if (Number.isNaN(options.now.getTime())) throw new RangeError('now must be a valid date');
}

// ---------------------------------------------------------------------------------------------
// Departments, roles, queues

function numberedName(names: readonly string[], index: number): string {
  const base = names[index % names.length];
  const round = Math.floor(index / names.length);
  return round === 0 ? base : `${base} ${round + 1}`;
}

function makeDepartments(count: number): DepartmentEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(FIRST_DEPARTMENT_ID + i),
    name: numberedName(DEPARTMENT_NAMES, i),
  }));
}

function makeRoles(): RoleEntry[] {
  return [
    { id: ROLE_AGENT, name: 'Agent', actions: ['View Agent Console', 'Pick Activities'] },
    { id: ROLE_SUPERVISOR, name: 'Supervisor', actions: ['View Agent Console', 'Pick Activities', 'Unpin'] },
    { id: ROLE_VIEWER, name: 'Viewer', actions: ['View Agent Console'] },
  ];
}

/** Round-robin over departments, so queue "10" lands in Service and "11" in Sales. */
function makeQueues(count: number, departments: readonly DepartmentEntry[]): QueueEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(FIRST_QUEUE_ID + i),
    name: numberedName(QUEUE_NAMES, i),
    department: departments[i % departments.length].id,
  }));
}

// ---------------------------------------------------------------------------------------------
// Users

// The well-known users' console passwords are `demo-<login>` (demo-alice, demo-bob…; README). The
// hashes are fixed, made with a salt derived from the login, so that the demo file is reproducible:
// hashPassword(`demo-${login}`, sha256(`casemgr demo ${login}`)[0..16]) (src/auth/password-hash.ts).
const DEMO_PASSWORD_HASHES = {
  alice: '$scrypt$ln=15,r=8,p=1$kbK5OH0UJr1gDo92mOlQ4A$iEKX5mLraaOXw3x8XqhVIx/A+sQwf0qm3FsFTpnF7OA',
  bob: '$scrypt$ln=15,r=8,p=1$jWRNXKzEB0Pk6fVKvaInVA$b3Y6VRV09tV1gXSj1sZR9625Wd+Klvtd99vML4vmhEw',
  carol: '$scrypt$ln=15,r=8,p=1$aQ7EgpbwIdCtsktC6rLb0Q$1XotAuWve4/eclz+o47K4KTLSWq5kDP5h4DeML8OS+I',
  dave: '$scrypt$ln=15,r=8,p=1$LxNKCLyVet4+2QDT+XzGoA$bv7tBSzyAmbO0Z17QKShLVtNtM6V+Vg0dEe/0/YK2nc',
  erin: '$scrypt$ln=15,r=8,p=1$+U7xyUtozmHZcn0L2nmE5w$GVMxGB6Pz7cSJBz037K6sRVSwJ83EaOf5+KJ4nXb+nc',
} as const;

const FIXED_USERS: readonly UserEntry[] = [
  {
    id: ALICE,
    loginName: 'alice',
    passwordHash: DEMO_PASSWORD_HASHES.alice,
    firstName: 'Alice',
    lastName: 'Archer',
    homeDepartment: SERVICE,
    foreignDepartments: [SALES],
    licenses: ['eGain Advisor Desktop'],
    roles: [ROLE_SUPERVISOR],
  },
  {
    id: BOB,
    loginName: 'bob',
    passwordHash: DEMO_PASSWORD_HASHES.bob,
    firstName: 'Bob',
    lastName: 'Baker',
    homeDepartment: SERVICE,
    licenses: ['eGain MailPlus'],
    roles: [ROLE_AGENT],
  },
  {
    id: CAROL,
    loginName: 'carol',
    passwordHash: DEMO_PASSWORD_HASHES.carol,
    firstName: 'Carol',
    lastName: 'Chen',
    homeDepartment: SERVICE,
    licenses: ['eGain Platform'],
    roles: [ROLE_AGENT],
  },
  {
    id: DAVE,
    loginName: 'dave',
    passwordHash: DEMO_PASSWORD_HASHES.dave,
    firstName: 'Dave',
    lastName: 'Dalton',
    homeDepartment: SERVICE,
    licenses: ['eGain Advisor Desktop'],
    roles: [ROLE_VIEWER],
  },
  {
    id: ERIN,
    loginName: 'erin',
    passwordHash: DEMO_PASSWORD_HASHES.erin,
    firstName: 'Erin',
    lastName: 'Evans',
    homeDepartment: SERVICE,
    licenses: [],
    roles: [ROLE_AGENT],
  },
];

const FIXED_USER_IDS: ReadonlySet<string> = new Set(FIXED_USERS.map((u) => u.id));

// Mostly full agent desktops; some mail-only seats; some without any email/social license.
const LICENSE_MIX: readonly (readonly [License[], number])[] = [
  [['eGain Advisor Desktop'], 55],
  [['eGain Advisor Desktop', 'eGain Knowledge + AI'], 10],
  [['eGain MailPlus'], 12],
  [['eGain MailPlus', 'eGain CobrowsePlus'], 3],
  [['eGain Platform'], 10],
  [['eGain ChatPlus', 'eGain CallTrackPlus'], 5],
  [['eGain Platform', 'eGain Knowledge + AI'], 5],
];

// An empty role list is deliberate: such users get Agent through their group (see makeGroups).
const ROLE_MIX: readonly (readonly [string[], number])[] = [
  [[ROLE_AGENT], 68],
  [[ROLE_SUPERVISOR], 12],
  [[ROLE_VIEWER], 8],
  [[ROLE_AGENT, ROLE_VIEWER], 6],
  [[], 6],
];

function makeUsers(count: number, departments: readonly DepartmentEntry[], random: Random): UserEntry[] {
  const users = FIXED_USERS.map(cloneUser);
  const logins = new Set(users.map((u) => u.loginName));
  for (let i = users.length; i < count; i++) {
    users.push(makeRandomUser(String(FIRST_USER_ID + i), departments, logins, random));
  }
  return users;
}

function cloneUser(user: UserEntry): UserEntry {
  return {
    ...user,
    ...(user.foreignDepartments ? { foreignDepartments: [...user.foreignDepartments] } : {}),
    licenses: [...(user.licenses ?? [])],
    roles: [...(user.roles ?? [])],
  };
}

function makeRandomUser(
  id: string,
  departments: readonly DepartmentEntry[],
  logins: Set<string>,
  random: Random,
): UserEntry {
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const loginName = uniqueLogin(`${firstName}.${lastName}`.toLowerCase(), logins);
  const home = random.pick(departments).id;
  const user: UserEntry = { id, loginName, firstName, lastName, homeDepartment: home };
  if (random.chance(0.2)) {
    const foreign = departments.filter((d) => d.id !== home);
    user.foreignDepartments = random.sample(foreign, random.int(1, 2)).map((d) => d.id);
  }
  user.licenses = [...random.weighted(LICENSE_MIX)];
  user.roles = [...random.weighted(ROLE_MIX)];
  return user;
}

/** Random logins contain a dot, so they never collide with the fixed ones; duplicates get a number. */
function uniqueLogin(base: string, logins: Set<string>): string {
  let login = base;
  for (let n = 2; logins.has(login); n++) login = `${base}${n}`;
  logins.add(login);
  return login;
}

function hasRole(user: UserEntry, role: string): boolean {
  return (user.roles ?? []).includes(role);
}

function isAgent(user: UserEntry): boolean {
  return hasRole(user, ROLE_AGENT);
}

function isSupervisor(user: UserEntry): boolean {
  return hasRole(user, ROLE_SUPERVISOR);
}

// ---------------------------------------------------------------------------------------------
// Groups: per department a "Tier 1" carrying the Agent role and a "Tier 2" carrying no role

interface DepartmentGroups {
  readonly tier1: UserGroupEntry;
  readonly tier2: UserGroupEntry;
}

function tierGroupIds(departmentIndex: number): { tier1: string; tier2: string } {
  return {
    tier1: String(FIRST_GROUP_ID + 2 * departmentIndex),
    tier2: String(FIRST_GROUP_ID + 2 * departmentIndex + 1),
  };
}

function makeGroups(
  departments: readonly DepartmentEntry[],
  users: readonly UserEntry[],
  random: Random,
): UserGroupEntry[] {
  const byDepartment = new Map<string, DepartmentGroups>();
  departments.forEach((d, i) => {
    const ids = tierGroupIds(i);
    byDepartment.set(d.id, {
      tier1: { id: ids.tier1, name: `${d.name} Tier 1`, department: d.id, members: [], roles: [ROLE_AGENT] },
      tier2: { id: ids.tier2, name: `${d.name} Tier 2`, department: d.id, members: [], roles: [] },
    });
  });
  byDepartment.get(SERVICE)!.tier2.members!.push(ALICE);
  for (const user of users) {
    if (FIXED_USER_IDS.has(user.id)) continue; // bob, carol, … keep exactly the rights documented above
    const groups = byDepartment.get(user.homeDepartment)!;
    // Role-less users must be in Tier 1, which is where their Agent role comes from.
    const roll = (user.roles ?? []).length === 0 ? 0 : random.float();
    if (roll < 0.5) groups.tier1.members!.push(user.id);
    else if (roll < 0.7) groups.tier2.members!.push(user.id);
  }
  return [...byDepartment.values()].flatMap((g) => [g.tier1, g.tier2]);
}

// ---------------------------------------------------------------------------------------------
// "Pull activities" permissions

class PermissionSet {
  readonly entries: PermissionEntry[] = [];
  private readonly seen = new Set<string>();

  private add(on: PermissionEntry['on'], grantedTo: PermissionEntry['grantedTo']): void {
    const key = JSON.stringify([on, grantedTo]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.entries.push({ permission: 'Pull activities', on, grantedTo });
  }

  queueToUser(queue: string, user: string): void {
    this.add({ queue }, { user });
  }

  queueToGroup(queue: string, group: string): void {
    this.add({ queue }, { group });
  }

  userToUser(on: string, user: string): void {
    this.add({ user: on }, { user });
  }

  userToGroup(on: string, group: string): void {
    this.add({ user: on }, { group });
  }
}

const SUPERVISED_AGENTS_PER_SUPERVISOR = 20;

function makePermissions(
  queues: readonly QueueEntry[],
  users: readonly UserEntry[],
  groups: readonly UserGroupEntry[],
  random: Random,
): PermissionEntry[] {
  const permissions = new PermissionSet();
  const queuesOf = groupBy(queues, (q) => q.department);
  const randomAgentsOf = groupBy(
    users.filter((u) => isAgent(u) && !FIXED_USER_IDS.has(u.id)),
    (u) => u.homeDepartment,
  );
  grantFixedUsers(permissions, queuesOf.get(SERVICE) ?? [], users);
  grantGroups(permissions, groups, queuesOf, randomAgentsOf, random);
  grantRandomUsers(permissions, users, queuesOf, randomAgentsOf, random);
  return permissions.entries;
}

function grantFixedUsers(
  permissions: PermissionSet,
  serviceQueues: readonly QueueEntry[],
  users: readonly UserEntry[],
): void {
  for (const queue of serviceQueues) permissions.queueToUser(queue.id, ALICE);
  for (const user of users) {
    if (user.homeDepartment === SERVICE && isAgent(user)) permissions.userToUser(user.id, ALICE);
  }
  for (const user of [BOB, CAROL, ERIN]) permissions.queueToUser(BILLING_QUEUE, user);
}

/** Tier 1 pulls from every queue of its department, Tier 2 from about half, and from a couple of agents. */
function grantGroups(
  permissions: PermissionSet,
  groups: readonly UserGroupEntry[],
  queuesOf: ReadonlyMap<string, QueueEntry[]>,
  randomAgentsOf: ReadonlyMap<string, UserEntry[]>,
  random: Random,
): void {
  for (const group of groups) {
    const departmentQueues = queuesOf.get(group.department) ?? [];
    const isTier1 = (group.roles ?? []).includes(ROLE_AGENT);
    for (const queue of departmentQueues) {
      if (isTier1 || random.chance(0.5)) permissions.queueToGroup(queue.id, group.id);
    }
    if (!isTier1) {
      for (const agent of random.sample(randomAgentsOf.get(group.department) ?? [], 2)) {
        permissions.userToGroup(agent.id, group.id);
      }
    }
  }
}

/** Supervisors pull from agents of their department; some agents get a queue or a peer of their own. */
function grantRandomUsers(
  permissions: PermissionSet,
  users: readonly UserEntry[],
  queuesOf: ReadonlyMap<string, QueueEntry[]>,
  randomAgentsOf: ReadonlyMap<string, UserEntry[]>,
  random: Random,
): void {
  for (const user of users) {
    if (FIXED_USER_IDS.has(user.id)) continue;
    const colleagues = (randomAgentsOf.get(user.homeDepartment) ?? []).filter((a) => a.id !== user.id);
    if (isSupervisor(user)) {
      for (const agent of random.sample(colleagues, SUPERVISED_AGENTS_PER_SUPERVISOR)) {
        permissions.userToUser(agent.id, user.id);
      }
    } else if (isAgent(user)) {
      const homeQueues = queuesOf.get(user.homeDepartment) ?? [];
      if (homeQueues.length > 0 && random.chance(0.25))
        permissions.queueToUser(random.pick(homeQueues).id, user.id);
      if (colleagues.length > 0 && random.chance(0.15)) {
        for (const peer of random.sample(colleagues, random.int(1, 3)))
          permissions.userToUser(peer.id, user.id);
      }
    }
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// Activities: timestamps

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** created ≤ lastModified ≤ now, both as ISO strings with milliseconds and Z. */
function timestamps(createdMs: number, lastModifiedMs: number): { created: string; lastModified: string } {
  return { created: iso(createdMs), lastModified: iso(lastModifiedMs) };
}

// ---------------------------------------------------------------------------------------------
// Activities: the fixed ones

function activityId(index: number): string {
  return String(FIRST_ACTIVITY_ID + index);
}

/** Fixed activity n (1-based, 100000 + n) created (60 − n) minutes before now, touched 0–59 s later. */
function fixedTimes(n: number, nowMs: number): { created: string; lastModified: string } {
  const createdMs = nowMs - (60 - n) * MINUTE + n * 7;
  return timestamps(createdMs, Math.min(nowMs, createdMs + n * 1_013));
}

const FIXED_EMAIL_SUBJECTS = [
  'Invoice 4471 is wrong',
  'Charged twice for order 5523',
  'How do I change my billing address?',
  'Refund still not received',
  'VAT number missing on invoice 4480',
  'Payment failed but money was taken',
  'Question about my last statement',
  'Cancel my subscription, please',
  'Late fee on invoice 4502',
  'Which card is on file?',
];
const EMAIL_SUBTYPES = ['general', 'complaint', 'inquiry'] as const;

function makeFixedActivities(nowMs: number): ActivityEntry[] {
  const service = { department: SERVICE };
  const inBilling = { department: SERVICE, queue: BILLING_QUEUE };
  const awaiting = { status: 'awaiting_assignment', substatus: 'ready_for_assignment' } as const;
  const inboundEmail = (n: number) =>
    ({ type: 'email', subtype: EMAIL_SUBTYPES[n % EMAIL_SUBTYPES.length], mode: 'inbound' }) as const;
  const assignedTo = (user: string, substatus: string, pinned: boolean, locked: boolean) =>
    ({ status: 'assigned', substatus, assignedTo: user, pinned, locked }) as const;

  const list: Omit<ActivityEntry, 'id' | 'created' | 'lastModified'>[] = [];
  for (let n = 1; n <= 10; n++) {
    list.push({
      ...inBilling,
      ...inboundEmail(n),
      subject: FIXED_EMAIL_SUBJECTS[n - 1],
      priority: '3',
      ...awaiting,
    });
  }
  for (let n = 11; n <= 13; n++) {
    list.push({
      ...inBilling,
      ...inboundEmail(n),
      subject: `Dispute on invoice ${4500 + n}`,
      priority: '2',
      ...assignedTo(BOB, 'in_progress', true, false),
    });
  }
  list.push({
    ...inBilling,
    ...inboundEmail(14),
    subject: 'Account closure request',
    priority: '2',
    ...assignedTo(BOB, 'in_progress', false, true),
  });
  list.push({
    ...service,
    type: 'email',
    subtype: 'general',
    mode: 'outbound',
    isDraftResponse: true,
    parentActivity: activityId(10), // 100011
    subject: 'RE: Dispute on invoice 4511',
    priority: '2',
    ...assignedTo(BOB, 'new', false, false),
  });
  list.push({
    ...inBilling,
    type: 'chat',
    subject: 'Chat: payment page does not load',
    priority: '3',
    ...awaiting,
  });
  list.push({
    ...inBilling,
    ...inboundEmail(17),
    subject: 'Thanks, all sorted',
    priority: '4',
    status: 'completed',
    substatus: 'done',
  });
  list.push({
    ...inBilling,
    type: 'task',
    subtype: 'follow_up',
    subject: 'Call back about invoice 4471',
    priority: '3',
    ...awaiting,
  });
  list.push({
    department: SALES,
    queue: SALES_QUEUE,
    ...inboundEmail(19),
    subject: 'Quote for 40 seats',
    priority: '3',
    ...awaiting,
  });
  list.push({
    ...inBilling,
    type: 'warranty_claim',
    subject: 'Warranty claim for router RX-200',
    priority: '3',
    ...awaiting,
  });
  list.push({
    ...inBilling,
    type: 'task',
    subject: 'Review refund policy exceptions',
    priority: '3',
    ...assignedTo(ALICE, 'new', false, false),
  });

  return list.map((entry, i) => orderActivity({ id: activityId(i), ...entry, ...fixedTimes(i + 1, nowMs) }));
}

// ---------------------------------------------------------------------------------------------
// Activities: the random ones

type TypeKind = 'email' | 'social' | 'task' | 'call_track' | 'chat' | 'web' | 'generic';

const TYPE_MIX: readonly (readonly [TypeKind, number])[] = [
  ['email', 50],
  ['social', 12],
  ['task', 13],
  ['call_track', 5],
  ['chat', 7],
  ['web', 5],
  ['generic', 8],
];

const STATUS_MIX: readonly (readonly [ActivityStatusValue, number])[] = [
  ['awaiting_assignment', 55],
  ['assigned', 30],
  ['in_workflow', 5],
  ['in_precompletion', 4],
  ['completed', 6],
];

const SUBSTATUS_OF: Record<Exclude<ActivityStatusValue, 'assigned'>, string> = {
  in_workflow: 'in_workflow',
  awaiting_assignment: 'ready_for_assignment',
  in_precompletion: 'in_precompletion',
  completed: 'done',
};

const SUBJECTS: Record<TypeKind, readonly string[]> = {
  email: [
    'Invoice # is wrong',
    'Where is order #?',
    'Refund for order #',
    'Cannot log in to account #',
    'Change of address for #',
    'Complaint about delivery #',
  ],
  social: [
    '@brand my order # never arrived',
    'Loving the new app! #',
    'Why was I charged twice? #',
    'DM me about ticket #',
  ],
  task: ['Call back customer #', 'Check refund #', 'Follow up on case #', 'Send replacement for order #'],
  call_track: ['Phone call about order #', 'Call: billing question #'],
  chat: ['Chat: order # status', 'Chat: password reset #'],
  web: ['Web form: contact request #', 'Web callback request #'],
  generic: ['Claim for device #', 'Request for order #'],
};

const PINNED_SHARE = 0.1;
const LOCKED_SHARE = 0.05;
const DRAFT_SHARE = 0.01;
const MAX_AGE_MS = 90 * DAY;

interface ActivityContext {
  readonly queues: readonly QueueEntry[];
  /** Random users who can hold work in a department (home or foreign, with an Agent-like role). */
  readonly assigneesOf: ReadonlyMap<string, readonly string[]>;
  readonly fallbackAssignees: readonly string[];
  readonly nowMs: number;
  readonly random: Random;
}

function makeRandomActivities(
  firstIndex: number,
  count: number,
  queues: readonly QueueEntry[],
  users: readonly UserEntry[],
  groups: readonly UserGroupEntry[],
  nowMs: number,
  random: Random,
): ActivityEntry[] {
  const context: ActivityContext = { queues, ...assigneePools(users, groups), nowMs, random };
  const activities: ActivityEntry[] = [];
  let lastInboundAssignedEmail: ActivityEntry | undefined;
  for (let i = 0; i < count; i++) {
    const id = activityId(firstIndex + i);
    // A draft follows the inbound email it answers, held by the same agent.
    if (lastInboundAssignedEmail && random.chance(DRAFT_SHARE)) {
      activities.push(makeDraft(id, lastInboundAssignedEmail, context));
      lastInboundAssignedEmail = undefined;
      continue;
    }
    const activity = makeRandomActivity(id, context);
    if (activity.type === 'email' && activity.mode === 'inbound' && activity.status === 'assigned') {
      lastInboundAssignedEmail = activity;
    }
    activities.push(activity);
  }
  return activities;
}

function assigneePools(
  users: readonly UserEntry[],
  groups: readonly UserGroupEntry[],
): { assigneesOf: Map<string, string[]>; fallbackAssignees: string[] } {
  const inAgentGroup = new Set(
    groups.filter((g) => (g.roles ?? []).includes(ROLE_AGENT)).flatMap((g) => g.members ?? []),
  );
  const canWork = (u: UserEntry) => isAgent(u) || isSupervisor(u) || inAgentGroup.has(u.id);
  const candidates = users.filter((u) => !FIXED_USER_IDS.has(u.id) && canWork(u));
  const assigneesOf = new Map<string, string[]>();
  for (const user of candidates) {
    for (const department of [user.homeDepartment, ...(user.foreignDepartments ?? [])]) {
      const list = assigneesOf.get(department);
      if (list) list.push(user.id);
      else assigneesOf.set(department, [user.id]);
    }
  }
  // Tiny organisations may have no random worker at all; bob then holds the work.
  const fallbackAssignees = candidates.length > 0 ? candidates.map((u) => u.id) : [BOB];
  return { assigneesOf, fallbackAssignees };
}

function makeRandomActivity(id: string, context: ActivityContext): ActivityEntry {
  const { random } = context;
  const queue = random.pick(context.queues);
  const kind = random.weighted(TYPE_MIX);
  const status = random.weighted(STATUS_MIX);
  const entry: ActivityEntry = {
    id,
    department: queue.department,
    ...typeFields(kind, random),
    subject: subject(kind, random),
    priority: String(random.int(1, 5)),
    status,
    ...(status === 'assigned' ? assignment(queue.department, context) : { substatus: SUBSTATUS_OF[status] }),
    ...randomTimes(context),
  };
  // Activities still in workflow have not been routed to a queue yet.
  if (status !== 'in_workflow') entry.queue = queue.id;
  return orderActivity(entry);
}

function typeFields(kind: TypeKind, random: Random): Pick<ActivityEntry, 'type' | 'subtype' | 'mode'> {
  switch (kind) {
    case 'email':
      return {
        type: 'email',
        subtype: random.pick(EMAIL_SUBTYPES),
        mode: random.chance(0.9) ? 'inbound' : 'outbound',
      };
    case 'social':
      return { type: 'social', subtype: random.chance(0.6) ? 'twitter' : 'facebook', mode: 'inbound' };
    case 'task':
      return random.chance(0.5) ? { type: 'task', subtype: 'follow_up' } : { type: 'task' };
    case 'generic':
      return { type: random.pick(USER_DEFINED_TYPES).name };
    case 'call_track':
    case 'chat':
    case 'web':
      return { type: kind };
  }
}

function subject(kind: TypeKind, random: Random): string {
  return random.pick(SUBJECTS[kind]).replace('#', String(random.int(1000, 99999)));
}

function assignment(department: string, context: ActivityContext): Partial<ActivityEntry> {
  const { random } = context;
  const pool = context.assigneesOf.get(department) ?? context.fallbackAssignees;
  return {
    substatus: random.chance(0.4) ? 'new' : 'in_progress',
    assignedTo: random.pick(pool),
    pinned: random.chance(PINNED_SHARE),
    locked: random.chance(LOCKED_SHARE),
  };
}

function randomTimes(context: ActivityContext): { created: string; lastModified: string } {
  const { random, nowMs } = context;
  const createdMs = nowMs - random.int(0, MAX_AGE_MS);
  const touchedMs = Math.min(nowMs, createdMs + random.int(0, 5 * DAY));
  return timestamps(createdMs, touchedMs);
}

function makeDraft(id: string, parent: ActivityEntry, context: ActivityContext): ActivityEntry {
  const { random, nowMs } = context;
  const parentCreatedMs = Date.parse(parent.created!);
  const createdMs = Math.min(nowMs, parentCreatedMs + random.int(MINUTE, 2 * DAY));
  const touchedMs = Math.min(nowMs, createdMs + random.int(0, HOUR));
  return orderActivity({
    id,
    department: parent.department,
    type: 'email',
    subtype: parent.subtype ?? 'general',
    mode: 'outbound',
    isDraftResponse: true,
    parentActivity: parent.id,
    subject: `RE: ${parent.subject ?? ''}`,
    priority: parent.priority ?? '3',
    status: 'assigned',
    substatus: random.chance(0.5) ? 'new' : 'in_progress',
    assignedTo: parent.assignedTo!,
    pinned: false,
    locked: false,
    ...timestamps(createdMs, touchedMs),
  });
}

// ---------------------------------------------------------------------------------------------
// Stable key order, so files diff well and read like the examples in org-data.md

const ACTIVITY_KEYS: readonly (keyof ActivityEntry)[] = [
  'id',
  'department',
  'type',
  'subtype',
  'mode',
  'isDraftResponse',
  'parentActivity',
  'subject',
  'priority',
  'status',
  'substatus',
  'queue',
  'assignedTo',
  'pinned',
  'locked',
  'created',
  'lastModified',
];

function orderActivity(entry: ActivityEntry): ActivityEntry {
  const ordered: Record<string, unknown> = {};
  for (const key of ACTIVITY_KEYS) {
    if (entry[key] !== undefined) ordered[key] = entry[key];
  }
  return ordered as unknown as ActivityEntry;
}
