// An activity's history as JSON, or as XML in the activity namespace.
import type { HistoryEntry, NamedSide } from '../domain/history.js';
import { ACTIVITY_NS, toXml, type XmlTree } from './representation.js';
import type { HistoryEventJsonType } from './schemas/history.schema.js';

export function toHistoryJson(entry: HistoryEntry): HistoryEventJsonType {
  return {
    type: entry.type,
    at: new Date(entry.atMs).toISOString(),
    actor: entry.actor,
    source: entry.source,
    target: entry.target,
  };
}

/** A named object as `<user id="…"><name>…</name></user>`; nobody as an empty element. */
function sideXml(side: NamedSide): XmlTree {
  const named = (value: { id: string; name: string | null } | null | undefined) =>
    value === null ? '' : { '@_id': value!.id, ...(value!.name !== null ? { name: value!.name } : {}) };
  return {
    ...(side.user !== undefined ? { user: named(side.user) } : {}),
    ...(side.queue !== undefined ? { queue: named(side.queue) } : {}),
    ...(side.department !== undefined ? { department: named(side.department) } : {}),
    ...(side.status !== undefined ? { status: side.status } : {}),
  };
}

/** `<history xmlns="…/interaction/activity"><event type="…" at="…"><actor type="user">…`. */
export function toHistoryXml(entries: readonly HistoryEntry[]): string {
  const event = entries.map((entry): XmlTree => ({
    '@_type': entry.type,
    '@_at': new Date(entry.atMs).toISOString(),
    actor: {
      '@_type': entry.actor.type,
      ...('user' in entry.actor
        ? {
            user: {
              '@_id': entry.actor.user.id,
              ...(entry.actor.user.name !== null ? { name: entry.actor.user.name } : {}),
            },
          }
        : {}),
      ...('client' in entry.actor && entry.actor.client ? { client: { '@_id': entry.actor.client.id } } : {}),
    },
    source: sideXml(entry.source),
    target: sideXml(entry.target),
  }));
  return toXml({ history: { '@_xmlns': ACTIVITY_NS, event } });
}
