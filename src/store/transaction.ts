// One transaction per unit of work, with the dialect's way of taking the write lock, and a bounded,
// jittered retry when PostgreSQL (or CockroachDB at SERIALIZABLE) reports a lost race.
import { sql, type Kysely } from 'kysely';
import pRetry from 'p-retry';
import type { Dialect } from './dialect.js';
import type { Database } from './schema.js';
import { sqliteInTransaction } from './sqlite-transaction-probe.js';
import { StoreUnavailableError, isRetryableConflict, isUnavailable, isWriteFault } from './store-errors.js';
import type { WriteHealth } from './write-health.js';

import {
  DEFAULT_TRANSACTIONS,
  type IsolationLevel,
  type TransactionSettings,
} from './transaction-settings.js';

export { DEFAULT_TRANSACTIONS, type IsolationLevel, type TransactionSettings };

export type Transactional = <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>;

export interface TransactionObservers {
  /** A transaction lost its race (40001, 40P01) and runs again. */
  readonly onRetry?: (error: unknown) => void;
  /** Told of every transaction that committed, and of every one the database could not write. */
  readonly writeHealth?: WriteHealth;
  /** After every commit (the SQLite live stream reads the outbox then). */
  readonly onCommitted?: () => void;
}

export function createTransactional(
  db: Kysely<Database>,
  dialect: Dialect,
  settings: TransactionSettings = DEFAULT_TRANSACTIONS,
  { onRetry = () => undefined, writeHealth, onCommitted }: TransactionObservers = {},
): Transactional {
  const unavailableOr = (error: unknown): unknown => {
    if (isWriteFault(error)) writeHealth?.failed();
    // Still losing races after every retry is a busy database, not a fault: 503 and Retry-After.
    return isUnavailable(error) || isRetryableConflict(error)
      ? new StoreUnavailableError({ cause: error })
      : error;
  };
  const observed = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      const result = await run();
      writeHealth?.succeeded();
      onCommitted?.();
      return result;
    } catch (error) {
      throw unavailableOr(error);
    }
  };
  if (dialect === 'sqlite') {
    // One writer at a time (BEGIN IMMEDIATE, busy_timeout): SQLite never reports a lost race to retry.
    const once = sqliteImmediate(db);
    return (work) => observed(() => once(work));
  }
  return (work) =>
    observed(() =>
      pRetry((attempt) => postgresTransaction(db, isolationFor(settings.isolation, attempt))(work), {
        retries: settings.retries,
        minTimeout: 2,
        maxTimeout: 100,
        factor: 2,
        randomize: true,
        shouldRetry: ({ error }) => isRetryableConflict(error),
        onFailedAttempt: ({ error }) => {
          if (isRetryableConflict(error)) onRetry(error);
        },
      }),
    );
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
        // SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR…): a second ROLLBACK would
        // fail and its error would hide the cause.
        if (sqliteInTransaction(db)) await sql`rollback`.execute(connection);
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
