// oidc-provider's storage adapter over the `oidc_records` table (migration 0011): the same Kysely
// code on SQLite and PostgreSQL, so sessions, interactions, grants and codes survive a restart and
// are shared by every instance. The provider passes each model's payload as a plain object and
// expects it back as it was, with `consumed` set once consumed.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

type Payload = Record<string, unknown>;

/** The models whose records name a grant: revoking the grant destroys them all. */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export type AdapterFactory = (model: string) => RecordAdapter;

export function recordAdapterFactory(db: Kysely<Database>, nowMs: () => number): AdapterFactory {
  return (model) => new RecordAdapter(db, model, nowMs);
}

export class RecordAdapter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly model: string,
    private readonly nowMs: () => number,
  ) {}

  async upsert(id: string, payload: Payload, expiresIn: number | undefined): Promise<void> {
    const now = this.nowMs();
    const row = {
      payload_json: JSON.stringify(payload),
      grant_id: GRANTABLE.has(this.model) && typeof payload.grantId === 'string' ? payload.grantId : null,
      uid: typeof payload.uid === 'string' ? payload.uid : null,
      user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
      expires_ms: typeof expiresIn === 'number' ? now + expiresIn * 1000 : null,
      consumed_ms: null,
    };
    await this.db
      .insertInto('oidc_records')
      .values({ model: this.model, id, ...row })
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
      .execute();
    // Expired records of this model go as new ones come: no sweeper process to run.
    await this.db
      .deleteFrom('oidc_records')
      .where('model', '=', this.model)
      .where('expires_ms', '<', now)
      .execute();
  }

  find(id: string): Promise<Payload | undefined> {
    return this.findWhere('id', id);
  }

  findByUid(uid: string): Promise<Payload | undefined> {
    return this.findWhere('uid', uid);
  }

  findByUserCode(userCode: string): Promise<Payload | undefined> {
    return this.findWhere('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.db
      .updateTable('oidc_records')
      .set({ consumed_ms: this.nowMs() })
      .where('model', '=', this.model)
      .where('id', '=', id)
      .execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('oidc_records').where('model', '=', this.model).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom('oidc_records').where('grant_id', '=', grantId).execute();
  }

  private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<Payload | undefined> {
    const row = await this.db
      .selectFrom('oidc_records')
      .select(['payload_json', 'expires_ms', 'consumed_ms'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_ms !== null && Number(row.expires_ms) <= this.nowMs()) return undefined;
    const payload = JSON.parse(row.payload_json) as Payload;
    // The provider reads `consumed` as epoch seconds.
    return row.consumed_ms === null
      ? payload
      : { ...payload, consumed: Math.floor(Number(row.consumed_ms) / 1000) };
  }
}
