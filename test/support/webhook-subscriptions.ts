// Webhook subscriptions made the way an operator makes them: through the admin API
// (POST /core/casemgr/v3/webhook with a token of the admin scope).
import assert from 'node:assert/strict';
import type { TestService } from './test-service.js';

export const ADMIN_SCOPE = 'core.casemgr.admin';
export const WEBHOOK_PATH = '/core/casemgr/v3/webhook';

/** A new subscription to `url` (default: every transition, completion and case closing). */
export async function subscribe(
  service: TestService,
  url: string,
  eventTypes?: string[],
): Promise<{ id: string; secret: string }> {
  const response = await service.request({
    method: 'POST',
    path: WEBHOOK_PATH,
    headers: {
      authorization: `Bearer ${service.token('alice', { scope: ADMIN_SCOPE })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      url,
      eventTypes: eventTypes ?? ['activity_transition', 'activity_completed', 'case_closed'],
    }),
  });
  assert.equal(response.status, 201, response.text);
  return response.json<{ id: string; secret: string }>();
}
