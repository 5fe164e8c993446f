// The history of one activity: the activity (for the read rules) and its outbox events in the order
// they were written, with the names of the users, queues and departments they mention.
import type { Kysely } from 'kysely';
import type { Activity } from '../domain/activity.js';
import type { EventType } from '../domain/events.js';
import { historyEntries, mentionedIds, type HistoryEntry } from '../domain/history.js';
import { ACTIVITY_COLUMNS, toActivity } from './activity-store.js';
import type { Database } from './schema.js';

export interface ActivityHistory {
  readonly activity: Activity;
  readonly entries: readonly HistoryEntry[];
}

export class HistoryStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Undefined when there is no such activity. */
  async findHistory(activityId: string): Promise<ActivityHistory | undefined> {
    const row = await this.db
      .selectFrom('activities as a')
      .select(ACTIVITY_COLUMNS)
      .where('a.id', '=', activityId)
      .executeTakeFirst();
    if (!row) return undefined;
    // Per activity, the outbox id order is the commit order: each write holds the activity's row
    // lock from before its INSERT until its commit (events_activity covers this lookup).
    const rows = await this.db
      .selectFrom('events')
      .select(['type', 'at_ms', 'payload_json'])
      .where('activity_id', '=', activityId)
      .orderBy('id')
      .execute();
    const events = rows.map((event) => ({
      type: event.type as EventType,
      atMs: Number(event.at_ms),
      payload: JSON.parse(event.payload_json) as unknown,
    }));
    const ids = mentionedIds(events);
    const [users, queues, departments] = await Promise.all([
      ids.users.length === 0
        ? []
        : this.db
            .selectFrom('users')
            .select(['id', 'first_name', 'last_name'])
            .where('id', 'in', ids.users)
            .execute(),
      ids.queues.length === 0
        ? []
        : this.db.selectFrom('queues').select(['id', 'name']).where('id', 'in', ids.queues).execute(),
      ids.departments.length === 0
        ? []
        : this.db
            .selectFrom('departments')
            .select(['id', 'name'])
            .where('id', 'in', ids.departments)
            .execute(),
    ]);
    return {
      activity: toActivity(row),
      entries: historyEntries(events, {
        users: new Map(users.map((u) => [u.id, `${u.first_name} ${u.last_name}`.trim()])),
        queues: new Map(queues.map((q) => [q.id, q.name])),
        departments: new Map(departments.map((d) => [d.id, d.name])),
      }),
    };
  }
}
