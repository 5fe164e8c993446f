// The embedded issuer's signing key, created on first use and kept in the database, so that
// `casemgr token` and `casemgr serve` agree with no configuration.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SigningKey {
  readonly kid: string;
  readonly algorithm: 'EdDSA';
  readonly privatePem: string;
  readonly publicPem: string;
}

export class KeyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getOrCreate(nowMs: number): Promise<SigningKey> {
    const existing = await this.current();
    if (existing) return existing;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: randomUUID(),
        algorithm: 'EdDSA',
        private_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        public_pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        created_ms: nowMs,
      })
      .execute();
    // Two processes may race to create the key: the oldest one wins for both.
    const key = await this.current();
    if (!key) throw new Error('signing key was not stored');
    return key;
  }

  private async current(): Promise<SigningKey | undefined> {
    const row = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .orderBy('created_ms')
      .orderBy('kid')
      .limit(1)
      .executeTakeFirst();
    return (
      row && { kid: row.kid, algorithm: 'EdDSA', privatePem: row.private_pem, publicPem: row.public_pem }
    );
  }
}
