// Users and their authorization facts: everything the rules need about the caller, read in ONE
// statement (a union of small indexed lookups), so a request costs one round trip and one pooled
// connection for it, not five.
import { sql, type Kysely } from 'kysely';
import type { UserFacts } from '../domain/caller.js';
import { QueryTemplates } from './query-templates.js';
import type { Database } from './schema.js';
import { FactsMovedError } from './store-errors.js';

export interface UserSummary {
  readonly id: string;
  readonly loginName: string;
}

type FactKind = 'user' | 'foreign' | 'license' | 'action' | 'pull-queue' | 'pull-user' | 'version';

/**
 * Throws FactsMovedError when the organisation version is not `factsVersion` (nothing to check when
 * undefined). `seen` is the version a statement already read; without it (no row came back to carry
 * it), it is read alone, in the transaction.
 */
export async function checkFactsVersion(
  trx: Kysely<Database>,
  factsVersion: number | undefined,
  seen: number | string | null | undefined,
): Promise<void> {
  if (factsVersion === undefined) return;
  const version = Number(seen ?? (await versionQuery(trx).executeTakeFirstOrThrow()).version);
  if (version !== factsVersion) throw new FactsMovedError(version);
}

export interface StampedFacts {
  readonly facts: UserFacts | undefined;
  /** The organisation version (migration 0012) the facts were read at. */
  readonly version: number;
}

/** The organisation version's row (one, by primary key); a statement may select it as a scalar too. */
export function versionQuery(db: Kysely<Database>) {
  return db.selectFrom('organisation_version').select('version').where('id', '=', 1);
}

export class UserStore {
  private readonly templates = new QueryTemplates();

  constructor(private readonly db: Kysely<Database>) {}

  /** By id, or else by login name (tokens of an external issuer may carry either). */
  async findUser(idOrLogin: string): Promise<UserSummary | undefined> {
    const query = this.templates.query(
      'find-user',
      (slot) =>
        this.db
          .selectFrom('users')
          .select(['id', 'login_name'])
          .where((eb) => eb.or([eb('id', '=', slot(0)), eb('login_name', '=', slot(0))]))
          .orderBy((eb) => eb.case().when('id', '=', slot(0)).then(0).else(1).end())
          .limit(1),
      [idOrLogin],
    );
    const [row] = (await this.db.executeQuery(query)).rows;
    return row && { id: row.id, loginName: row.login_name };
  }

  async loadFacts(userId: string): Promise<UserFacts | undefined> {
    return (await this.loadStampedFacts(userId)).facts;
  }

  /**
   * The user's facts (undefined for no such user) and the organisation version they belong to, read
   * by the same statement: the facts are exactly those of that version.
   */
  async loadStampedFacts(userId: string): Promise<StampedFacts> {
    const rows = (
      await this.db.executeQuery(
        this.templates.query('user-facts', (slot) => this.factsQuery(slot(0)), [userId]),
      )
    ).rows;
    const of = (k: FactKind) => new Set(rows.filter((r) => r.kind === k).map((r) => r.value));
    const versionRow = rows.find((r) => r.kind === 'version');
    if (!versionRow) throw new Error('organisation_version has no row (migration 0012)');
    const version = Number(versionRow.value);
    const home = rows.find((r) => r.kind === 'user');
    if (!home) return { facts: undefined, version };
    const facts: UserFacts = {
      userId,
      homeDepartmentId: home.value,
      foreignDepartmentIds: of('foreign'),
      licenses: of('license'),
      actions: of('action'),
      pullableQueueIds: of('pull-queue'),
      pullableUserIds: of('pull-user'),
    };
    return { facts, version };
  }

  /** The organisation version alone: one row by its primary key. */
  async readVersion(): Promise<number> {
    const [row] = (
      await this.db.executeQuery(
        this.templates.query('organisation-version', () => versionQuery(this.db), []),
      )
    ).rows;
    if (!row) throw new Error('organisation_version has no row (migration 0012)');
    return Number(row.version);
  }

  /** One row per fact: (kind, value). */
  private factsQuery(userId: string) {
    const db = this.db;
    const kind = (k: FactKind) => sql<FactKind>`${k}`.as('kind');
    const groupIds = db.selectFrom('group_members').select('group_id').where('user_id', '=', userId);
    const roleIds = db
      .selectFrom('user_roles')
      .select('role_id')
      .where('user_id', '=', userId)
      .union(db.selectFrom('group_roles').select('role_id').where('group_id', 'in', groupIds));
    return db
      .selectFrom('users')
      .select([kind('user'), 'home_department_id as value'])
      .where('id', '=', userId)
      .unionAll(
        db
          .selectFrom('organisation_version')
          .select([kind('version'), sql<string>`cast(version as text)`.as('value')])
          .where('id', '=', 1),
      )
      .unionAll(
        db
          .selectFrom('user_foreign_departments')
          .select([kind('foreign'), 'department_id as value'])
          .where('user_id', '=', userId),
      )
      .unionAll(
        db
          .selectFrom('user_licenses')
          .select([kind('license'), 'license as value'])
          .where('user_id', '=', userId),
      )
      .unionAll(
        db
          .selectFrom('role_actions')
          .select([kind('action'), 'action as value'])
          .where('role_id', 'in', roleIds),
      )
      .unionAll(
        db
          .selectFrom('pull_permissions')
          .select([
            sql<FactKind>`case when target_kind = 'queue' then 'pull-queue' else 'pull-user' end`.as('kind'),
            'target_id as value',
          ])
          .where((eb) =>
            eb.or([
              eb.and([eb('grantee_kind', '=', 'user'), eb('grantee_id', '=', userId)]),
              eb.and([eb('grantee_kind', '=', 'group'), eb('grantee_id', 'in', groupIds)]),
            ]),
          ),
      );
  }
}
