// `casemgr token LOGIN`: a bearer token for that user, signed by the embedded issuer.
import { issueToken } from '../auth/token-issuer.js';
import type { ServiceConfig } from '../config.js';
import { SCOPE_MANAGE } from '../domain/caller.js';
import { openDatabase } from '../store/database.js';
import { KeyStore } from '../store/key-store.js';
import { UserStore } from '../store/user-store.js';

export const TOKEN_HELP = `Usage: casemgr token LOGIN [--scope S] [--expires-in SECONDS] [options]

Prints a bearer token (alone, on one line) for the user with that login name (or id), signed by the
embedded issuer whose key is kept in the database, so \`casemgr serve\` on the same database accepts it.
  --scope S               space-separated scopes (default: ${SCOPE_MANAGE})
  --expires-in SECONDS    lifetime (default: 3600)`;

export class UnknownUser extends Error {
  override readonly name = 'UnknownUser';
}

export async function runToken(
  config: ServiceConfig,
  login: string,
  scope: string,
  expiresInSeconds: number,
): Promise<string> {
  const database = await openDatabase(config.database, config.pool);
  try {
    const user = await new UserStore(database.db).findUser(login);
    if (!user) throw new UnknownUser(`no user with login name or id "${login}"`);
    const key = await new KeyStore(database.db).getOrCreate(Date.now());
    return issueToken(key, { userId: user.id, loginName: user.loginName, scope, expiresInSeconds });
  } finally {
    await database.close();
  }
}
