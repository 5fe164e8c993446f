// Users' passwords, kept as scrypt hashes in the PHC string form the organisation file accepts
// (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, unpadded base64): the stored string carries its own
// parameters and salt, so the cost can be raised later and each stored password is still checked
// with the parameters it was made with.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** N = 2^15, r = 8, p = 1: 32 MiB and a few tens of milliseconds per check on a small machine. */
const DEFAULT_LOG_N = 15;
const DEFAULT_R = 8;
const DEFAULT_P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  // maxmem must cover 128·N·r bytes, or Node refuses the parameters.
  const maxmem = 256 * (options.N ?? 0) * (options.r ?? 0);
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** `salt` is for reproducible demo data only; real hashes get a random one. */
export async function hashPassword(
  password: string,
  salt: Buffer = randomBytes(SALT_LENGTH),
): Promise<string> {
  const options = { N: 2 ** DEFAULT_LOG_N, r: DEFAULT_R, p: DEFAULT_P };
  const key = await derive(password, salt, options, KEY_LENGTH);
  return `$scrypt$ln=${DEFAULT_LOG_N},r=${DEFAULT_R},p=${DEFAULT_P}$${b64(salt)}$${b64(key)}`;
}

/** False for a wrong password and for a stored value that is not a scrypt hash (argon2, damaged…). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored);
  if (!match) return false;
  const [logN, r, p] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  // Bounds keep a planted hash from making one login cost gigabytes or minutes.
  if (logN < 1 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(match[4], 'base64');
  const expected = Buffer.from(match[5], 'base64');
  if (salt.length < 8 || expected.length < 16) return false;
  const actual = await derive(password, salt, { N: 2 ** logN, r, p }, expected.length);
  return timingSafeEqual(actual, expected);
}
