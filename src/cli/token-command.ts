// `casemgr token LOGIN` / `casemgr token --client NAME`: a bearer token for that user or client
// application, signed by the embedded issuer.
import { issueClientToken, issueToken } from '../auth/token-issuer.js';
import type { ServiceConfig } from '../config.js';
import { openDatabase } from '../store/database.js';
import { KeyStore } from '../store/key-store.js';
import { UserStore } from '../store/user-store.js';
import { UnknownUser } from './command-errors.js';

export async function runToken(
  config: ServiceConfig,
  subject: { readonly login: string } | { readonly client: string },
  scope: string,
  expiresInSeconds: number,
): Promise<string> {
  const database = await openDatabase(config.database, config.pool);
  try {
    if ('client' in subject) {
      const key = await new KeyStore(database.db).getOrCreate(Date.now());
      return issueClientToken(key, { clientId: subject.client, scope, expiresInSeconds });
    }
    const login = subject.login;
    const user = await new UserStore(database.db).findUser(login);
    if (!user) throw new UnknownUser(`no user with login name or id "${login}"`);
    const key = await new KeyStore(database.db).getOrCreate(Date.now());
    return issueToken(key, { userId: user.id, loginName: user.loginName, scope, expiresInSeconds });
  } finally {
    await database.close();
  }
}
