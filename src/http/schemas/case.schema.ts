// GET /core/casemgr/v3/case/{ids}: eGain's case shape. The JSON response is serialized with this
// schema (fast-json-stringify), which also keeps anything not listed here out of the answer.
import { Type, type Static } from '@sinclair/typebox';

export const CaseJson = Type.Object({
  id: Type.String(),
  status: Type.Object({
    value: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    displayValue: Type.String(),
  }),
  customer: Type.Optional(
    Type.Object({ id: Type.String(), firstName: Type.String(), lastName: Type.String() }),
  ),
  activities: Type.Object({ count: Type.Integer({ minimum: 0 }) }),
  link: Type.Array(Type.Object({ rel: Type.String(), href: Type.String() })),
});
export type CaseJsonType = Static<typeof CaseJson>;

export const CaseList = Type.Object({ case: Type.Array(CaseJson) });

export const CaseIdsParams = Type.Object({
  ids: Type.String({ description: 'Comma-separated case ids, 1 to 75.', examples: ['8001,8002'] }),
});
