// What GET /user/me tells the caller about themselves: their names and department, and the names of
// the queues and colleagues their authorization facts already let them pull from (the ids come from
// the facts the request was judged with; only the names are read here, two indexed lookups).
import type { Kysely } from 'kysely';
import type { UserFacts } from '../domain/caller.js';
import type { Database } from './schema.js';

export interface NamedRef {
  readonly id: string;
  readonly name: string;
}

export interface ProfileUser {
  readonly id: string;
  readonly loginName: string;
  /** First and last name, as activities name their assignee. */
  readonly name: string;
}

export interface Profile {
  readonly user: ProfileUser;
  readonly department: NamedRef;
  /** Sorted by name, then id. */
  readonly pullQueues: readonly (NamedRef & { readonly department: NamedRef })[];
  /** Sorted by name, then id; the caller is never among them. */
  readonly pullUsers: readonly ProfileUser[];
}

const byNameThenId = (a: NamedRef, b: NamedRef) =>
  a.name.localeCompare(b.name) || Number(BigInt(a.id) - BigInt(b.id));

export class ProfileStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Undefined when the user is gone (removed since the facts were read). */
  async findProfile(facts: UserFacts): Promise<Profile | undefined> {
    const userIds = [facts.userId, ...[...facts.pullableUserIds].filter((id) => id !== facts.userId)];
    const queueIds = [...facts.pullableQueueIds];
    const [users, queues] = await Promise.all([
      this.db
        .selectFrom('users')
        .innerJoin('departments', 'departments.id', 'users.home_department_id')
        .select([
          'users.id',
          'users.login_name',
          'users.first_name',
          'users.last_name',
          'departments.id as department_id',
          'departments.name as department_name',
        ])
        .where('users.id', 'in', userIds)
        .execute(),
      queueIds.length === 0
        ? []
        : this.db
            .selectFrom('queues')
            .innerJoin('departments', 'departments.id', 'queues.department_id')
            .select([
              'queues.id',
              'queues.name',
              'departments.id as department_id',
              'departments.name as department_name',
            ])
            .where('queues.id', 'in', queueIds)
            .execute(),
    ]);
    const toUser = (row: (typeof users)[number]): ProfileUser => ({
      id: row.id,
      loginName: row.login_name,
      name: `${row.first_name} ${row.last_name}`.trim(),
    });
    const me = users.find((row) => row.id === facts.userId);
    if (!me) return undefined;
    return {
      user: toUser(me),
      department: { id: me.department_id, name: me.department_name },
      pullQueues: queues
        .map((q) => ({
          id: q.id,
          name: q.name,
          department: { id: q.department_id, name: q.department_name },
        }))
        .sort(byNameThenId),
      pullUsers: users
        .filter((row) => row.id !== facts.userId)
        .map(toUser)
        .sort(byNameThenId),
    };
  }
}
