// PostgreSQL pool settings and their defaults, apart from database.ts so that reading the
// configuration (every CLI command, even --help) does not load the database drivers.

export interface PoolSettings {
  readonly poolMax: number;
  readonly statementTimeoutMs: number;
  readonly connectionTimeoutMs: number;
}

export const DEFAULT_POOL: PoolSettings = {
  poolMax: 10,
  statementTimeoutMs: 5000,
  connectionTimeoutMs: 3000,
};
