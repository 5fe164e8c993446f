// The checks made on the caller alone, before any activity is read (contract rules 5–6).
import { SCOPE_MANAGE, type Caller, type GuardedAction } from '../caller.js';
import type { RuleFailure } from '../failures.js';

/** Rule 5 — 403-197: the token must carry the manage scope (users and client applications alike). */
export function checkManageScope(scopes: ReadonlySet<string>): RuleFailure | undefined {
  return scopes.has(SCOPE_MANAGE) ? undefined : { kind: 'MissingScope' };
}

/** Rules 5–6: the manage scope, then the operation's action on the Activity resource (403-178). */
export function checkUserFor(action: GuardedAction, caller: Caller): RuleFailure | undefined {
  return (
    checkManageScope(caller.scopes) ??
    (caller.actions.has(action) ? undefined : { kind: 'ActionNotAllowed', action, ids: [] })
  );
}
