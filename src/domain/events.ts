// The events a write emits, in eGain's callback vocabulary (activity_created, activity_transition,
// activity_completed, case_closed), built from what the write already holds: the rows it locked and
// the plan the rules made. Pure: the store only adds them to the outbox in the same transaction.
import type { Activity } from './activity.js';
import type { Actor } from './caller.js';
import type { CompletePlan } from './operations/complete.js';
import type { PickPlan } from './operations/pick.js';
import type { TransferPlan } from './operations/transfer.js';

export type EventType = 'activity_created' | 'activity_transition' | 'activity_completed' | 'case_closed';

/** What the outbox stores of one event (store/outbox.ts writes it; the same shape as OutboxEvent). */
export interface ActivityEvent {
  readonly type: EventType;
  readonly activityId: string | null;
  readonly caseId: string | null;
  /** The department the activity is in after the change: whose users may see it. */
  readonly departmentId: string;
  /** The department a department transfer moved it out of. */
  readonly previousDepartmentId: string | null;
  /** The owner after the change, and the one before it when the change took it from them. */
  readonly userId: string | null;
  readonly previousUserId: string | null;
  /** A user id, or `client:NAME`. */
  readonly actor: string;
  readonly requestId: string;
  readonly atMs: number;
  readonly payload: Record<string, unknown>;
}

/** eGain's transition types that casemgr's writes produce. */
export type TransitionType = 'user_assignment' | 'user_transfer' | 'queue_transfer' | 'department_transfer';

/** Where an activity is and in which state: what a change compares before and after. */
export interface ActivityPlace {
  readonly departmentId: string;
  readonly queueId: string | null;
  readonly assignedUserId: string | null;
  readonly status: string;
  readonly substatus: string | null;
}

/** What every event of one write shares. */
export interface EventContext {
  readonly actor: Actor;
  readonly requestId: string;
  readonly atMs: number;
}

/** The fields of an activity an event names (eGain: activity id, type/subtype, case id). */
export interface EventSubject extends ActivityPlace {
  readonly id: string;
  readonly type: string;
  readonly subtype: string | null;
  readonly caseId?: string | null;
}

/** A side of a transition: only the objects that changed (eGain); `user: null` = nobody holds it. */
export interface TransitionSide {
  user?: { id: string } | null;
  queue?: { id: string } | null;
  department?: { id: string };
  status?: string;
}

/** The column value naming the actor (history's `by_user_id`, the outbox's `actor`). */
export const actorKey = (actor: Actor): string =>
  actor.kind === 'user' ? actor.userId : `client:${actor.clientId}`;

/** eGain's `actor`: a user, or the system (a client application, named as ours). */
export function actorPayload(actor: Actor): Record<string, unknown> {
  return actor.kind === 'user'
    ? { type: 'user', user: { id: actor.userId } }
    : { type: 'system', client: { id: actor.clientId } };
}

/** eGain writes a status with its substatus: `assigned:new`. */
export const statusText = (place: ActivityPlace): string =>
  place.substatus ? `${place.status}:${place.substatus}` : place.status;

/** Source and target carrying only what differs between the two places. */
export function diffPlaces(
  before: ActivityPlace,
  after: ActivityPlace,
): { source: TransitionSide; target: TransitionSide } {
  const source: TransitionSide = {};
  const target: TransitionSide = {};
  if (before.assignedUserId !== after.assignedUserId) {
    source.user = before.assignedUserId === null ? null : { id: before.assignedUserId };
    target.user = after.assignedUserId === null ? null : { id: after.assignedUserId };
  }
  if (before.queueId !== after.queueId) {
    source.queue = before.queueId === null ? null : { id: before.queueId };
    target.queue = after.queueId === null ? null : { id: after.queueId };
  }
  if (before.departmentId !== after.departmentId) {
    source.department = { id: before.departmentId };
    target.department = { id: after.departmentId };
  }
  const [was, is] = [statusText(before), statusText(after)];
  if (was !== is) {
    source.status = was;
    target.status = is;
  }
  return { source, target };
}

function activityPayload(subject: EventSubject): Record<string, unknown> {
  return {
    id: subject.id,
    type: subject.type,
    ...(subject.subtype !== null ? { subtype: subject.subtype } : {}),
    ...(subject.caseId ? { case: { id: subject.caseId } } : {}),
  };
}

function placeOf(subject: EventSubject): ActivityPlace {
  return {
    departmentId: subject.departmentId,
    queueId: subject.queueId,
    assignedUserId: subject.assignedUserId,
    status: subject.status,
    substatus: subject.substatus,
  };
}

/**
 * One activity event. Every one carries `transition` (eGain's only on activity_transition): the
 * history endpoint reads every change in the same shape.
 */
