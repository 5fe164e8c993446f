import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRfc3339 } from './rfc3339.js';

describe('isRfc3339', () => {
  for (const value of [
    '2026-11-02T11:00:00Z',
    '2026-11-02t11:00:00z',
    '2026-11-02T11:00:00.123456789+05:30',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    // Years 0–99 are ordinary years: 0000 and 0004 are leap years, 0100 is not.
    '0000-02-29T00:00:00Z',
    '0004-02-29T23:59:59-01:00',
    '0099-12-31T00:00:00Z',
  ]) {
    it(`accepts ${value}, which Date.parse also reads`, () => {
      assert.equal(isRfc3339(value), true);
      assert.ok(Number.isFinite(Date.parse(value.replace(/(\.\d{3})\d+/, '$1'))));
    });
  }

  for (const value of [
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '0100-02-29T00:00:00Z',
    '0001-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-11-02T24:00:00Z',
    '2026-12-31T23:59:60Z',
    '2026-11-02T11:00:00+24:00',
    '2026-11-02T11:00:00',
    '2026-11-02 11:00:00Z',
    '2026-11-02T11:00:00.Z',
  ]) {
    it(`refuses ${value}`, () => assert.equal(isRfc3339(value), false));
  }
});
