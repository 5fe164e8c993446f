// Table types for Kysely. Ids are TEXT (strings of digits) on both dialects; instants are epoch
// milliseconds in BIGINT (pg returns them as strings, hence `number | string`); flags are 0/1 INTEGER
// so that the same SQL runs on SQLite and PostgreSQL.
import type { Generated } from 'kysely';

type Millis = number | string;
type Flag = number;

export interface Database {
  departments: { id: string; name: string; transfer_queue_id: string | null };
  department_shares: { department_id: string; shared_with_id: string };
  roles: { id: string; name: string };
  role_actions: { role_id: string; action: string };
  users: {
    id: string;
    login_name: string;
    first_name: string;
    last_name: string;
    home_department_id: string;
    max_pull: Generated<number>;
    password_hash: string | null;
  };
  user_pull_queues: { user_id: string; queue_id: string; position: number };
  user_foreign_departments: { user_id: string; department_id: string };
  user_licenses: { user_id: string; license: string };
  user_roles: { user_id: string; role_id: string };
  user_groups: { id: string; name: string; department_id: string };
  group_members: { group_id: string; user_id: string };
  group_roles: { group_id: string; role_id: string };
  queues: { id: string; name: string; department_id: string };
  /** "Pull activities": on a queue or a user (target), granted to a user or a group (grantee). */
  pull_permissions: {
    target_kind: 'queue' | 'user';
    target_id: string;
    grantee_kind: 'user' | 'group';
    grantee_id: string;
  };
  /** "Transfer activities": the same shape as pull_permissions. */
  transfer_permissions: {
    target_kind: 'queue' | 'user';
    target_id: string;
    grantee_kind: 'user' | 'group';
    grantee_id: string;
  };
  /** Lower-cased address of an alias; mail to an active one lands in its queue. */
  aliases: { address: string; department_id: string; queue_id: string; active: Flag };
  customers: {
    id: string;
    first_name: string;
    last_name: string;
    department_id: string | null;
    created_ms: Millis;
  };
  customer_contacts: {
    customer_id: string;
    kind: 'email' | 'home' | 'mobile' | 'office';
    value: string;
    /** The customer's department id, '' for a shared customer. */
    department_key: string;
  };
  cases: {
    id: string;
    customer_id: string | null;
    status: 'open' | 'closed';
    created_ms: Millis;
    closed_ms: Millis | null;
  };
  id_sequences: { name: string; next_value: number | string };
  activity_types: { name: string; display_name: string };
  activities: {
    id: string;
    department_id: string;
    type: string;
    subtype: string | null;
    mode: string | null;
    subject: string;
    priority: string | null;
    status: string;
    substatus: string | null;
    queue_id: string | null;
    assigned_user_id: string | null;
    pinned: Flag;
    locked: Flag;
    is_draft_response: Flag;
    parent_activity_id: string | null;
    created_ms: Millis;
    last_modified_ms: Millis;
    last_modified_by: string | null;
    last_action: string | null;
    customer_id: string | null;
    case_id: string | null;
    due_date_ms: Millis | null;
    created_by: string | null;
    /** eGain's `payload` element as JSON text. */
    payload_json: string | null;
    /** The department a transfer moved it out of (eGain's `lastDepartment`); null until one did. */
    last_department_id: string | null;
  };
  activity_history: {
    id: Generated<number | string>;
    activity_id: string;
    pick_id: string;
    from_kind: 'queue' | 'user';
    from_id: string;
    to_user_id: string;
    by_user_id: string;
    at_ms: Millis;
    unpinned: Flag;
    action: string;
  };
  /** The transactional outbox (migration 0007; store/outbox.ts). */
  events: {
    id: Generated<number | string>;
    type: string;
    activity_id: string | null;
    case_id: string | null;
    department_id: string;
    previous_department_id: string | null;
    user_id: string | null;
    previous_user_id: string | null;
    actor: string;
    request_id: string;
    at_ms: Millis;
    payload_json: string;
  };
  /** Webhook subscriptions (migration 0008; src/webhooks). */
  webhook_subscriptions: { id: string; url: string; secret: string; active: Flag; created_ms: Millis };
  webhook_subscription_types: { subscription_id: string; type: string };
  webhook_deliveries: {
    id: Generated<number | string>;
    subscription_id: string;
    event_id: number | string;
    order_key: string;
    status: 'pending' | 'delivered' | 'dead';
    attempts: Generated<number>;
    next_attempt_ms: Millis;
    created_ms: Millis;
    claimed_by: string | null;
    claimed_until_ms: Millis | null;
    delivered_ms: Millis | null;
    last_error: string | null;
  };
  signing_keys: {
    kid: string;
    algorithm: string;
    private_pem: string;
    public_pem: string;
    created_ms: Millis;
  };
  settings: { name: string; value: string };
  /** One row (id 1): bumped by every change to what users may do (migration 0010). */
  organisation_version: { id: number; version: number | string };
  /** The embedded OpenID Provider's records (migration 0011; auth/oidc/record-adapter.ts). */
  oidc_records: {
    model: string;
    id: string;
    payload_json: string;
    grant_id: string | null;
    uid: string | null;
    user_code: string | null;
    expires_ms: Millis | null;
    consumed_ms: Millis | null;
  };
}
