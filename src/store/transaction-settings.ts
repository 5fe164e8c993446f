// Transaction settings and their defaults, apart from transaction.ts so that reading the
// configuration does not load Kysely.

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionSettings {
  readonly isolation: IsolationLevel;
  /** Attempts after the first one when the database reports 40001 or 40P01. */
  readonly retries: number;
}

// 16 retries with backoff capped at 100 ms: about 1.3 s at most, enough for 75-activity batches to win
// through a storm of small ones at SERIALIZABLE (measured by test/concurrency-race.test.ts).
export const DEFAULT_TRANSACTIONS: TransactionSettings = { isolation: 'read committed', retries: 16 };
