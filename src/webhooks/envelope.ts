// eGain's callback envelope (SubscriptionEventAsync) around one event, and its Standard Webhooks
// headers. One event per request: a receiver acknowledges exactly what it got, and order per activity
// is the order of the requests.
import { Webhook } from 'standardwebhooks';

/** Our payloads are this service's own rendering of eGain's event payloads. */
export const PAYLOAD_VERSION = 'v3';

export interface EnvelopeSource {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payloadJson: string;
}

/**
 * The webhook-id (and notificationId) names the delivery: the same on every retry and redelivery of
 * it, so a receiver can drop duplicates (delivery is at least once).
 */
export const webhookId = (deliveryId: string) => `msg_${deliveryId}`;

export function envelopeBody(source: EnvelopeSource): string {
  return JSON.stringify({
    metadata: { notificationId: webhookId(source.deliveryId), payloadVersion: PAYLOAD_VERSION },
    messages: [
      { id: source.eventId, type: source.eventType, payload: JSON.parse(source.payloadJson) as unknown },
    ],
  });
}

export function signedHeaders(secret: string, id: string, body: string, now: Date): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, now, body),
  };
}

/** A new secret in the Standard Webhooks form: whsec_ and 32 random bytes in base64. */
export function newSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
}

/** A secret given by an operator must be one the library accepts (whsec_ + base64 of 24–64 bytes). */
export function isValidSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}
