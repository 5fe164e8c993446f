import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUnavailable, isWriteFault } from './store-errors.js';
import { WRITE_FAULT_WINDOW_MS, WriteHealth } from './write-health.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('write faults', () => {
  it('are the codes of a database that answers but cannot write, and all answer 503-100', () => {
    for (const code of [
      'SQLITE_FULL',
      'SQLITE_READONLY',
      'SQLITE_READONLY_DBMOVED',
      'SQLITE_IOERR_WRITE',
      'SQLITE_CANTOPEN',
      '53100',
      '53200',
      '58030',
      '25006',
      '57P01',
      '57P04',
    ]) {
      assert.equal(isWriteFault(withCode(code)), true, code);
      assert.equal(isUnavailable(withCode(code)), true, code);
    }
  });

  it('leave out a busy database (every instance would be as slow) and real faults', () => {
    for (const code of ['SQLITE_BUSY', '57014', '55P03', '40001', 'SQLITE_CONSTRAINT', '23505', '25P02'])
      assert.equal(isWriteFault(withCode(code)), false, code);
    assert.equal(isUnavailable(withCode('SQLITE_CONSTRAINT')), false);
  });
});

describe('WriteHealth', () => {
  it('is not writable after a write fault, until a write succeeds', () => {
    const health = new WriteHealth(() => 0);
    assert.equal(health.writable, true);
    health.failed();
    assert.equal(health.writable, false);
    health.succeeded();
    assert.equal(health.writable, true);
  });

  it('is writable again once the window has passed without another fault', () => {
    let now = 1_000;
    const health = new WriteHealth(() => now);
    health.failed();
    now += WRITE_FAULT_WINDOW_MS - 1;
    assert.equal(health.writable, false);
    now += 1;
    assert.equal(health.writable, true);
  });
});
