// `casemgr user password LOGIN`: sets the user's console password, read from standard input (one
// line, as piped by a script) or, on a terminal, typed twice without echo. Only its scrypt hash is
// stored (src/auth/password-hash.ts).
import { createInterface } from 'node:readline';
import { hashPassword } from '../auth/password-hash.js';
import type { ServiceConfig } from '../config.js';
import { ConfigError } from '../config.js';
import { CredentialStore } from '../store/credential-store.js';
import { openDatabase } from '../store/database.js';
import { UnknownUser } from './command-errors.js';

export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 1024;

export async function runSetPassword(config: ServiceConfig, login: string, password: string): Promise<void> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH)
    throw new ConfigError(
      `the password must have ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters, got ${length}`,
    );
  // Hashed before the database is opened: the connection is not held for the scrypt work.
  const hash = await hashPassword(password);
  const database = await openDatabase(config.database, config.pool);
  try {
    if (!(await new CredentialStore(database.db).setPasswordHash(login, hash)))
      throw new UnknownUser(`no user with login name "${login}"`);
  } finally {
    await database.close();
  }
}

/** The new password: piped (the first line), or typed twice on a terminal. */
export async function readNewPassword(input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const first = await promptHidden(input, output, 'New password: ');
  const second = await promptHidden(input, output, 'Repeat it: ');
  if (first !== second) throw new ConfigError('the two passwords differ; nothing was changed');
  return first;
}

function promptHidden(
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  question: string,
): Promise<string> {
  output.write(question);
  // A readline whose output is swallowed: what is typed is not echoed.
  const rl = createInterface({ input, output: undefined, terminal: true });
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      output.write('\n');
      resolve(answer);
    }),
  );
}
