// Requests and database snapshots shared by the transfer, complete and pull contract suites.
import { issueClientToken } from '../../src/auth/token-issuer.js';
import { KeyStore } from '../../src/store/key-store.js';
import type { HttpResponse, TestService } from './test-service.js';

export const ACTIVITY_PATH = '/core/casemgr/v3/activity';

export interface LifecycleCall {
  /** A user's login, or `{ client }` for a client-application token. */
  readonly as: string | { readonly client: string };
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly query?: string;
  readonly headers?: Record<string, string>;
  readonly scope?: string;
}

export async function clientToken(service: TestService, clientId: string, scope: string): Promise<string> {
  const key = await new KeyStore(service.database.db).getOrCreate(Date.now());
  return issueClientToken(key, { clientId, scope, expiresInSeconds: 3600 });
}

export async function patch(service: TestService, path: string, call: LifecycleCall): Promise<HttpResponse> {
  const scope = call.scope ?? 'core.casemgr.manage';
  const token =
    typeof call.as === 'string'
      ? service.token(call.as, { scope })
      : await clientToken(service, call.as.client, scope);
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  return service.request({
    method: 'PATCH',
    path: `${ACTIVITY_PATH}${path}${call.query ?? ''}`,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...call.headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
}

/** `{ activity: [{ id, lastModified }] }` with each activity's current lastModified. */
export async function itemsOf(service: TestService, ids: readonly string[]) {
  return {
    activity: await Promise.all(
      ids.map(async (id) => ({ id, lastModified: await service.lastModified(id) })),
    ),
  };
}

/** Everything a lifecycle write may change: activities, history and cases, in a stable order. */
export async function snapshot(service: TestService): Promise<string> {
  const db = service.database.db;
  const [activities, history, cases] = await Promise.all([
    db.selectFrom('activities').selectAll().orderBy('id').execute(),
    db.selectFrom('activity_history').selectAll().orderBy('id').execute(),
    db.selectFrom('cases').selectAll().orderBy('id').execute(),
  ]);
  return JSON.stringify({ activities, history, cases });
}

export async function activityRow(service: TestService, id: string) {
  return service.database.db
    .selectFrom('activities')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

export async function caseRow(service: TestService, id: string) {
  return service.database.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
