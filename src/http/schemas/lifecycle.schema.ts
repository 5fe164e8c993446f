// Transfer, complete and pull: their query and answers. The body of transfer and complete is pick's.
import { Type, type Static } from '@sinclair/typebox';

export const TransferQuery = Type.Object(
  {
    unpin: Type.Optional(
      Type.Literal('yes', { description: 'Transfer pinned activities too (needs the Unpin action).' }),
    ),
    reassign: Type.Optional(
      Type.Literal('yes', { description: 'Accepted and recorded on the activity; changes no rule.' }),
    ),
  },
  { additionalProperties: false },
);

export const TargetIdParams = Type.Object({ id: Type.String() });

const Link = Type.Array(Type.Object({ rel: Type.String(), href: Type.String() }));

export const CompletedList = Type.Object({
  activity: Type.Array(
    Type.Object({
      id: Type.String(),
      link: Link,
      case: Type.Optional(
        Type.Object({
          id: Type.String(),
          link: Link,
          status: Type.Object({ value: Type.String(), displayValue: Type.String() }),
        }),
      ),
    }),
  ),
});
export type CompletedListType = Static<typeof CompletedList>;

export const PulledList = Type.Object({
  activity: Type.Array(Type.Object({ id: Type.String(), link: Link })),
});
export type PulledListType = Static<typeof PulledList>;
