// Webhook subscription bodies and answers (admin API, src/http/routes/webhook.route.ts).
import { Type, type Static } from '@sinclair/typebox';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/event-types.js';

const EventType = Type.Union(WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t)));

export const WebhookBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, examples: ['https://crm.example.com/casemgr-events'] }),
    eventTypes: Type.Array(EventType, {
      minItems: 1,
      maxItems: WEBHOOK_EVENT_TYPES.length,
      uniqueItems: true,
    }),
    /** Standard Webhooks secret (whsec_ + base64); generated when left out, shown only in the 201 answer. */
    secret: Type.Optional(Type.String({ maxLength: 200 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type WebhookBodyType = Static<typeof WebhookBody>;

export const WebhookIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const Link = Type.Array(Type.Object({ rel: Type.String(), href: Type.String() }));

const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  active: Type.Boolean(),
  created: Type.String({ format: 'date-time' }),
  pendingDeliveries: Type.Integer(),
  deadLetters: Type.Integer(),
  link: Link,
});

export const WebhookList = Type.Object({ webhook: Type.Array(WebhookView) });

export const CreatedWebhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  active: Type.Boolean(),
  secret: Type.String(),
  link: Link,
});

export const Redelivered = Type.Object({ redelivered: Type.Integer() });
