// Reading activities (GET /activity/{ids}): who may read, and which activities they may see.
import type { Activity } from './activity.js';
import {
  ACTION_VIEW_AGENT_CONSOLE,
  SCOPE_MANAGE,
  SCOPE_READ,
  canSeeDepartment,
  type Caller,
} from './caller.js';
import { fail, succeed, type Outcome, type RuleFailure } from './failures.js';

export function checkReader(caller: Caller): RuleFailure | undefined {
  // 403-197: read or manage scope.
  if (!caller.scopes.has(SCOPE_READ) && !caller.scopes.has(SCOPE_MANAGE)) return { kind: 'MissingScope' };
  // 403-178: eGain requires View Agent Console to read activities.
  if (!caller.actions.has(ACTION_VIEW_AGENT_CONSOLE)) {
    return { kind: 'ActionNotAllowed', action: ACTION_VIEW_AGENT_CONSOLE, ids: [] };
  }
  return undefined;
}

/**
 * The activities in the order asked. Activities outside the caller's home and foreign departments are
 * treated as unknown, so that a client cannot learn that they exist (404-100).
 */
export function selectVisible<T extends Activity>(
  caller: Caller,
  ids: readonly string[],
  found: readonly T[],
): Outcome<T[]> {
  const visible = new Map(
    found.filter((a) => canSeeDepartment(caller, a.departmentId)).map((a) => [a.id, a] as const),
  );
  const unknown = ids.filter((id) => !visible.has(id));
  if (unknown.length > 0) return fail({ kind: 'UnknownInPath', ids: unknown });
  return succeed(ids.map((id) => visible.get(id)!));
}
