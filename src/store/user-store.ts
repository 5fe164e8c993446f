// Users and their authorization facts: everything the rules need about the caller, in five small
// indexed queries issued together.
import type { Kysely } from 'kysely';
import type { UserFacts } from '../domain/caller.js';
import type { Database } from './schema.js';

export interface UserSummary {
  readonly id: string;
  readonly loginName: string;
}

export class UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** By id, or else by login name (tokens of an external issuer may carry either). */
  async findUser(idOrLogin: string): Promise<UserSummary | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'login_name'])
      .where((eb) => eb.or([eb('id', '=', idOrLogin), eb('login_name', '=', idOrLogin)]))
      .orderBy((eb) => eb.case().when('id', '=', idOrLogin).then(0).else(1).end())
      .limit(1)
      .executeTakeFirst();
    return row && { id: row.id, loginName: row.login_name };
  }

  async loadFacts(userId: string): Promise<UserFacts | undefined> {
    const db = this.db;
    const groupIds = db.selectFrom('group_members').select('group_id').where('user_id', '=', userId);
    const [user, foreign, licenses, actions, pulls] = await Promise.all([
      db.selectFrom('users').select(['id', 'home_department_id']).where('id', '=', userId).executeTakeFirst(),
      db
        .selectFrom('user_foreign_departments')
        .select('department_id')
        .where('user_id', '=', userId)
        .execute(),
      db.selectFrom('user_licenses').select('license').where('user_id', '=', userId).execute(),
      db
        .selectFrom('role_actions')
        .select('action')
        .where((eb) =>
          eb.or([
            eb('role_id', 'in', eb.selectFrom('user_roles').select('role_id').where('user_id', '=', userId)),
            eb(
              'role_id',
              'in',
              eb.selectFrom('group_roles').select('role_id').where('group_id', 'in', groupIds),
            ),
          ]),
        )
        .distinct()
        .execute(),
      db
        .selectFrom('pull_permissions')
        .select(['target_kind', 'target_id'])
        .where((eb) =>
          eb.or([
            eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', '=', userId)]),
            eb.and([eb('grantee_kind', '=', 'group'), eb('grantee_id', 'in', groupIds)]),
          ]),
        )
        .execute(),
    ]);
    if (!user) return undefined;
    return {
      userId: user.id,
      homeDepartmentId: user.home_department_id,
      foreignDepartmentIds: new Set(foreign.map((r) => r.department_id)),
      licenses: new Set(licenses.map((r) => r.license)),
      actions: new Set(actions.map((r) => r.action)),
      pullableQueueIds: new Set(pulls.filter((p) => p.target_kind === 'queue').map((p) => p.target_id)),
      pullableUserIds: new Set(pulls.filter((p) => p.target_kind === 'user').map((p) => p.target_id)),
    };
  }
}
