// The two intake operations — create a task, receive an incoming email — as declared, ordered rule
// lists over pure inputs (docs/api/create-task.md, docs/api/receive-email.md). Each operation has two
// lists: the request rules, judged on the validated body and the caller before anything is read, and
// the fact rules, judged on what the store read inside the create transaction. The first rule that
// fails decides. No I/O, no clock (the time is passed in), no HTTP.
import {
  ACTION_CREATE,
  SCOPE_MANAGE,
  USER_LICENSES,
  canSeeDepartment,
  hasAnyLicense,
  type Actor as Writer,
  type Caller,
  type ClientApplication,
} from './caller.js';

export type ContactKind = 'email' | 'home' | 'mobile' | 'office';

/** `searchContactOnAttribute` / `activityContact` values and the contact kind each names. */
export const CONTACT_ATTRIBUTES = {
  'email.emailAddress': 'email',
  'home.phone': 'home',
  'mobile.phone': 'mobile',
  'office.phone': 'office',
} as const satisfies Record<string, ContactKind>;
export type ContactAttribute = keyof typeof CONTACT_ATTRIBUTES;

/** Where a contact point of each kind sits in eGain's `customer` element (named in errors). */
export const CUSTOMER_CONTACT_PATH: Record<ContactKind, string> = {
  email: 'customer.contacts.contact.email.emailAddress',
  home: 'customer.contacts.contact.phone.phoneNumber',
  mobile: 'customer.contacts.contact.phone.phoneNumber',
  office: 'customer.contacts.contact.phone.phoneNumber',
};

export interface ContactPoint {
  readonly kind: ContactKind;
  /** Email addresses lower-cased; phone numbers as given. */
  readonly value: string;
}

export interface CustomerInput {
  readonly firstName: string;
  readonly lastName: string;
  /** Every contact point the `customer` element carries, at most one of each kind. */
  readonly contacts: readonly ContactPoint[];
}

/** Who calls: an agent (with every authorization fact) or a client application (scopes only). */
export type Actor =
  | { readonly kind: 'user'; readonly caller: Caller }
  | { readonly kind: 'client'; readonly client: ClientApplication };

export interface AssigneeRef {
  readonly attribute: 'status.assigned.user.id' | 'status.assigned.user.loginId';
  readonly value: string;
}

/** What both operations share once the body passed its schema. */
interface CommonRequest {
  readonly departmentName: string;
  readonly typeValue: string;
  readonly subtypeValue: string;
  readonly subject: string | undefined;
  readonly content: { readonly text?: string; readonly html?: string } | undefined;
  readonly caseId: string | undefined;
  readonly customer: CustomerInput;
}

export interface TaskRequest extends CommonRequest {
  readonly search: ContactKind;
  /** `activityContact`, when sent: the customer element must carry that contact point too. */
  readonly activityContact: ContactKind | undefined;
  readonly createCustomer: boolean;
  readonly priority: string | undefined;
  readonly dueDateMs: number | undefined;
  /** Both `id` and `loginId` present: ambiguous (400-152). */
  readonly assigneeConflict: boolean;
  readonly assignee: AssigneeRef | undefined;
}

export interface EmailAddresses {
  readonly from: string;
  readonly receiver: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly replyTo: string | undefined;
}

export interface EmailRequest extends CommonRequest {
  readonly addresses: EmailAddresses;
}

export type CreateFailure =
  | { readonly kind: 'MissingScope' } // 403-197
  | { readonly kind: 'ActionNotAllowed' } // 403-178 naming Create
  | { readonly kind: 'MissingAttribute'; readonly attribute: string } // 400-146
  | { readonly kind: 'InvalidAttribute'; readonly attribute: string } // 400-152
  | { readonly kind: 'OutsideDepartments'; readonly department: string } // 403-179
  | { readonly kind: 'LicenseMissing'; readonly userId: string } // 403-180
  | { readonly kind: 'NoTransferPermission'; readonly userId: string }; // 403-183 (ours)

export interface Rule<C> {
  /** What the rule demands, for readers and test names. */
  readonly name: string;
  readonly breaks: (context: C) => CreateFailure | undefined;
}

export function firstFailure<C>(rules: readonly Rule<C>[], context: C): CreateFailure | undefined {
  for (const rule of rules) {
    const failure = rule.breaks(context);
    if (failure) return failure;
  }
  return undefined;
}

