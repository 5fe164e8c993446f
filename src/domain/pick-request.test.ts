// Domain units for the pick request: canonical ids, duplicates (400-105) and lastModified instants.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Outcome } from './failures.js';
import { buildPickRequest, canonicalId, toEpochMs, type PickRequest } from './pick-request.js';

const LAST_MODIFIED = '2014-11-24T09:09:08.000Z';
const LAST_MODIFIED_MS = Date.UTC(2014, 10, 24, 9, 9, 8, 0);

function item(
  id: string | number,
  lastModified = LAST_MODIFIED,
): { id: string | number; lastModified: string } {
  return { id, lastModified };
}

function requestOf(outcome: Outcome<PickRequest>): PickRequest {
  if (!outcome.ok) assert.fail(`expected a request, got ${JSON.stringify(outcome.failure)}`);
  return outcome.value;
}

describe('pick request', () => {
  describe('buildPickRequest', () => {
    it('keeps the items in document order with canonical ids and epoch milliseconds', () => {
      const request = requestOf(
        buildPickRequest([item('1217'), item(1220, '2014-11-24T09:09:08.123Z'), item('6001')], false),
      );
      assert.deepEqual(request, {
        unpin: false,
        items: [
          { id: '1217', lastModifiedMs: LAST_MODIFIED_MS },
          { id: '1220', lastModifiedMs: LAST_MODIFIED_MS + 123 },
          { id: '6001', lastModifiedMs: LAST_MODIFIED_MS },
        ],
      });
    });

    it('carries unpin=yes through', () => {
      assert.equal(requestOf(buildPickRequest([item('1')], true)).unpin, true);
      assert.equal(requestOf(buildPickRequest([item('1')], false)).unpin, false);
    });

    it('treats 6001 and "6001" as the same id (400-105 DuplicateIds naming it once)', () => {
      assert.deepEqual(buildPickRequest([item(6001), item('6001')], false), {
        ok: false,
        failure: { kind: 'DuplicateIds', ids: ['6001'] },
      });
      assert.deepEqual(buildPickRequest([item('6001'), item(6001), item('6001'), item(6001)], false), {
        ok: false,
        failure: { kind: 'DuplicateIds', ids: ['6001'] },
      });
    });

    it('names a repeated id once even when its lastModified values differ', () => {
      assert.deepEqual(
        buildPickRequest(
          [item('42', '2014-11-24T09:09:08.000Z'), item('42', '2015-01-01T00:00:00.000Z')],
          false,
        ),
        { ok: false, failure: { kind: 'DuplicateIds', ids: ['42'] } },
      );
    });

    it('names several repeated ids in document order, each once', () => {
      const outcome = buildPickRequest(
        [item('30'), item('4'), item('7'), item(30), item('4'), item('12'), item('12'), item('30')],
        false,
      );
      assert.deepEqual(outcome, { ok: false, failure: { kind: 'DuplicateIds', ids: ['30', '4', '12'] } });
    });

    it('orders repeated ids by their first appearance, not by where they repeat', () => {
      const outcome = buildPickRequest([item('1'), item('2'), item('2'), item('1')], false);
      assert.deepEqual(outcome, { ok: false, failure: { kind: 'DuplicateIds', ids: ['1', '2'] } });
    });

    it('accepts distinct ids that only look alike', () => {
      const request = requestOf(buildPickRequest([item('600'), item(6001), item('60010')], false));
      assert.deepEqual(
        request.items.map((i) => i.id),
        ['600', '6001', '60010'],
      );
    });
  });

  describe('canonicalId', () => {
    it('turns a JSON integer into the digit string and leaves strings alone', () => {
      assert.equal(canonicalId(6001), '6001');
      assert.equal(canonicalId('6001'), '6001');
      assert.equal(canonicalId(Number.MAX_SAFE_INTEGER), '9007199254740991');
      assert.equal(canonicalId('123456789012345678'), '123456789012345678');
    });
  });

  describe('toEpochMs', () => {
    it('gives the same instant for Z and for an equivalent offset', () => {
      const z = toEpochMs('2014-11-24T09:09:08.000Z');
      assert.equal(z, LAST_MODIFIED_MS);
      assert.equal(toEpochMs('2014-11-24T11:09:08.000+02:00'), z);
      assert.equal(toEpochMs('2014-11-24T03:39:08.000-05:30'), z);
      assert.equal(toEpochMs('2014-11-24T09:09:08.000+00:00'), z);
      assert.equal(toEpochMs('2014-11-24T09:09:08.000-00:00'), z);
      // An offset that crosses midnight.
      assert.equal(toEpochMs('2014-11-25T01:09:08.000+16:00'), z);
    });

    it('truncates more than 3 fraction digits instead of rounding them', () => {
      assert.equal(toEpochMs('2014-11-24T09:09:08.9999Z'), LAST_MODIFIED_MS + 999);
      assert.equal(toEpochMs('2014-11-24T09:09:08.9995Z'), LAST_MODIFIED_MS + 999);
      assert.equal(toEpochMs('2014-11-24T09:09:08.123456789Z'), LAST_MODIFIED_MS + 123);
      assert.equal(toEpochMs('2014-11-24T09:09:08.0009Z'), LAST_MODIFIED_MS);
      assert.equal(toEpochMs('2014-11-24T11:09:08.9999+02:00'), LAST_MODIFIED_MS + 999);
      // Rounding would carry into the next minute, day and year.
      assert.equal(toEpochMs('2014-12-31T23:59:59.99999Z'), Date.UTC(2014, 11, 31, 23, 59, 59, 999));
    });

    it('reads no fraction as .000 and a short fraction as milliseconds', () => {
      assert.equal(toEpochMs('2014-11-24T09:09:08Z'), LAST_MODIFIED_MS);
      assert.equal(toEpochMs('2014-11-24T11:09:08+02:00'), LAST_MODIFIED_MS);
      assert.equal(toEpochMs('2014-11-24T09:09:08.5Z'), LAST_MODIFIED_MS + 500);
      assert.equal(toEpochMs('2014-11-24T09:09:08.12Z'), LAST_MODIFIED_MS + 120);
    });

    it('accepts the lower-case t and z that RFC 3339 allows', () => {
      assert.equal(toEpochMs('2014-11-24t09:09:08.000z'), LAST_MODIFIED_MS);
    });

    it('reads back the format the service returns', () => {
      const ms = Date.UTC(2026, 10, 2, 11, 0, 0, 7);
      assert.equal(toEpochMs(new Date(ms).toISOString()), ms);
    });
  });
});
