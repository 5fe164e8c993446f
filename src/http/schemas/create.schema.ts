// POST /core/casemgr/v3/activity/task and POST /core/casemgr/v3/activity/email/general: query and
// body, in eGain's `Activity` shape as far as the two operations read it. Every object refuses
// unknown attributes (400-147); every array and string is bounded, so the validator's work on a body
// is bounded too (see create-body-screen.ts for what is judged before the schema).
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { CONTACT_ATTRIBUTES } from '../../domain/create-activity-rules.js';
import { ID_PATTERN } from './common.schema.js';

const closed = <T extends TProperties>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

const CONTACT_VALUES = Object.keys(CONTACT_ATTRIBUTES);

export const CreateTaskQuery = Type.Object(
  {
    // Required, but judged by the route: a missing one is 400-112, not a schema error.
    searchContactOnAttribute: Type.Optional(
      Type.String({ enum: CONTACT_VALUES, description: 'The contact point the customer is looked up by.' }),
    ),
    // eGain's schema says `true`, its example sends `yes`: both mean the same (ours).
    createCustomer: Type.Optional(
      Type.String({ enum: ['yes', 'true'], description: 'Create the customer when the lookup finds none.' }),
    ),
    activityContact: Type.Optional(
      Type.String({ enum: CONTACT_VALUES, description: 'The contact point the activity is about.' }),
    ),
  },
  { additionalProperties: false },
);
export type CreateTaskQueryType = Static<typeof CreateTaskQuery>;

export const CreateEmailQuery = Type.Object({}, { additionalProperties: false });

/** An email address as eGain accepts one: something@somewhere, no spaces, at most 254 characters. */
const EmailAddress = Type.String({ pattern: '^[^\\s@]+@[^\\s@]+$', maxLength: 254 });
const Name = Type.String({ maxLength: 128 });

const Customer = closed({
  type: Type.Optional(closed({ value: Type.String({ enum: ['individual'] }) })),
  contacts: Type.Optional(
    closed({
      contact: Type.Array(
        closed({
          firstName: Type.Optional(Name),
          lastName: Type.Optional(Name),
          // At most one contact point of each kind (eGain).
          email: Type.Optional(Type.Array(closed({ emailAddress: EmailAddress }), { maxItems: 1 })),
          phone: Type.Optional(
            Type.Array(
              closed({
                phoneNumber: Type.String({ pattern: '^\\+?[0-9][0-9 ().-]{0,39}$' }),
                type: Type.String({ enum: ['home', 'mobile', 'office'] }),
              }),
              { maxItems: 3 },
            ),
          ),
        }),
        { minItems: 1, maxItems: 1 },
      ),
    }),
  ),
});

const Department = closed({ name: Type.String({ minLength: 1, maxLength: 255 }) });
const ActivityType = closed({
  value: Type.String({ minLength: 1, maxLength: 64 }),
  subtype: closed({ value: Type.String({ minLength: 1, maxLength: 64 }) }),
});
const Subject = Type.String({ maxLength: 255 });
const Case = closed({ id: Type.String({ pattern: ID_PATTERN }) });
/** Content of a task or an email: up to the body limit, which bounds it anyway. */
const Content = closed({ text: Type.Optional(Type.String()), html: Type.Optional(Type.String()) });

export const CreateTaskBody = closed({
  department: Department,
  type: ActivityType,
  subject: Type.Optional(Subject),
  customer: Customer,
  case: Type.Optional(Case),
  priority: Type.Optional(Type.String({ pattern: '^[1-7]$' })),
  dueDate: Type.Optional(Type.String({ format: 'rfc3339' })),
  status: Type.Optional(
    closed({
      assigned: closed({
        user: closed({
          id: Type.Optional(Type.String({ pattern: ID_PATTERN })),
          loginId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
        }),
      }),
    }),
  ),
  payload: Type.Optional(closed({ task: closed({ content: Content }) })),
});
export type CreateTaskBodyType = Static<typeof CreateTaskBody>;

export const CreateEmailBody = closed({
  department: Department,
  type: ActivityType,
  subject: Type.Optional(Subject),
  customer: Type.Optional(Customer),
  case: Type.Optional(Case),
  payload: closed({
    email: closed({
      emailAddresses: closed({
        from: EmailAddress,
        receiver: EmailAddress,
        to: Type.Optional(Type.Array(EmailAddress, { maxItems: 50 })),
        cc: Type.Optional(Type.Array(EmailAddress, { maxItems: 50 })),
        replyTo: Type.Optional(EmailAddress),
      }),
      content: Type.Optional(Content),
    }),
  }),
});
export type CreateEmailBodyType = Static<typeof CreateEmailBody>;