const missing = (attribute: string): CreateFailure => ({ kind: 'MissingAttribute', attribute });
const invalid = (attribute: string): CreateFailure => ({ kind: 'InvalidAttribute', attribute });
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const hasContent = (r: CommonRequest) =>
  (r.subject ?? '') !== '' || (r.content?.text ?? '') !== '' || (r.content?.html ?? '') !== '';

export interface RequestContext<R> {
  readonly actor: Actor;
  readonly request: R;
  readonly nowMs: number;
}

// Shared rules: the scope, then the Create action, for a user and a client application alike.
const scopeRule: Rule<RequestContext<unknown>> = {
  name: 'the token carries core.casemgr.manage (403-197)',
  breaks: ({ actor }) => {
    const scopes = actor.kind === 'user' ? actor.caller.scopes : actor.client.scopes;
    return scopes.has(SCOPE_MANAGE) ? undefined : { kind: 'MissingScope' };
  },
};
const createActionRule: Rule<RequestContext<unknown>> = {
  name: "a user's roles grant the Create action (403-178); client applications need none",
  breaks: ({ actor }) =>
    actor.kind === 'user' && !actor.caller.actions.has(ACTION_CREATE)
      ? { kind: 'ActionNotAllowed' }
      : undefined,
};

/** Create a task: the rules judged before anything is read, in order. */
export const TASK_REQUEST_RULES: readonly Rule<RequestContext<TaskRequest>>[] = [
  {
    name: 'type.value is task (any letter case) (400-152)',
    breaks: ({ request }) => (same(request.typeValue, 'task') ? undefined : invalid('type.value')),
  },
  {
    name: 'the customer carries the searchContactOnAttribute contact point (400-146)',
    breaks: ({ request }) =>
      request.customer.contacts.some((c) => c.kind === request.search)
        ? undefined
        : missing(CUSTOMER_CONTACT_PATH[request.search]),
  },
  {
    name: 'the customer carries the activityContact contact point (400-146)',
    breaks: ({ request: { activityContact, customer } }) =>
      activityContact === undefined || customer.contacts.some((c) => c.kind === activityContact)
        ? undefined
        : missing(CUSTOMER_CONTACT_PATH[activityContact]),
  },
  {
    name: 'subject or payload.task.content.text|html is given (400-146)',
    breaks: ({ request }) => (hasContent(request) ? undefined : missing('subject')),
  },
  {
    name: 'dueDate lies in the future (400-152)',
    breaks: ({ request, nowMs }) =>
      request.dueDateMs !== undefined && request.dueDateMs <= nowMs ? invalid('dueDate') : undefined,
  },
  {
    name: 'the assignee is named by id or by loginId, not both (400-152)',
    breaks: ({ request }) => (request.assigneeConflict ? invalid('status.assigned.user') : undefined),
  },
  scopeRule,
  createActionRule,
  {
    name: 'a client application names the assignee (400-146)',
    breaks: ({ actor, request }) =>
      actor.kind === 'client' && request.assignee === undefined
        ? missing('status.assigned.user.id')
        : undefined,
  },
];

/** Receive an incoming email: the rules judged before anything is read, in order. */
export const EMAIL_REQUEST_RULES: readonly Rule<RequestContext<EmailRequest>>[] = [
  {
    name: 'type.value is email (any letter case) (400-152)',
    breaks: ({ request }) => (same(request.typeValue, 'email') ? undefined : invalid('type.value')),
  },
  {
    name: 'type.subtype.value is general (any letter case) (400-152)',
    breaks: ({ request }) =>
      same(request.subtypeValue, 'general') ? undefined : invalid('type.subtype.value'),
  },
  {
    name: 'subject or payload.email.content.text|html is given (400-146)',
    breaks: ({ request }) => (hasContent(request) ? undefined : missing('subject')),
  },
  scopeRule,
  createActionRule,
];

/** A user as the fact rules need them: exists, licensed, and whether the caller may transfer to them. */
export interface AssigneeFacts {
  readonly userId: string;
  readonly licensed: boolean;
  /** The caller holds Transfer activities on this user (directly or through a group). */
  readonly transferAllowed: boolean;
}

