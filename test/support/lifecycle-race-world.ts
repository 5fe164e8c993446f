// The organisation the lifecycle race runs in: the generator's world, with every user made an agent
// or a supervisor who may pick, pull, transfer and complete anywhere, so that losers lose only to the
// race (and to the few rules the data keeps on purpose: pins, locks, drafts, an agent's missing
// Unpin). Hot activities are grouped into cases of two, so that completes race to close them.
import {
  generateOrganisation,
  type ActivityEntry,
  type OrganisationFile,
  type PermissionEntry,
} from '../../src/org/organisation-generator.js';
import { FIXTURE_NOW } from './test-service.js';

export const AGENT_ROLE = '90';
export const SUPERVISOR_ROLE = '91';
const LIFECYCLE = ['View Agent Console', 'Pick Activities', 'Complete', 'Pull Activities'] as const;

export interface RaceUser {
  readonly id: string;
  readonly login: string;
  /** Supervisors hold Unpin; agents do not (their unpin=yes on a pinned activity is a 403-178). */
  readonly supervisor: boolean;
  readonly maxPull: number;
}

export interface RaceWorld {
  readonly organisation: OrganisationFile;
  readonly users: readonly RaceUser[];
  /** Non-draft activities that every operation may name: emails inbound, tasks, user-defined types. */
  readonly hot: readonly string[];
  /** Draft responses, which clients name now and then by mistake (400-301). */
  readonly drafts: readonly string[];
  readonly queues: readonly { readonly id: string; readonly departmentId: string }[];
  readonly departments: readonly string[];
  /** Each department's transfer queue (where a department transfer leaves an activity). */
  readonly transferQueueOf: ReadonlyMap<string, string>;
}

const CASE_SIZE = 2;
const FIRST_RACE_CASE = 9001;

/** A race-friendly type: pickable, transferable to a user, a queue and a department, completable. */
function isHotEntry(a: ActivityEntry): boolean {
  if (a.isDraftResponse) return false;
  if (a.status !== 'awaiting_assignment' && a.status !== 'assigned') return false;
  if (a.type === 'email') return a.mode === 'inbound';
  return a.type === 'task' || a.type === 'warranty_claim' || a.type === 'return_request';
}

export function raceWorld(options: { users: number; activities: number }): RaceWorld {
  const org = generateOrganisation({
    seed: 23,
    departments: 3,
    users: options.users,
    queues: 6,
    activities: options.activities,
    now: FIXTURE_NOW,
  });
  const departments = org.departments.map((d) => d.id);
  const queues = org.queues.map((q) => ({ id: q.id, departmentId: q.department }));
  // Every department shares with every other, its first queue being its transfer queue.
  const transferQueueOf = new Map(
    departments.map((d) => [d, queues.find((q) => q.departmentId === d)!.id] as const),
  );
  org.departments = org.departments.map((d) => ({
    ...d,
    sharedWith: departments.filter((other) => other !== d.id),
    transferQueue: transferQueueOf.get(d.id)!,
  }));
  org.roles = [
    ...org.roles,
    { id: AGENT_ROLE, name: 'Racing agent', actions: [...LIFECYCLE] },
    { id: SUPERVISOR_ROLE, name: 'Racing supervisor', actions: [...LIFECYCLE, 'Unpin'] },
  ];
  org.userGroups = org.userGroups.map((g) => ({ ...g, roles: [] }));
  const users: RaceUser[] = org.users.map((u, i) => ({
    id: u.id,
    login: u.loginName,
    supervisor: i % 3 === 0,
    maxPull: 1 + (i % 4),
  }));
  org.users = org.users.map((u, i) => ({
    ...u,
    homeDepartment: departments[0],
    foreignDepartments: departments.slice(1),
    licenses: ['eGain Advisor Desktop'],
    roles: [users[i].supervisor ? SUPERVISOR_ROLE : AGENT_ROLE],
    // Two or three queues each, rotating, so that pulls of different users overlap partly.
    pullQueues: queues.filter((_, q) => (q + i) % 3 !== 0).map((q) => q.id),
    maxPull: users[i].maxPull,
  }));
  const grant = (permission: PermissionEntry['permission'], on: PermissionEntry['on'], user: string) => ({
    permission,
    on,
    grantedTo: { user },
  });
  org.permissions = users.flatMap((grantee) =>
    (['Pull activities', 'Transfer activities'] as const).flatMap((permission) => [
      ...queues.map((q) => grant(permission, { queue: q.id }, grantee.id)),
      ...users.map((target) => grant(permission, { user: target.id }, grantee.id)),
    ]),
  );
  const hotEntries = org.activities.filter(isHotEntry);
  const hot = hotEntries.map((a) => a.id);
  // Hot activities without a fixed case share one with their neighbours (no customer: any may join).
  const fixedCase = new Set(org.activities.filter((a) => a.case !== undefined).map((a) => a.id));
  const grouped = hotEntries.filter((a) => !fixedCase.has(a.id));
  const caseOf = new Map(
    grouped.map((a, i) => [a.id, String(FIRST_RACE_CASE + Math.floor(i / CASE_SIZE))] as const),
  );
  org.cases = [...org.cases, ...[...new Set(caseOf.values())].map((id) => ({ id }))];
  org.activities = org.activities.map((a) => (caseOf.has(a.id) ? { ...a, case: caseOf.get(a.id)! } : a));
  const drafts = org.activities.filter((a) => a.isDraftResponse).map((a) => a.id);
  return { organisation: org, users, hot, drafts, queues, departments, transferQueueOf };
}
