// The benchmark's organisation: the deterministic generator's world (realistic mix of users, rights,
// statuses and types), plus a cast the scenarios need and the generator does not promise:
//   - 50 "bench agents" spread over the generated departments, each in a group of its home
//     department carrying a Bench Agent role (Pick Activities, Unpin, View Agent Console), with
//     Pull activities on every queue of that department and on every user who works in it, and the
//     eGain Advisor Desktop license — so every pickable activity of a department has legal pickers;
//   - a small "hot" department with one queue and a handful of awaiting activities that every bench
//     agent may pick (foreign department, Pull on the hot queue and on each other): scenario 3's race;
//   - a few "bench viewers" (View Agent Console only): scenario 5's 403 path.
// Everything here is pure and deterministic, so the world can be recomputed instead of stored.
import {
  DEMO_OPTIONS,
  generateOrganisation,
  type ActivityEntry,
  type OrganisationFile,
  type PermissionEntry,
} from '../src/org/organisation-generator.js';

export interface BenchSizes {
  /** Generated departments (the hot department comes on top). */
  readonly departments: number;
  /** All users, bench agents and viewers included. */
  readonly users: number;
  /** Generated queues (the hot queue comes on top). */
  readonly queues: number;
  /** Generated activities (the hot ones come on top). */
  readonly activities: number;
  readonly agents: number;
  readonly viewers: number;
  readonly hotActivities: number;
}

export const FULL_SIZES: BenchSizes = {
  departments: 10,
  users: 500,
  queues: 50,
  activities: 200_000,
  agents: 50,
  viewers: 5,
  hotActivities: 10,
};

export const QUICK_SIZES: BenchSizes = { ...FULL_SIZES, activities: 20_000 };

export const BENCH_SEED = 4242;
/** The generator's clock; lastModified values in the file are at or before it. */
export const BENCH_NOW = DEMO_OPTIONS.now;

// Ids far above anything the generator hands out (users 1001…, groups 50…, departments 999…,
// queues 10…, activities 100001…), so the additions can never collide with generated entries.
const BENCH_ROLE = '900001';
const VIEWER_ROLE = '3'; // the generator's Viewer: View Agent Console only
const FIRST_AGENT_ID = 900_001;
const FIRST_VIEWER_ID = 901_001;
const FIRST_GROUP_ID = 900_001;
const HOT_GROUP = '900999';
export const HOT_DEPARTMENT = '900000';
export const HOT_QUEUE = '900000';
const FIRST_HOT_ACTIVITY_ID = 900_000_001;
/** --moves: the second queue of the hot desk, after HOT_QUEUE in every bench agent's pull options. */
export const PULL_QUEUE_2 = '900001';

export interface BenchUser {
  readonly id: string;
  readonly login: string;
  readonly homeDepartment: string;
}

export interface BenchWorld {
  readonly sizes: BenchSizes;
  readonly agents: readonly BenchUser[];
  readonly viewers: readonly BenchUser[];
  /** The generated departments: where scenario 1, 2, 4 and 5 take their activities. */
  readonly departments: readonly string[];
  readonly agentsOf: ReadonlyMap<string, readonly BenchUser[]>;
  /** Users the bench agents of a department may pull from: whoever works in it, and every bench agent. */
  readonly pullableUsersOf: ReadonlyMap<string, ReadonlySet<string>>;
  readonly hotActivityIds: readonly string[];
}

/** Grants only the --moves scenarios need (bench/moves-run.ts); the other modes leave them out. */
export interface BenchOptions {
  /**
   * Complete and Pull Activities on the Bench Agent role; Transfer activities on every queue of the
   * agent's department; the hot desk's two queues as every agent's pull options (50 agents pulling
   * from the same queues).
   */
  readonly moves?: boolean;
}

export interface BenchOrganisation {
  readonly file: OrganisationFile;
  readonly world: BenchWorld;
}

