// GET /core/casemgr/v3/activity/{ids}: eGain's activity shape. The JSON response is serialized with
// this schema (fast-json-stringify), which is both faster and a guard against leaking extra fields.
import { Type, type Static } from '@sinclair/typebox';

const Named = Type.Object({ id: Type.String(), name: Type.String() });
const Display = Type.Object({ value: Type.String(), displayValue: Type.String() });
const Link = Type.Object({ rel: Type.String(), href: Type.String() });
/** A user; `name` is left out should the user no longer exist. */
const UserRef = Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) });

export const ActivityJson = Type.Object({
  id: Type.String(),
  type: Type.Object({ value: Type.String(), displayValue: Type.String(), subtype: Type.Optional(Display) }),
  mode: Type.Optional(Type.String()),
  department: Named,
  queue: Type.Optional(Named),
  status: Type.Object({
    value: Type.String(),
    displayValue: Type.String(),
    substatus: Type.Optional(Display),
    assigned: Type.Optional(Type.Object({ user: Named, pinned: Type.Boolean(), locked: Type.Boolean() })),
  }),
  subject: Type.String(),
  priority: Type.Optional(Type.String()),
  created: Type.String({ format: 'date-time' }),
  lastModified: Type.String({ format: 'date-time' }),
  dueDate: Type.Optional(Type.String({ format: 'date-time' })),
  case: Type.Optional(Type.Object({ id: Type.String(), link: Type.Array(Link) })),
  customer: Type.Optional(
    Type.Object({
      id: Type.String(),
      firstName: Type.String(),
      lastName: Type.String(),
      link: Type.Array(Link),
    }),
  ),
  // The optional groups ($attribute).
  createdBy: Type.Optional(UserRef),
  userLastWorked: Type.Optional(UserRef),
  lastDepartment: Type.Optional(Named),
  payload: Type.Optional(Type.Unknown()),
  link: Type.Array(Link),
});
export type ActivityJsonType = Static<typeof ActivityJson>;

export const ActivityList = Type.Object({ activity: Type.Array(ActivityJson) });

export const ActivityIdsParams = Type.Object({
  ids: Type.String({ description: 'Comma-separated activity ids, 1 to 75.', examples: ['100001,100002'] }),
});
