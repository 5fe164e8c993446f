// Domain units for reading activities (GET /activity/{ids}): who may read, and what they may see.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from './activity.js';
import {
  ACTION_PICK,
  ACTION_UNPIN,
  ACTION_VIEW_AGENT_CONSOLE,
  SCOPE_MANAGE,
  SCOPE_READ,
  type Caller,
} from './caller.js';
import type { Outcome } from './failures.js';
import { checkReader, selectVisible } from './read-rules.js';
import { makeActivity, makeCaller } from './test-fixtures.js';

const FOREIGN_DEPT = '1000';
const OUTSIDE_DEPT = '777';

const activity = (overrides: Partial<Activity> = {}): Activity =>
  makeActivity({
    createdMs: Date.UTC(2026, 10, 2, 10),
    lastModifiedMs: Date.UTC(2026, 10, 2, 11),
    ...overrides,
  });

const caller = (overrides: Partial<Caller> = {}): Caller =>
  makeCaller({
    actions: new Set([ACTION_VIEW_AGENT_CONSOLE]),
    pullableQueueIds: new Set(),
    scopes: new Set([SCOPE_READ]),
    ...overrides,
  });

function valueOf<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) assert.fail(`expected activities, got ${JSON.stringify(outcome.failure)}`);
  return outcome.value;
}

describe('read rules', () => {
  describe('checkReader', () => {
    it('lets a token with the read or the manage scope read', () => {
      assert.equal(checkReader(caller({ scopes: new Set([SCOPE_READ]) })), undefined);
      assert.equal(checkReader(caller({ scopes: new Set([SCOPE_MANAGE]) })), undefined);
      assert.equal(checkReader(caller({ scopes: new Set([SCOPE_READ, SCOPE_MANAGE]) })), undefined);
    });

    it('rejects a token with neither scope (403-197 MissingScope)', () => {
      assert.deepEqual(checkReader(caller({ scopes: new Set() })), { kind: 'MissingScope' });
      assert.deepEqual(checkReader(caller({ scopes: new Set(['core.casemgr.admin', 'openid']) })), {
        kind: 'MissingScope',
      });
    });

    it('rejects a user without View Agent Console (403-178 naming the action)', () => {
      const expected = { kind: 'ActionNotAllowed', action: ACTION_VIEW_AGENT_CONSOLE, ids: [] };
      assert.deepEqual(checkReader(caller({ actions: new Set() })), expected);
      // Picking rights do not imply reading rights.
      assert.deepEqual(checkReader(caller({ actions: new Set([ACTION_PICK, ACTION_UNPIN]) })), expected);
      assert.deepEqual(
        checkReader(caller({ scopes: new Set([SCOPE_MANAGE]), actions: new Set([ACTION_PICK]) })),
        expected,
      );
    });

    it('judges the scope before the action', () => {
      assert.deepEqual(checkReader(caller({ scopes: new Set(), actions: new Set() })), {
        kind: 'MissingScope',
      });
    });
  });

  describe('selectVisible', () => {
    it('returns the activities in the order asked, whatever order they were found in', () => {
      const a = activity({ id: '5001' });
      const b = activity({ id: '5002', departmentId: FOREIGN_DEPT });
      const c = activity({ id: '5003' });
      const selected = valueOf(selectVisible(caller(), ['5003', '5001', '5002'], [a, b, c]));
      assert.deepEqual(
        selected.map((x) => x.id),
        ['5003', '5001', '5002'],
      );
      assert.equal(selected[0], c, 'the found objects themselves are returned');
    });

    it('keeps the richer type of the rows it is given', () => {
      const rows = [{ ...activity({ id: '5001' }), queueName: 'Billing' }];
      const [only] = valueOf(selectVisible(caller(), ['5001'], rows));
      assert.equal(only?.queueName, 'Billing');
    });

    it('treats an activity outside the home and foreign departments as unknown (404-100 UnknownInPath)', () => {
      const outside = activity({ id: '5002', departmentId: OUTSIDE_DEPT });
      assert.deepEqual(selectVisible(caller(), ['5001', '5002'], [activity({ id: '5001' }), outside]), {
        ok: false,
        failure: { kind: 'UnknownInPath', ids: ['5002'] },
      });
      // A foreign department is visible only to its foreign users.
      const foreign = activity({ id: '5003', departmentId: FOREIGN_DEPT });
      assert.deepEqual(selectVisible(caller({ foreignDepartmentIds: new Set() }), ['5003'], [foreign]), {
        ok: false,
        failure: { kind: 'UnknownInPath', ids: ['5003'] },
      });
    });

    it('names every unknown id, missing or invisible, in the order asked', () => {
      const found = [
        activity({ id: '5001' }),
        activity({ id: '5004', departmentId: OUTSIDE_DEPT }),
        activity({ id: '5002', departmentId: FOREIGN_DEPT }),
      ];
      assert.deepEqual(selectVisible(caller(), ['5009', '5001', '5004', '5002', '5003'], found), {
        ok: false,
        failure: { kind: 'UnknownInPath', ids: ['5009', '5004', '5003'] },
      });
    });
  });
});
