// Requests and row counts shared by the intake suites (create task, incoming email, id race).
import assert from 'node:assert/strict';
import { issueClientToken } from '../../src/auth/token-issuer.js';
import { KeyStore } from '../../src/store/key-store.js';
import type { HttpResponse, TestService } from './test-service.js';

export const TASK_PATH = '/core/casemgr/v3/activity/task';
export const EMAIL_PATH = '/core/casemgr/v3/activity/email/general';
export const LOCATION_PATTERN = /^\/core\/casemgr\/v3\/activity\/([1-9][0-9]{0,17})$/;

export interface IntakeCall {
  /** A login (user token), `{ client }` (client-application token) or null (no token). */
  readonly as: string | { readonly client: string; readonly scope?: string } | null;
  readonly scope?: string;
  readonly query?: string;
  readonly headers?: Record<string, string | undefined>;
  /** An object is sent as JSON; a string as is; undefined sends no body. */
  readonly body?: unknown;
}

export async function clientToken(service: TestService, clientId: string, scope = 'core.casemgr.manage') {
  const key = await new KeyStore(service.database.db).getOrCreate(Date.now());
  return issueClientToken(key, { clientId, scope, expiresInSeconds: 3600 });
}

export async function post(service: TestService, path: string, call: IntakeCall): Promise<HttpResponse> {
  let authorization: string | undefined;
  if (typeof call.as === 'string') {
    authorization = `Bearer ${service.token(call.as, call.scope ? { scope: call.scope } : {})}`;
  } else if (call.as !== null) {
    authorization = `Bearer ${await clientToken(service, call.as.client, call.as.scope)}`;
  }
  const body =
    call.body === undefined
      ? undefined
      : typeof call.body === 'string'
        ? call.body
        : JSON.stringify(call.body);
  return service.request({
    method: 'POST',
    path: `${path}${call.query ?? ''}`,
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...call.headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
}

/** The id in a 201's Location header (and that the answer has no body). */
export function createdId(response: HttpResponse): string {
  assert.equal(response.status, 201, response.text);
  assert.equal(response.text, '');
  const match = LOCATION_PATTERN.exec(String(response.headers.location));
  assert.ok(match, `Location: ${String(response.headers.location)}`);
  return match[1];
}

export interface RowCounts {
  readonly activities: number;
  readonly cases: number;
  readonly customers: number;
  readonly contacts: number;
  readonly history: number;
}

export async function rowCounts(service: TestService): Promise<RowCounts> {
  const db = service.database.db;
  const count = async (
    table: 'activities' | 'cases' | 'customers' | 'customer_contacts' | 'activity_history',
  ) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    activities: await count('activities'),
    cases: await count('cases'),
    customers: await count('customers'),
    contacts: await count('customer_contacts'),
    history: await count('activity_history'),
  };
}

/**
 * Makes the next create fail after its customer and case were written: the activity id the counter
 * hands out next is taken by a copy of an existing activity, so the activity's INSERT breaks the
 * primary key inside the create transaction.
 */
export async function occupyNextActivityId(service: TestService): Promise<string> {
  const db = service.database.db;
  const { next_value } = await db
    .selectFrom('id_sequences')
    .select('next_value')
    .where('name', '=', 'activity')
    .executeTakeFirstOrThrow();
  const id = String(next_value);
  const template = await db
    .selectFrom('activities')
    .selectAll()
    .where('id', '=', '100021')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('activities')
    .values({ ...template, id, case_id: null })
    .execute();
  return id;
}

/** The stored row of a created activity. */
export function storedActivity(service: TestService, id: string) {
  return service.database.db
    .selectFrom('activities')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}
