// What a database error means for the caller: try the transaction again, answer 503, or a real fault.

/** The database cannot be reached (down, restarting, pool exhausted): the API answers 503-100. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('the database is unavailable', options);
  }
}

/**
 * A `sqlite:` path whose folder does not exist: a typo would otherwise create folders up to the
 * root. Bad configuration (exit 2), unless `--create-folder` asks for them.
 */
export class MissingDatabaseFolder extends Error {
  override readonly name = 'MissingDatabaseFolder';
  constructor(readonly folder: string) {
    super(
      `the folder ${folder} of DATABASE_URL does not exist: create it, or pass --create-folder to have it created`,
    );
  }
}

// 40001 serialization_failure and 40P01 deadlock_detected: the transaction lost a race; rerun it whole.
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
// Class 08 connection exceptions, 57014 query_canceled (statement_timeout, or an operator cancelling
// a stuck query) and 55P03 lock_not_available (lock_timeout), and the write faults below: the
// database cannot serve the pick now, so the caller gets 503-100 with Retry-After rather than a 500 —
// the pick changed nothing and may be retried.
const UNAVAILABLE_SQLSTATE = /^(08|57014$|55P03$)/;
// The database answers but cannot take writes: class 53 insufficient resources (53100 disk full,
// 53200 out of memory, 53300 too many connections), class 58 system errors (58030 I/O error), 25006
// read-only transaction (a standby after a failover, default_transaction_read_only), 57P01–57P05
// shutdown, crash recovery, database dropped.
const WRITE_FAULT_SQLSTATE = /^(53|58|25006$|57P0)/;
// SQLite's disk is full, the file is read-only (permissions, moved or deleted, a read-only mount), the
// disk fails, or the file cannot be opened; extended codes (SQLITE_IOERR_WRITE…) included.
const WRITE_FAULT_SQLITE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)(_|$)/;
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryableConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && RETRYABLE_SQLSTATES.has(code);
}

/**
 * The database is there but cannot take writes now (full, read-only, failing disk, shutting down):
 * readiness turns false for a while (write-health.ts), unlike a busy database, whose every
 * instance would be as slow.
 */
export function isWriteFault(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (WRITE_FAULT_SQLSTATE.test(code) || WRITE_FAULT_SQLITE.test(code));
}

export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError || isWriteFault(error)) return true;
  const code = codeOf(error);
  if (code !== undefined && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code)))
    return true;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  const message = error instanceof Error ? error.message : '';
  // pg's pool and client say these without a code.
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/**
 * A guarded write found rows changed since they were locked and judged (pick, transfer, complete,
 * pull): the transaction is rolled back and the request answered 409-100.
 */
export class RowsChangedError extends Error {
  constructor(readonly ids: readonly string[]) {
    super(`activities changed between the locked read and the write: ${ids.join(', ')}`);
  }
}

/**
 * A write judged on cached facts found, in the statement that locked its rows, that the organisation
 * version has moved since the facts were read: nothing is written (the transaction is rolled back),
 * and the request is judged again on fresh facts (src/http/facts-check.ts).
 */
export class FactsMovedError extends Error {
  constructor(readonly version: number) {
    super(`the organisation version moved to ${version} since the caller's facts were read`);
  }
}