/** What the store read inside the transaction; lookups that depend on the department are skipped without one. */
export interface IntakeFacts {
  readonly department: { readonly id: string; readonly name: string } | undefined;
  /** The stored spelling of the requested subtype, when it is known for the type. */
  readonly subtype: string | undefined;
  /** Whether `case.id` names an existing case (true when none was given). */
  readonly caseExists: boolean;
  /** The named assignee: undefined when none was named, null when no such user exists. */
  readonly assignee: AssigneeFacts | null | undefined;
  /** The customer found by the contact point, in the department or among shared customers. */
  readonly customerId: string | undefined;
  /** The queue of the receiver, when it is an active alias of the department (email). */
  readonly aliasQueueId: string | undefined;
}

export interface FactContext<R> {
  readonly actor: Actor;
  readonly request: R;
  readonly facts: IntakeFacts;
}

const knownDepartmentRule: Rule<FactContext<CommonRequest>> = {
  name: 'department.name names a department (any letter case) (400-152)',
  breaks: ({ facts }) => (facts.department ? undefined : invalid('department.name')),
};
const inCallerDepartmentsRule: Rule<FactContext<CommonRequest>> = {
  name: "the department is the user's home or foreign department (403-179)",
  breaks: ({ actor, facts, request }) =>
    actor.kind === 'user' && facts.department && !canSeeDepartment(actor.caller, facts.department.id)
      ? { kind: 'OutsideDepartments', department: request.departmentName }
      : undefined,
};
const callerLicensedRule: Rule<FactContext<CommonRequest>> = {
  name: 'the user holds any user license (403-180)',
  breaks: ({ actor }) =>
    actor.kind === 'user' && !hasAnyLicense(actor.caller, USER_LICENSES)
      ? { kind: 'LicenseMissing', userId: actor.caller.userId }
      : undefined,
};
const caseExistsRule: Rule<FactContext<CommonRequest>> = {
  name: 'case.id names an existing case (400-152)',
  breaks: ({ facts }) => (facts.caseExists ? undefined : invalid('case.id')),
};

export const TASK_FACT_RULES: readonly Rule<FactContext<TaskRequest>>[] = [
  knownDepartmentRule,
  inCallerDepartmentsRule,
  callerLicensedRule,
  {
    name: 'type.subtype.value is general or a task subtype of the organisation (400-152)',
    breaks: ({ facts }) => (facts.subtype === undefined ? invalid('type.subtype.value') : undefined),
  },
  caseExistsRule,
  {
    name: 'the named assignee exists (400-152)',
    breaks: ({ request, facts }) =>
      request.assignee && facts.assignee === null ? invalid(request.assignee.attribute) : undefined,
  },
  {
    name: 'a user assigning to someone else holds Transfer activities on them (403-183)',
    breaks: ({ actor, facts }) =>
      actor.kind === 'user' &&
      facts.assignee &&
      facts.assignee.userId !== actor.caller.userId &&
      !facts.assignee.transferAllowed
        ? { kind: 'NoTransferPermission', userId: facts.assignee.userId }
        : undefined,
  },
  {
    name: 'the named assignee holds any user license (400-152)',
    breaks: ({ request, facts }) =>
      request.assignee && facts.assignee && !facts.assignee.licensed
        ? invalid(request.assignee.attribute)
        : undefined,
  },
  {
    name: 'the customer exists, or createCustomer=yes was sent (400-152)',
    breaks: ({ request, facts }) =>
      facts.customerId === undefined && !request.createCustomer
        ? invalid(CUSTOMER_CONTACT_PATH[request.search])
        : undefined,
  },
];

export const EMAIL_FACT_RULES: readonly Rule<FactContext<EmailRequest>>[] = [
  knownDepartmentRule,
  inCallerDepartmentsRule,
  callerLicensedRule,
  {
    name: 'the receiver is an active alias of the department (400-152)',
    breaks: ({ facts }) =>
      facts.aliasQueueId === undefined ? invalid('payload.email.emailAddresses.receiver') : undefined,
  },
  caseExistsRule,
];

// ---------------------------------------------------------------------------------------------
// The effect: what the store writes once every rule passed.

