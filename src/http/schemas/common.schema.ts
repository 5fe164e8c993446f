// Schema pieces shared by the routes.
import { Type } from '@sinclair/typebox';

/** 1–18 digits without leading zeros (eGain ids). */
export const ID_PATTERN = '^[1-9][0-9]{0,17}$';
export const ID_REGEX = new RegExp(ID_PATTERN);

export const ActivityId = Type.String({ pattern: ID_PATTERN, examples: ['1217'] });

export const ErrorBodySchema = Type.Object(
  {
    code: Type.String({ pattern: '^[0-9]{3}-[0-9]+$' }),
    developerMessage: Type.String({ maxLength: 255 }),
    details: Type.Optional(
      Type.Array(Type.Object({ key: Type.String(), value: Type.String() }), { maxItems: 30 }),
    ),
    userMessage: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const NoQuery = Type.Object({}, { additionalProperties: false });
