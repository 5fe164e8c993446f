// The embedded issuer's signing key, created on first use and kept in the database, so that
// `casemgr token` and `casemgr serve` agree with no configuration.
import { generateKeyPairSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What verifying the embedded issuer's tokens needs: the public half only. */
export interface VerificationKey {
  readonly kid: string;
  readonly algorithm: 'EdDSA';
  readonly publicPem: string;
}

/** What signing them needs (`casemgr token`): the private key too. */
export interface SigningKey extends VerificationKey {
  readonly privatePem: string;
}

/**
 * One well-known key id: processes racing to create the key all insert under it, the first insert
 * wins, and every one of them then reads that same key.
 */
const EMBEDDED_KID = 'casemgr-embedded-1';

export class KeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** For `casemgr token`: the key with its private half. */
  getOrCreate(nowMs: number): Promise<SigningKey> {
    return this.readOrCreate(() => this.current(), nowMs);
  }

  /**
   * For `casemgr serve`: the public half only, so that the serving process never reads the private
   * key back. On a database without a key, the pair is made here and only the public half kept.
   */
  verificationKey(nowMs: number): Promise<VerificationKey> {
    return this.readOrCreate(() => this.currentPublic(), nowMs);
  }

  /** The key as `read` sees it, after creating the pair if the database has none. */
  private async readOrCreate<K>(read: () => Promise<K | undefined>, nowMs: number): Promise<K> {
    const existing = await read();
    if (existing) return existing;
    await this.create(nowMs);
    const key = await read();
    if (!key) throw new Error('signing key was not stored');
    return key;
  }

  private async create(nowMs: number): Promise<void> {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: EMBEDDED_KID,
        algorithm: 'EdDSA',
        private_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        public_pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        created_ms: nowMs,
      })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
  }

  private async currentPublic(): Promise<VerificationKey | undefined> {
    const row = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'public_pem'])
      .where('kid', '=', EMBEDDED_KID)
      .executeTakeFirst();
    return row && { kid: row.kid, algorithm: 'EdDSA', publicPem: row.public_pem };
  }

  private async current(): Promise<SigningKey | undefined> {
    const row = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('kid', '=', EMBEDDED_KID)
      .executeTakeFirst();
    return (
      row && { kid: row.kid, algorithm: 'EdDSA', privatePem: row.private_pem, publicPem: row.public_pem }
    );
  }
}
