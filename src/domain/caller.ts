// The authenticated agent with every authorization fact the rules need, loaded once per request.

export const SCOPE_MANAGE = 'core.casemgr.manage';
export const SCOPE_READ = 'core.casemgr.read';
/** Webhook subscriptions (the admin API): an operator's scope, not an agent's. */
export const SCOPE_ADMIN = 'core.casemgr.admin';

export const ACTION_PICK = 'Pick Activities';
export const ACTION_UNPIN = 'Unpin';
export const ACTION_VIEW_AGENT_CONSOLE = 'View Agent Console';
export const ACTION_CREATE = 'Create';
export const ACTION_COMPLETE = 'Complete';
export const ACTION_PULL = 'Pull Activities';
export type GuardedAction =
  | typeof ACTION_PICK
  | typeof ACTION_UNPIN
  | typeof ACTION_VIEW_AGENT_CONSOLE
  | typeof ACTION_COMPLETE
  | typeof ACTION_PULL;

export const MAIL_LICENSES = ['eGain Advisor Desktop', 'eGain MailPlus'] as const;
/** Complete: a call track needs one of these (eGain's licences for call tracking). */
export const CALL_TRACK_LICENSES = ['eGain CallTrackPlus', 'eGain Advisor Desktop'] as const;
export const USER_LICENSES = [
  'eGain Platform',
  'eGain Knowledge + AI',
  'eGain MailPlus',
  'eGain ChatPlus',
  'eGain Advisor Desktop',
  'eGain CallTrackPlus',
  'eGain CobrowsePlus',
] as const;

/** Facts about the user from the organisation data (no token involved). */
export interface UserFacts {
  readonly userId: string;
  readonly homeDepartmentId: string;
  readonly foreignDepartmentIds: ReadonlySet<string>;
  readonly licenses: ReadonlySet<string>;
  /** Actions of the user's roles and of its groups' roles. */
  readonly actions: ReadonlySet<string>;
  /** Queues the user may pull from, directly or through a group ("Pull activities" on a queue). */
  readonly pullableQueueIds: ReadonlySet<string>;
  /** Users the user may pull from, directly or through a group ("Pull activities" on a user). */
  readonly pullableUserIds: ReadonlySet<string>;
}

export interface Caller extends UserFacts {
  /** Token scopes with the deployment's scope prefix already removed. */
  readonly scopes: ReadonlySet<string>;
}

/**
 * A client application (an integration such as a CRM or a mail gateway): a verified token that names
 * no user. eGain asks no actions, permissions, licenses or department scope of it; only its scopes
 * count, and only the operations that admit client applications accept it.
 */
export interface ClientApplication {
  /** The token's `client_id` (or `azp`) claim, for logs and history; '' when it names none. */
  readonly clientId: string;
  readonly scopes: ReadonlySet<string>;
}

export function canSeeDepartment(user: UserFacts, departmentId: string): boolean {
  return user.homeDepartmentId === departmentId || user.foreignDepartmentIds.has(departmentId);
}

export function hasAnyLicense(user: UserFacts, licenses: readonly string[]): boolean {
  return licenses.some((license) => user.licenses.has(license));
}

/** Who a write is done by, as history records it: a user, or a client application by its id. */
export type Actor =
  { readonly kind: 'user'; readonly userId: string } | { readonly kind: 'client'; readonly clientId: string };

export const actorOf = (caller: Caller | ClientApplication): Actor =>
  'userId' in caller
    ? { kind: 'user', userId: caller.userId }
    : { kind: 'client', clientId: caller.clientId };
