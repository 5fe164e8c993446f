// GET /core/casemgr/v3/activity/{id}/history (ours): the changes of one activity, oldest first. The
// JSON response is serialized with this schema, which also keeps anything not listed here out.
import { Type, type Static } from '@sinclair/typebox';

const Named = Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) });

/** Only what changed; `user` or `queue` null: the activity had (or has) none. */
const Side = Type.Object({
  user: Type.Optional(Type.Union([Named, Type.Null()])),
  queue: Type.Optional(Type.Union([Named, Type.Null()])),
  department: Type.Optional(Named),
  status: Type.Optional(Type.String({ description: 'status:substatus, e.g. assigned:new' })),
});

export const HistoryEventJson = Type.Object({
  type: Type.String({
    description:
      'activity_created, user_assignment (pick, pull), user_transfer, queue_transfer, department_transfer, activity_completed',
  }),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    type: Type.Union([Type.Literal('user'), Type.Literal('system')]),
    user: Type.Optional(Named),
    client: Type.Optional(Type.Object({ id: Type.String() })),
  }),
  source: Side,
  target: Side,
});
export type HistoryEventJsonType = Static<typeof HistoryEventJson>;

export const HistoryList = Type.Object({ event: Type.Array(HistoryEventJson) });

export const ActivityIdParams = Type.Object({
  id: Type.String({ description: 'An activity id.', examples: ['1217'] }),
});
