// PATCH /core/casemgr/v3/activity/pick: body and query, as the contract defines them.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_ACTIVITIES_PER_PICK } from '../../domain/pick-request.js';
import { ActivityId } from './common.schema.js';

export const PickQuery = Type.Object(
  {
    unpin: Type.Optional(
      Type.Literal('yes', { description: 'Pick pinned activities too (needs the Unpin action).' }),
    ),
  },
  { additionalProperties: false },
);

export const PickBody = Type.Object(
  {
    activity: Type.Array(
      Type.Object(
        {
          // A JSON integer is accepted too and means the same id (ours).
          id: Type.Union([ActivityId, Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })]),
          lastModified: Type.String({ format: 'rfc3339', examples: ['2014-11-24T09:09:08.000Z'] }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_ACTIVITIES_PER_PICK },
    ),
  },
  { additionalProperties: false },
);

export type PickBodyType = Static<typeof PickBody>;
