// Who may search (and read by id), and what a user sees. Users: scope, then View Agent Console, and
// only activities of their home and foreign departments (a filter, never an error). Client
// applications: the scope alone, and every department (eGain: "No additional permission required").
import { SCOPE_MANAGE, SCOPE_READ, type Caller, type ClientApplication } from './caller.js';
import type { Activity } from './activity.js';
import { fail, succeed, type Outcome, type RuleFailure } from './failures.js';
import { checkReader, selectVisible } from './read-rules.js';

export type Searcher = { readonly user: Caller } | { readonly client: ClientApplication };

export function checkSearcher(searcher: Searcher): RuleFailure | undefined {
  if ('user' in searcher) return checkReader(searcher.user);
  const { scopes } = searcher.client;
  return scopes.has(SCOPE_READ) || scopes.has(SCOPE_MANAGE) ? undefined : { kind: 'MissingScope' };
}

/** The departments whose activities the searcher sees; undefined means all of them. */
export function visibleDepartments(searcher: Searcher): readonly string[] | undefined {
  if (!('user' in searcher)) return undefined;
  const { homeDepartmentId, foreignDepartmentIds } = searcher.user;
  return [homeDepartmentId, ...[...foreignDepartmentIds].filter((id) => id !== homeDepartmentId)];
}

/** GET by ids: the activities in the order asked; unknown ids (and, for users, invisible ones) fail. */
export function selectReadable<T extends Activity>(
  searcher: Searcher,
  ids: readonly string[],
  found: readonly T[],
): Outcome<T[]> {
  if ('user' in searcher) return selectVisible(searcher.user, ids, found);
  const byId = new Map(found.map((a) => [a.id, a] as const));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) return fail({ kind: 'UnknownInPath', ids: unknown });
  return succeed(ids.map((id) => byId.get(id)!));
}