function activityEvent(
  type: Exclude<EventType, 'case_closed'>,
  transitionType: string,
  subject: EventSubject,
  after: ActivityPlace,
  context: EventContext,
): ActivityEvent {
  const before = placeOf(subject);
  const { source, target } =
    type === 'activity_created' ? { source: {}, target: createdSide(after) } : diffPlaces(before, after);
  const taken = type !== 'activity_created' && before.assignedUserId !== after.assignedUserId;
  return {
    type,
    activityId: subject.id,
    caseId: subject.caseId ?? null,
    departmentId: after.departmentId,
    previousDepartmentId: before.departmentId !== after.departmentId ? before.departmentId : null,
    userId: after.assignedUserId,
    previousUserId: taken ? before.assignedUserId : null,
    actor: actorKey(context.actor),
    requestId: context.requestId,
    atMs: context.atMs,
    payload: {
      activity: activityPayload(subject),
      transition: { type: transitionType, actor: actorPayload(context.actor), source, target },
    },
  };
}

/** A new activity's place, in full: where it starts. */
function createdSide(place: ActivityPlace): TransitionSide {
  return {
    ...(place.assignedUserId !== null ? { user: { id: place.assignedUserId } } : {}),
    ...(place.queueId !== null ? { queue: { id: place.queueId } } : {}),
    department: { id: place.departmentId },
    status: statusText(place),
  };
}

/** The locked rows by id; a plan names only rows the store found, so a miss is a bug. */
function subjectsOf<T extends { readonly activityId: string }>(
  found: readonly EventSubject[],
  changes: readonly T[],
): [T, EventSubject][] {
  const byId = new Map(found.map((a) => [a.id, a] as const));
  return changes.map((change) => {
    const subject = byId.get(change.activityId);
    if (!subject) throw new Error(`activity ${change.activityId} is in the plan but was not locked`);
    return [change, subject];
  });
}

export const toSubject = (activity: Activity): EventSubject => ({
  id: activity.id,
  type: activity.type,
  subtype: activity.subtype,
  caseId: activity.caseId ?? null,
  departmentId: activity.departmentId,
  queueId: activity.queueId,
  assignedUserId: activity.assignedUserId,
  status: activity.status,
  substatus: activity.substatus,
});

/** Pick and pull: assigned:new to the caller, queue and department kept (eGain's `user_assignment`). */
export function pickEvents(
  found: readonly EventSubject[],
  plan: PickPlan,
  context: EventContext,
): ActivityEvent[] {
  return subjectsOf(found, plan.changes).map(([, subject]) =>
    activityEvent(
      'activity_transition',
      'user_assignment',
      subject,
      { ...placeOf(subject), assignedUserId: plan.userId, status: 'assigned', substatus: 'new' },
      context,
    ),
  );
}

const TRANSITION_OF: Record<TransferPlan['target']['kind'], TransitionType> = {
  user: 'user_transfer',
  queue: 'queue_transfer',
  department: 'department_transfer',
};

/** A transfer: the requested activities and the drafts that moved with them, each to the plan's place. */
export function transferEvents(
  found: readonly EventSubject[],
  drafts: readonly EventSubject[],
  plan: TransferPlan,
  context: EventContext,
): ActivityEvent[] {
  const { write } = plan;
  const moved = (subject: EventSubject): ActivityPlace => ({
    departmentId: write.departmentId ?? subject.departmentId,
    queueId: write.queueId ?? subject.queueId,
    assignedUserId: write.assignedUserId,
    status: write.status,
    substatus: write.substatus,
  });
  const subjects = [...subjectsOf(found, plan.changes).map(([, subject]) => subject), ...drafts];
  return subjects.map((subject) =>
    activityEvent('activity_transition', TRANSITION_OF[plan.target.kind], subject, moved(subject), context),
  );
}

/**
 * Complete: activity_completed for each activity (its transition is the status change to
 * completed:done), then case_closed for each case this write closed, seen by the department of the
 * activity that closed it.
 */
export function completeEvents(
  found: readonly EventSubject[],
  plan: CompletePlan,
  closedNow: ReadonlySet<string>,
  context: EventContext,
): ActivityEvent[] {
  const completed = subjectsOf(found, plan.changes).map(([, subject]) =>
    activityEvent(
      'activity_completed',
      'status_change',
      subject,
      { ...placeOf(subject), status: plan.write.status, substatus: plan.write.substatus },
      context,
    ),
  );
  const closed = plan.casesToSettle
    .filter((caseId) => closedNow.has(caseId))
    .map((caseId): ActivityEvent => {
      const closer = completed.find((event) => event.caseId === caseId)!;
      return {
        type: 'case_closed',
        activityId: null,
        caseId,
        departmentId: closer.departmentId,
        previousDepartmentId: null,
        userId: closer.userId,
        previousUserId: null,
        actor: closer.actor,
        requestId: context.requestId,
        atMs: context.atMs,
        payload: { case: { id: caseId } },
      };
    });
  return [...completed, ...closed];
}

/** A created activity: where it starts, all of it in `target`. */
export function createdEvent(subject: EventSubject, context: EventContext): ActivityEvent {
  return activityEvent('activity_created', 'activity_created', subject, placeOf(subject), context);
}

/** Told of the events of every write that committed (the events-written metric). */
export type EventsCommitted = (events: readonly ActivityEvent[]) => void;
