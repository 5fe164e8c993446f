// Pull: which offered candidates are taken, in which order, how many, and the plan (as pick's).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from '../activity.js';
import { makeActivity, makeCaller, STORED_MS } from '../test-fixtures.js';
import { planPull } from './pull.js';

const NOW = STORED_MS + 1000;
const queued = (id: string, overrides: Partial<Activity> = {}) =>
  makeActivity({ id, mode: 'inbound', ...overrides });
const caller = makeCaller({ pullableQueueIds: new Set(['10', '11']) });
const ids = (candidates: Activity[], maxPull = 75) =>
  planPull(caller, maxPull, candidates, NOW)?.changes.map((c) => c.activityId);

describe('pull', () => {
  it('takes eligible candidates in the order offered, up to maxPull', () => {
    const offered = [queued('6003'), queued('6001', { queueId: '11' }), queued('6002')];
    assert.deepEqual(ids(offered, 2), ['6003', '6001']);
  });

  it('skips what pick would refuse for a queued activity', () => {
    const offered = [
      queued('6001', { departmentId: '777' }),
      queued('6002', { isDraftResponse: true }),
      queued('6003', { type: 'chat' }),
      queued('6004', { status: 'assigned', assignedUserId: '2002' }),
      queued('6005', { queueId: '12' }), // no Pull activities on it
      queued('6006', { type: 'task' }), // licensed (any user licence is enough: Advisor Desktop)
      queued('6007'),
    ];
    assert.deepEqual(ids(offered), ['6006', '6007']);
    const unlicensed = makeCaller({ licenses: new Set(['eGain Platform']) });
    assert.equal(planPull(unlicensed, 75, [queued('6008')], NOW), undefined);
  });

  it('nothing eligible: no plan (204)', () => {
    assert.equal(planPull(caller, 1, [], NOW), undefined);
  });

  it('plans as pick: assigned to the caller, from the queue, lastModified bumped', () => {
    const plan = planPull(caller, 1, [queued('6001', { lastModifiedMs: NOW + 3 })], NOW);
    assert.deepEqual(plan, {
      userId: '1001',
      changes: [
        {
          activityId: '6001',
          from: { kind: 'queue', id: '10' },
          unpinned: false,
          previousLastModifiedMs: NOW + 3,
        },
      ],
      lastModifiedMs: NOW + 4,
    });
  });
});
