// The embedded OpenID Provider's state (sessions, interactions, grants, authorization codes…, see
// src/auth/oidc/record-adapter.ts) in the database, so that every instance behind a load balancer
// sees the same sign-ins. One table for all of the provider's models: a JSON payload per record,
// plus the columns its lookups need.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('oidc_records')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('uid', 'text')
    .addColumn('user_code', 'text')
    // Epoch milliseconds; null = kept until destroyed.
    .addColumn('expires_ms', 'bigint')
    .addColumn('consumed_ms', 'bigint')
    .addPrimaryKeyConstraint('oidc_records_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('oidc_records_grant').on('oidc_records').column('grant_id').execute();
  await db.schema.createIndex('oidc_records_uid').on('oidc_records').columns(['model', 'uid']).execute();
  await db.schema.createIndex('oidc_records_expiry').on('oidc_records').column('expires_ms').execute();
}
