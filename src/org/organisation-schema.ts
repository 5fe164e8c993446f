// The organisation import file (docs/organisation-file.md) as a JSON Schema, with its TypeScript type
// inferred from it. Cross-references are checked separately (organisation-references.ts).
import { Type, type Static } from '@sinclair/typebox';
import { ACTIVITY_STATUSES } from '../domain/activity.js';
import { USER_LICENSES } from '../domain/caller.js';

const Id = Type.String({
  pattern: '^[1-9][0-9]{0,17}$',
  description: 'a string of 1–18 digits, no leading zero',
});
const Name = Type.String({ minLength: 1, maxLength: 255 });
const Instant = Type.String({ format: 'rfc3339' });
const strict = { additionalProperties: false } as const;

export const KNOWN_ACTIONS = [
  'Pick Activities',
  'Unpin',
  'View Agent Console',
  'Complete',
  'Edit Activity',
  'Pull Activities',
  'Create',
] as const;

const Department = Type.Object(
  {
    id: Id,
    name: Name,
    /** Departments this one shares activities with (a transfer to a department needs it). */
    sharedWith: Type.Optional(Type.Array(Id)),
    /** A queue of this department, where activities transferred to the department wait. */
    transferQueue: Type.Optional(Id),
  },
  strict,
);
const Role = Type.Object(
  { id: Id, name: Name, actions: Type.Array(Type.Union(KNOWN_ACTIONS.map((a) => Type.Literal(a)))) },
  strict,
);
const User = Type.Object(
  {
    id: Id,
    loginName: Type.String({ pattern: '^[A-Za-z0-9._@-]{1,128}$' }),
    firstName: Name,
    lastName: Type.String({ maxLength: 255 }),
    homeDepartment: Id,
    foreignDepartments: Type.Optional(Type.Array(Id)),
    licenses: Type.Optional(Type.Array(Type.Union(USER_LICENSES.map((l) => Type.Literal(l))))),
    roles: Type.Optional(Type.Array(Id)),
    /** Pull options: the queues pull takes from, in order, and how many activities at most. */
    pullQueues: Type.Optional(Type.Array(Id)),
    maxPull: Type.Optional(Type.Integer({ minimum: 1, maximum: 75 })),
    /** For signing in to the console: a PHC-style scrypt or argon2 hash. */
    passwordHash: Type.Optional(
      Type.String({ pattern: '^\\$(scrypt|argon2id|argon2i|argon2d)\\$', maxLength: 512 }),
    ),
  },
  strict,
);
const UserGroup = Type.Object(
  {
    id: Id,
    name: Name,
    department: Id,
    members: Type.Optional(Type.Array(Id)),
    roles: Type.Optional(Type.Array(Id)),
  },
  strict,
);
const Queue = Type.Object({ id: Id, name: Name, department: Id }, strict);
const Permission = Type.Object(
  {
    permission: Type.Union([Type.Literal('Pull activities'), Type.Literal('Transfer activities')]),
    on: Type.Union([Type.Object({ queue: Id }, strict), Type.Object({ user: Id }, strict)]),
    grantedTo: Type.Union([Type.Object({ user: Id }, strict), Type.Object({ group: Id }, strict)]),
  },
  strict,
);
const ActivityType = Type.Object(
  { name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), displayName: Name },
  strict,
);
const Activity = Type.Object(
  {
    id: Id,
    department: Id,
    type: Type.String({ minLength: 1 }),
    subtype: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    mode: Type.Optional(
      Type.Union([Type.Literal('inbound'), Type.Literal('outbound'), Type.Literal('none')]),
    ),
    subject: Type.Optional(Type.String({ maxLength: 1000 })),
    priority: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
    status: Type.Union(ACTIVITY_STATUSES.map((s) => Type.Literal(s))),
    substatus: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    queue: Type.Optional(Id),
    assignedTo: Type.Optional(Id),
    pinned: Type.Optional(Type.Boolean()),
    locked: Type.Optional(Type.Boolean()),
    isDraftResponse: Type.Optional(Type.Boolean()),
    parentActivity: Type.Optional(Id),
    created: Type.Optional(Instant),
    lastModified: Type.Optional(Instant),
    customer: Type.Optional(Id),
    /** Left out, the import gives the activity a case of its own. */
    case: Type.Optional(Id),
    dueDate: Type.Optional(Instant),
  },
  strict,
);
const EmailAddress = Type.String({ pattern: '^[^\\s@]{1,64}@[^\\s@]{1,255}$', maxLength: 320 });
const Alias = Type.Object(
  { address: EmailAddress, department: Id, queue: Id, active: Type.Optional(Type.Boolean()) },
  strict,
);
export const PHONE_KINDS = ['home', 'mobile', 'office'] as const;
const Customer = Type.Object(
  {
    id: Id,
    firstName: Type.String({ maxLength: 255 }),
    lastName: Type.String({ maxLength: 255 }),
    /** Left out, the customer is shared by every department. */
    department: Type.Optional(Id),
    contacts: Type.Optional(
      Type.Object(
        {
          email: Type.Optional(Type.Array(EmailAddress)),
          phone: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  kind: Type.Union(PHONE_KINDS.map((k) => Type.Literal(k))),
                  number: Type.String({ pattern: '^\\+?[0-9][0-9 ()./-]{0,39}$' }),
                },
                strict,
              ),
            ),
          ),
        },
        strict,
      ),
    ),
  },
  strict,
);
const Case = Type.Object({ id: Id, customer: Type.Optional(Id) }, strict);

export const OrganisationSchema = Type.Object(
  {
    departments: Type.Optional(Type.Array(Department)),
    roles: Type.Optional(Type.Array(Role)),
    users: Type.Optional(Type.Array(User)),
    userGroups: Type.Optional(Type.Array(UserGroup)),
    queues: Type.Optional(Type.Array(Queue)),
    permissions: Type.Optional(Type.Array(Permission)),
    activityTypes: Type.Optional(Type.Array(ActivityType)),
    activities: Type.Optional(Type.Array(Activity)),
    aliases: Type.Optional(Type.Array(Alias)),
    customers: Type.Optional(Type.Array(Customer)),
    cases: Type.Optional(Type.Array(Case)),
  },
  strict,
);

export type OrganisationDocument = Static<typeof OrganisationSchema>;
export type DepartmentEntry = Static<typeof Department>;
export type RoleEntry = Static<typeof Role>;
export type UserEntry = Static<typeof User>;
export type UserGroupEntry = Static<typeof UserGroup>;
export type QueueEntry = Static<typeof Queue>;
export type PermissionEntry = Static<typeof Permission>;
export type ActivityTypeEntry = Static<typeof ActivityType>;
export type ActivityEntry = Static<typeof Activity>;
export type AliasEntry = Static<typeof Alias>;
export type CustomerEntry = Static<typeof Customer>;
export type CaseEntry = Static<typeof Case>;
