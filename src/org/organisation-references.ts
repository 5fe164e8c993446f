// Cross-reference rules of the organisation file that a JSON Schema cannot say: ids unique per kind,
// every reference resolves within the file, and the status/assignment rules of org-data.md.
import { isBuiltInType } from '../domain/activity.js';
import type { OrganisationDocument } from './organisation-schema.js';

export interface OrganisationProblem {
  /** JSON path, e.g. `users[3].homeDepartment`. */
  readonly path: string;
  readonly reason: string;
}

const SUBSTATUSES: Record<string, readonly string[] | undefined> = {
  awaiting_assignment: ['ready_for_assignment'],
  assigned: ['new', 'in_progress'],
  completed: ['done'],
};

export function findReferenceProblems(doc: OrganisationDocument): OrganisationProblem[] {
  const problems: OrganisationProblem[] = [];
  const report = (path: string, reason: string) => problems.push({ path, reason });

  const ids = <T>(
    section: string,
    items: readonly T[] | undefined,
    key: (item: T) => string,
  ): Set<string> => {
    const seen = new Set<string>();
    (items ?? []).forEach((item, i) => {
      const id = key(item);
      if (seen.has(id)) report(`${section}[${i}]`, `duplicate ${JSON.stringify(id)}`);
      seen.add(id);
    });
    return seen;
  };
  const departments = ids('departments', doc.departments, (d) => d.id);
  const roles = ids('roles', doc.roles, (r) => r.id);
  const users = ids('users', doc.users, (u) => u.id);
  ids('users', doc.users, (u) => `login ${u.loginName}`);
  const groups = ids('userGroups', doc.userGroups, (g) => g.id);
  const queues = ids('queues', doc.queues, (q) => q.id);
  const types = ids('activityTypes', doc.activityTypes, (t) => t.name);
  const activities = ids('activities', doc.activities, (a) => a.id);
  const customers = ids('customers', doc.customers, (c) => c.id);
  const cases = ids('cases', doc.cases, (c) => c.id);
  ids('aliases', doc.aliases, (a) => a.address.toLowerCase());
  const queueDepartment = new Map((doc.queues ?? []).map((q) => [q.id, q.department]));
  const customerDepartment = new Map((doc.customers ?? []).map((c) => [c.id, c.department]));
  const caseCustomer = new Map((doc.cases ?? []).map((c) => [c.id, c.customer]));

  const expect = (path: string, known: Set<string>, kind: string, id: string | undefined) => {
    if (id !== undefined && !known.has(id)) report(path, `no ${kind} ${JSON.stringify(id)}`);
  };
  const expectAll = (path: string, known: Set<string>, kind: string, list: readonly string[] | undefined) =>
    (list ?? []).forEach((id, j) => expect(`${path}[${j}]`, known, kind, id));

  (doc.departments ?? []).forEach((d, i) => {
    expectAll(`departments[${i}].sharedWith`, departments, 'department', d.sharedWith);
    if (d.sharedWith?.includes(d.id))
      report(`departments[${i}].sharedWith`, 'a department cannot share with itself');
    if (d.transferQueue !== undefined) {
      expect(`departments[${i}].transferQueue`, queues, 'queue', d.transferQueue);
      const owner = queueDepartment.get(d.transferQueue);
      if (owner !== undefined && owner !== d.id)
        report(
          `departments[${i}].transferQueue`,
          `queue "${d.transferQueue}" belongs to department "${owner}"`,
        );
    }
  });
  (doc.users ?? []).forEach((u, i) => {
    expect(`users[${i}].homeDepartment`, departments, 'department', u.homeDepartment);
    expectAll(`users[${i}].pullQueues`, queues, 'queue', u.pullQueues);
    (u.pullQueues ?? []).forEach((q, j, list) => {
      if (list.indexOf(q) !== j) report(`users[${i}].pullQueues[${j}]`, `duplicate ${JSON.stringify(q)}`);
    });
    expectAll(`users[${i}].foreignDepartments`, departments, 'department', u.foreignDepartments);
    expectAll(`users[${i}].roles`, roles, 'role', u.roles);
  });
  (doc.userGroups ?? []).forEach((g, i) => {
    expect(`userGroups[${i}].department`, departments, 'department', g.department);
    expectAll(`userGroups[${i}].members`, users, 'user', g.members);
    expectAll(`userGroups[${i}].roles`, roles, 'role', g.roles);
  });
  (doc.queues ?? []).forEach((q, i) =>
    expect(`queues[${i}].department`, departments, 'department', q.department),
  );
  (doc.permissions ?? []).forEach((p, i) => {
    if ('queue' in p.on) expect(`permissions[${i}].on.queue`, queues, 'queue', p.on.queue);
    else expect(`permissions[${i}].on.user`, users, 'user', p.on.user);
    if ('user' in p.grantedTo) expect(`permissions[${i}].grantedTo.user`, users, 'user', p.grantedTo.user);
    else expect(`permissions[${i}].grantedTo.group`, groups, 'group', p.grantedTo.group);
  });
  (doc.aliases ?? []).forEach((a, i) => {
    expect(`aliases[${i}].department`, departments, 'department', a.department);
    expect(`aliases[${i}].queue`, queues, 'queue', a.queue);
    const owner = queueDepartment.get(a.queue);
    if (owner !== undefined && owner !== a.department)
      report(`aliases[${i}].queue`, `queue "${a.queue}" belongs to department "${owner}"`);
  });
  // A contact point identifies one customer within its department (shared customers: '').
  const contactOwners = new Set<string>();
  (doc.customers ?? []).forEach((c, i) => {
    expect(`customers[${i}].department`, departments, 'department', c.department);
    const scope = c.department ?? '';
    const points = [
      ...(c.contacts?.email ?? []).map(
        (e, j) => [`contacts.email[${j}]`, `email ${e.toLowerCase()}`] as const,
      ),
      ...(c.contacts?.phone ?? []).map((p, j) => [`contacts.phone[${j}]`, `${p.kind} ${p.number}`] as const),
    ];
    for (const [path, point] of points) {
      const key = `${scope}\u0000${point}`;
      if (contactOwners.has(key)) report(`customers[${i}].${path}`, `${point} belongs to another customer`);
      contactOwners.add(key);
    }
  });
  (doc.cases ?? []).forEach((c, i) => expect(`cases[${i}].customer`, customers, 'customer', c.customer));
  (doc.activityTypes ?? []).forEach((t, i) => {
    if (isBuiltInType(t.name)) report(`activityTypes[${i}].name`, `"${t.name}" is a built-in type`);
  });
  (doc.activities ?? []).forEach((a, i) => {
    const at = `activities[${i}]`;
    expect(`${at}.department`, departments, 'department', a.department);
    if (!isBuiltInType(a.type) && !types.has(a.type))
      report(`${at}.type`, `no activity type ${JSON.stringify(a.type)}`);
    expect(`${at}.queue`, queues, 'queue', a.queue);
    expect(`${at}.assignedTo`, users, 'user', a.assignedTo);
    expect(`${at}.parentActivity`, activities, 'activity', a.parentActivity);
    expect(`${at}.customer`, customers, 'customer', a.customer);
    expect(`${at}.case`, cases, 'case', a.case);
    const customerDept = a.customer === undefined ? undefined : customerDepartment.get(a.customer);
    if (customerDept !== undefined && customerDept !== a.department)
      report(`${at}.customer`, `customer "${a.customer}" belongs to department "${customerDept}"`);
    const owner = a.case === undefined ? undefined : caseCustomer.get(a.case);
    if (owner !== undefined && a.customer !== undefined && owner !== a.customer)
      report(`${at}.case`, `case "${a.case}" belongs to customer "${owner}"`);
    if (a.status === 'assigned' && a.assignedTo === undefined)
      report(`${at}.assignedTo`, 'required when status is "assigned"');
    if (a.status === 'awaiting_assignment' && a.queue === undefined)
      report(`${at}.queue`, 'required when status is "awaiting_assignment"');
    if (a.status === 'awaiting_assignment' && a.assignedTo !== undefined)
      report(`${at}.assignedTo`, 'not allowed when status is "awaiting_assignment"');
    if (a.status !== 'assigned' && (a.pinned === true || a.locked === true))
      report(`${at}`, 'pinned and locked apply to assigned activities only');
    const allowed = SUBSTATUSES[a.status];
    if (a.substatus !== undefined && allowed && !allowed.includes(a.substatus)) {
      report(`${at}.substatus`, `must be one of ${allowed.join(', ')} when status is "${a.status}"`);
    }
    if (a.isDraftResponse === true && a.type !== 'email')
      report(`${at}.isDraftResponse`, 'only email activities can be draft responses');
  });
  return problems;
}
