// The event types a webhook may subscribe to: eGain's callback vocabulary (store/outbox.ts).
import type { EventType } from '../store/outbox.js';

export const WEBHOOK_EVENT_TYPES = [
  'activity_created',
  'activity_transition',
  'activity_completed',
  'case_closed',
] as const satisfies readonly EventType[];

/** `http:` or `https:` with a host and no user name or password (they would travel in clear in logs). */
export function webhookUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http or https';
  if (url.hostname === '') return 'names no host';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  return undefined;
}