export interface NewActivity {
  readonly id: string;
  readonly departmentId: string;
  readonly type: 'task' | 'email';
  readonly subtype: string;
  readonly mode: 'none' | 'inbound';
  readonly subject: string;
  readonly priority: string | null;
  readonly status: 'assigned' | 'awaiting_assignment';
  readonly substatus: 'new' | 'ready_for_assignment';
  readonly queueId: string | null;
  readonly assignedUserId: string | null;
  readonly dueDateMs: number | null;
  readonly createdMs: number;
  /** The user's id; null for a client application (it is no user). */
  readonly createdBy: string | null;
  /** eGain's `payload` element. */
  readonly payload: Record<string, unknown>;
}

export interface CreatePlan {
  readonly activity: NewActivity;
  /** An existing customer, or one to create with these contact points in this department. */
  readonly customer:
    | { readonly existingId: string }
    | { readonly newId: string; readonly departmentId: string; readonly input: CustomerInput };
  /** The case joined (reopened when closed), or a new one. */
  readonly case: { readonly existingId: string } | { readonly newId: string };
}

/** Ids allocated before the transaction (store/id-sequence.ts); unused ones become gaps. */
export interface AllocatedIds {
  readonly activityId: string;
  readonly caseId: string | undefined;
  readonly customerId: string;
}

const actorUserId = (actor: Actor): string | null => (actor.kind === 'user' ? actor.caller.userId : null);

/** Who history and events name as having created the activity. */
export const writerOf = (actor: Actor): Writer =>
  actor.kind === 'user'
    ? { kind: 'user', userId: actor.caller.userId }
    : { kind: 'client', clientId: actor.client.clientId };

function contentOf(request: CommonRequest): Record<string, string> {
  const content: Record<string, string> = {};
  if (request.content?.text !== undefined) content.text = request.content.text;
  if (request.content?.html !== undefined) content.html = request.content.html;
  return content;
}

function commonPlan(
  request: CommonRequest,
  facts: IntakeFacts,
  ids: AllocatedIds,
  departmentId: string,
): Pick<CreatePlan, 'customer' | 'case'> {
  return {
    customer:
      facts.customerId !== undefined
        ? { existingId: facts.customerId }
        : { newId: ids.customerId, departmentId, input: request.customer },
    case: request.caseId !== undefined ? { existingId: request.caseId } : { newId: ids.caseId! },
  };
}

/** The task to write: assigned/new to the named user or to the caller, no queue, mode none. */
export function planTask(
  actor: Actor,
  request: TaskRequest,
  facts: IntakeFacts,
  ids: AllocatedIds,
  nowMs: number,
): CreatePlan {
  const department = facts.department!;
  const assignee = facts.assignee?.userId ?? actorUserId(actor);
  return {
    ...commonPlan(request, facts, ids, department.id),
    activity: {
      id: ids.activityId,
      departmentId: department.id,
      type: 'task',
      subtype: facts.subtype!,
      mode: 'none',
      subject: request.subject ?? '',
      priority: request.priority ?? null,
      status: 'assigned',
      substatus: 'new',
      queueId: null,
      assignedUserId: assignee,
      dueDateMs: request.dueDateMs ?? null,
      createdMs: nowMs,
      createdBy: actorUserId(actor),
      payload: { task: { content: contentOf(request) } },
    },
  };
}

/** The email to write: inbound, waiting for assignment in the alias's queue. */
export function planEmail(
  actor: Actor,
  request: EmailRequest,
  facts: IntakeFacts,
  ids: AllocatedIds,
  nowMs: number,
): CreatePlan {
  const department = facts.department!;
  const { from, receiver, to, cc, replyTo } = request.addresses;
  return {
    ...commonPlan(request, facts, ids, department.id),
    activity: {
      id: ids.activityId,
      departmentId: department.id,
      type: 'email',
      subtype: 'general',
      mode: 'inbound',
      subject: request.subject ?? '',
      priority: null,
      status: 'awaiting_assignment',
      substatus: 'ready_for_assignment',
      queueId: facts.aliasQueueId!,
      assignedUserId: null,
      dueDateMs: null,
      createdMs: nowMs,
      createdBy: actorUserId(actor),
      payload: {
        email: {
          emailAddresses: { from, to, cc, ...(replyTo !== undefined ? { replyTo } : {}), receiver },
          content: contentOf(request),
        },
      },
    },
  };
}