export function buildBenchOrganisation(sizes: BenchSizes, options: BenchOptions = {}): BenchOrganisation {
  const generatedUsers = sizes.users - sizes.agents - sizes.viewers;
  if (generatedUsers < 5) throw new RangeError('users must leave room for the generated ones');
  const file = generateOrganisation({
    seed: BENCH_SEED,
    departments: sizes.departments,
    users: generatedUsers,
    queues: sizes.queues,
    activities: sizes.activities,
    now: BENCH_NOW,
  });
  const departments = file.departments.map((d) => d.id);

  const agents: BenchUser[] = Array.from({ length: sizes.agents }, (_, i) => ({
    id: String(FIRST_AGENT_ID + i),
    login: `bench.agent${String(i + 1).padStart(3, '0')}`,
    homeDepartment: departments[i % departments.length],
  }));
  const viewers: BenchUser[] = Array.from({ length: sizes.viewers }, (_, i) => ({
    id: String(FIRST_VIEWER_ID + i),
    login: `bench.viewer${String(i + 1).padStart(3, '0')}`,
    homeDepartment: departments[i % departments.length],
  }));

  file.roles.push({
    id: BENCH_ROLE,
    name: 'Bench Agent',
    actions: [
      'View Agent Console',
      'Pick Activities',
      'Unpin',
      ...(options.moves ? (['Complete', 'Pull Activities'] as const) : []),
    ],
  });
  file.departments.push({ id: HOT_DEPARTMENT, name: 'Bench Hot Desk' });
  file.queues.push({ id: HOT_QUEUE, name: 'Bench Hot Queue', department: HOT_DEPARTMENT });
  if (options.moves)
    file.queues.push({ id: PULL_QUEUE_2, name: 'Bench Hot Queue 2', department: HOT_DEPARTMENT });
  for (const agent of agents) {
    file.users.push({
      id: agent.id,
      loginName: agent.login,
      firstName: 'Bench',
      lastName: `Agent ${agent.login.slice(-3)}`,
      homeDepartment: agent.homeDepartment,
      foreignDepartments: [HOT_DEPARTMENT],
      licenses: ['eGain Advisor Desktop'],
      roles: [],
      ...(options.moves ? { pullQueues: [HOT_QUEUE, PULL_QUEUE_2] } : {}),
    });
  }
  for (const viewer of viewers) {
    file.users.push({
      id: viewer.id,
      loginName: viewer.login,
      firstName: 'Bench',
      lastName: `Viewer ${viewer.login.slice(-3)}`,
      homeDepartment: viewer.homeDepartment,
      licenses: ['eGain Advisor Desktop'],
      roles: [VIEWER_ROLE],
    });
  }

  // Who works in a department: home or foreign users, as the generator assigns work by that rule.
  const workersOf = new Map<string, Set<string>>(departments.map((d) => [d, new Set<string>()]));
  for (const user of file.users) {
    for (const d of [user.homeDepartment, ...(user.foreignDepartments ?? [])]) workersOf.get(d)?.add(user.id);
  }
  const agentsOf = new Map<string, BenchUser[]>(departments.map((d) => [d, []]));
  for (const agent of agents) agentsOf.get(agent.homeDepartment)!.push(agent);

  const pull = (on: PermissionEntry['on'], group: string): PermissionEntry => ({
    permission: 'Pull activities',
    on,
    grantedTo: { group },
  });
  const pullableUsersOf = new Map<string, Set<string>>();
  departments.forEach((department, i) => {
    const members = agentsOf.get(department)!;
    if (members.length === 0) return;
    const group = String(FIRST_GROUP_ID + i);
    file.userGroups.push({
      id: group,
      name: `Bench Agents ${department}`,
      department,
      members: members.map((a) => a.id),
      roles: [BENCH_ROLE],
    });
    for (const queue of file.queues.filter((q) => q.department === department)) {
      file.permissions.push(pull({ queue: queue.id }, group));
      if (options.moves)
        file.permissions.push({
          permission: 'Transfer activities',
          on: { queue: queue.id },
          grantedTo: { group },
        });
    }
    const workers = [...workersOf.get(department)!].sort();
    for (const user of workers) file.permissions.push(pull({ user }, group));
    pullableUsersOf.set(department, new Set([...workers, ...agents.map((a) => a.id)]));
  });

  // The hot desk: everyone races for the same few activities and must be able to take them from
  // whichever bench agent won them last.
  file.userGroups.push({
    id: HOT_GROUP,
    name: 'Bench Hot Racers',
    department: HOT_DEPARTMENT,
    members: agents.map((a) => a.id),
    roles: [],
  });
  file.permissions.push(pull({ queue: HOT_QUEUE }, HOT_GROUP));
  if (options.moves) file.permissions.push(pull({ queue: PULL_QUEUE_2 }, HOT_GROUP));
  for (const agent of agents) file.permissions.push(pull({ user: agent.id }, HOT_GROUP));
  const hotActivityIds: string[] = [];
  for (let i = 0; i < sizes.hotActivities; i++) {
    const id = String(FIRST_HOT_ACTIVITY_ID + i);
    const at = new Date(BENCH_NOW.getTime() - 3_600_000 + i * 1_000).toISOString();
    const hot: ActivityEntry = {
      id,
      department: HOT_DEPARTMENT,
      type: 'email',
      subtype: 'general',
      mode: 'inbound',
      subject: `Hot ticket ${i + 1}`,
      priority: '1',
      status: 'awaiting_assignment',
      substatus: 'ready_for_assignment',
      queue: HOT_QUEUE,
      created: at,
      lastModified: at,
    };
    file.activities.push(hot);
    hotActivityIds.push(id);
  }

  return {
    file,
    world: { sizes, agents, viewers, departments, agentsOf, pullableUsersOf, hotActivityIds },
  };
}
