// One transaction per unit of work, with the dialect's way of taking the write lock, and a bounded,
// jittered retry when PostgreSQL (or CockroachDB at SERIALIZABLE) reports a lost race.
import { sql, type Kysely } from 'kysely';
import pRetry from 'p-retry';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';
import { StoreUnavailableError, isRetryableConflict, isUnavailable } from './store-errors.js';

import {
  DEFAULT_TRANSACTIONS,
  type IsolationLevel,
  type TransactionSettings,
} from './transaction-settings.js';

export { DEFAULT_TRANSACTIONS, type IsolationLevel, type TransactionSettings };

export type Transactional = <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>;

export function createTransactional(
  db: Kysely<Database>,
  dialect: Dialect,
  settings: TransactionSettings = DEFAULT_TRANSACTIONS,
  onRetry: (error: unknown) => void = () => undefined,
): Transactional {
  const unavailableOr = (error: unknown): unknown =>
    // Still losing races after every retry is a busy database, not a fault: 503 and Retry-After.
    isUnavailable(error) || isRetryableConflict(error) ? new StoreUnavailableError({ cause: error }) : error;
  if (dialect === 'sqlite') {
    // One writer at a time (BEGIN IMMEDIATE, busy_timeout): SQLite never reports a lost race to retry.
    const once = sqliteImmediate(db);
    return async (work) => {
      try {
        return await once(work);
      } catch (error) {
        throw unavailableOr(error);
      }
    };
  }
  return async (work) => {
    try {
      return await pRetry(
        (attempt) => postgresTransaction(db, isolationFor(settings.isolation, attempt))(work),
        {
          retries: settings.retries,
          minTimeout: 2,
          maxTimeout: 100,
          factor: 2,
          randomize: true,
          shouldRetry: ({ error }) => isRetryableConflict(error),
          onFailedAttempt: ({ error }) => {
            if (isRetryableConflict(error)) onRetry(error);
          },
        },
      );
    } catch (error) {
      throw unavailableOr(error);
    }
  };
}

/**
 * SQLite: BEGIN IMMEDIATE takes the write lock before the first read, so the rows the rules judge
 * cannot change before the write (another process would otherwise fail with SQLITE_BUSY on upgrade).
 */
function sqliteImmediate(db: Kysely<Database>) {
  return <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await work(connection);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection);
        throw error;
      }
    });
}

/**
 * A big batch at SERIALIZABLE can lose its race again and again to a stream of small ones (every
 * attempt's snapshot predates a row that a concurrent pick commits). From the fifth attempt on the
 * transaction runs at READ COMMITTED, which the row locks taken in id order make sufficient: its
 * FOR UPDATE waits for the rows and reads their newest versions instead of failing. (CockroachDB
 * without READ COMMITTED enabled runs it as SERIALIZABLE: the retries then simply go on.)
 */
const SERIALIZABLE_ATTEMPTS_BEFORE_READ_COMMITTED = 4;

function isolationFor(configured: IsolationLevel, attempt: number): IsolationLevel {
  return attempt > SERIALIZABLE_ATTEMPTS_BEFORE_READ_COMMITTED ? 'read committed' : configured;
}

function postgresTransaction(db: Kysely<Database>, isolation: IsolationLevel) {
  return <T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> =>
    db.transaction().setIsolationLevel(isolation).execute(work);
}
