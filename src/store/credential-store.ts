// Users' console passwords (the `password_hash` column, migration 0002): read by the sign-in page,
// written by `casemgr user password` and by the organisation import.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface Credentials {
  readonly userId: string;
  readonly loginName: string;
  /** Null when the user has no password: such a user cannot sign in to the console. */
  readonly passwordHash: string | null;
}

export class CredentialStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** By login name only: people sign in with their login, never with an internal id. */
  async byLogin(loginName: string): Promise<Credentials | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'login_name', 'password_hash'])
      .where('login_name', '=', loginName)
      .executeTakeFirst();
    return row && { userId: row.id, loginName: row.login_name, passwordHash: row.password_hash };
  }

  /** True when the user exists (and now has that hash). */
  async setPasswordHash(loginName: string, passwordHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('login_name', '=', loginName)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
