// An activity's history (GET /activity/{id}/history): every change of owner, queue, department and
// status, oldest first, read from the outbox events its writes added (docs/decisions.md). Pure: the
// store hands over the events' payloads and the names of what they mention.
import type { EventType, TransitionSide } from './events.js';

/** What the history reads of one stored event. */
export interface StoredEvent {
  readonly type: EventType;
  readonly atMs: number;
  /** The event's payload as written (domain/events.ts): its `transition` is the change. */
  readonly payload: unknown;
}

export interface Named {
  readonly id: string;
  readonly name: string | null;
}

export interface NamedSide {
  readonly user?: Named | null;
  readonly queue?: Named | null;
  readonly department?: Named;
  readonly status?: string;
}

export type HistoryActor =
  | { readonly type: 'user'; readonly user: Named }
  | { readonly type: 'system'; readonly client?: { readonly id: string } };

export interface HistoryEntry {
  /** activity_created, user_assignment, user_transfer, queue_transfer, department_transfer, activity_completed. */
  readonly type: string;
  readonly atMs: number;
  readonly actor: HistoryActor;
  readonly source: NamedSide;
  readonly target: NamedSide;
}

interface Transition {
  readonly type: string;
  readonly actor: { readonly type: string; readonly user?: { id: string }; readonly client?: { id: string } };
  readonly source: TransitionSide;
  readonly target: TransitionSide;
}

export interface NameBook {
  readonly users: ReadonlyMap<string, string>;
  readonly queues: ReadonlyMap<string, string>;
  readonly departments: ReadonlyMap<string, string>;
}

const transitionOf = (event: StoredEvent): Transition | undefined =>
  (event.payload as { transition?: Transition } | null)?.transition;

/** The ids of users, queues and departments the events mention: the names to look up. */
export function mentionedIds(events: readonly StoredEvent[]): {
  users: string[];
  queues: string[];
  departments: string[];
} {
  const users = new Set<string>();
  const queues = new Set<string>();
  const departments = new Set<string>();
  for (const transition of events.map(transitionOf)) {
    if (!transition) continue;
    if (transition.actor.user) users.add(transition.actor.user.id);
    for (const side of [transition.source, transition.target]) {
      if (side.user) users.add(side.user.id);
      if (side.queue) queues.add(side.queue.id);
      if (side.department) departments.add(side.department.id);
    }
  }
  return { users: [...users], queues: [...queues], departments: [...departments] };
}

/** The entries, oldest first (the events come in outbox order), with names beside the ids. */
export function historyEntries(events: readonly StoredEvent[], names: NameBook): HistoryEntry[] {
  const named = (id: string, book: ReadonlyMap<string, string>): Named => ({
    id,
    name: book.get(id) ?? null,
  });
  const side = (s: TransitionSide): NamedSide => ({
    ...(s.user !== undefined ? { user: s.user === null ? null : named(s.user.id, names.users) } : {}),
    ...(s.queue !== undefined ? { queue: s.queue === null ? null : named(s.queue.id, names.queues) } : {}),
    ...(s.department !== undefined ? { department: named(s.department.id, names.departments) } : {}),
    ...(s.status !== undefined ? { status: s.status } : {}),
  });
  return events.flatMap((event): HistoryEntry[] => {
    const transition = transitionOf(event);
    // case_closed concerns the case, not the activity; an event without a transition is no change.
    if (event.type === 'case_closed' || !transition) return [];
    const { actor } = transition;
    return [
      {
        type: event.type === 'activity_transition' ? transition.type : event.type,
        atMs: event.atMs,
        actor:
          actor.type === 'user' && actor.user
            ? { type: 'user', user: named(actor.user.id, names.users) }
            : { type: 'system', ...(actor.client ? { client: { id: actor.client.id } } : {}) },
        source: side(transition.source),
        target: side(transition.target),
      },
    ];
  });
}
