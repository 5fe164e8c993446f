// Complete (C1–C6): each rule alone, their order, the caller check and the plan (cases to settle).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from '../activity.js';
import { ACTION_COMPLETE, ACTION_PICK, SCOPE_READ, type Caller } from '../caller.js';
import type { Outcome, RuleFailure } from '../failures.js';
import { decide, ruleOrder, type Operation } from '../rules/engine.js';
import { makeActivity, makeCaller, STORED_MS } from '../test-fixtures.js';
import { checkCompleteCaller, COMPLETE, type CompletePlan } from './complete.js';

const NOW = STORED_MS + 3_600_000;
const CALLER = '1001';

/** An inbound email the caller holds, in case 8001. */
const mine = (id: string, overrides: Partial<Activity> = {}): Activity =>
  makeActivity({
    id,
    type: 'email',
    mode: 'inbound',
    status: 'assigned',
    substatus: 'in_progress',
    assignedUserId: CALLER,
    caseId: '8001',
    ...overrides,
  });

const caller = (overrides: Partial<Caller> = {}): Caller =>
  makeCaller({
    userId: CALLER,
    actions: new Set([ACTION_COMPLETE]),
    licenses: new Set(['eGain MailPlus']), // mail, not call tracking
    ...overrides,
  });

function complete(
  rows: readonly Activity[],
  options: { caller?: Caller; clientMs?: Record<string, number> } = {},
): Outcome<CompletePlan> {
  const items = rows.map((a) => ({ id: a.id, lastModifiedMs: options.clientMs?.[a.id] ?? a.lastModifiedMs }));
  return decide(COMPLETE, items, rows, { caller: options.caller ?? caller() }, NOW);
}

const failureOf = (outcome: Outcome<unknown>): RuleFailure => {
  if (outcome.ok) assert.fail('expected a rule failure, got a plan');
  return outcome.failure;
};
const planOf = (outcome: Outcome<CompletePlan>): CompletePlan => {
  if (!outcome.ok) assert.fail(`expected a plan, got ${JSON.stringify(outcome.failure)}`);
  return outcome.value;
};

interface Breaker {
  readonly rule: string;
  readonly row: Partial<Activity>;
  readonly caller?: Caller;
  readonly clientMs?: Record<string, number>;
  readonly expect: (ids: string[]) => RuleFailure;
}

const BREAKERS: readonly Breaker[] = [
  { rule: 'C1', row: { departmentId: '777' }, expect: (ids) => ({ kind: 'OutsideDepartments', ids }) },
  { rule: 'C2', row: { assignedUserId: '2002' }, expect: (ids) => ({ kind: 'NotAssignedToCaller', ids }) },
  { rule: 'C3', row: { type: 'chat' }, expect: (ids) => ({ kind: 'TypeNotPickable', ids }) },
  { rule: 'C4', row: { isDraftResponse: true }, expect: (ids) => ({ kind: 'DraftResponse', ids }) },
  { rule: 'C5', row: { type: 'call_track' }, expect: (ids) => ({ kind: 'LicenseMissing', ids }) },
  {
    rule: 'C6',
    row: {},
    clientMs: { '6001': STORED_MS + 1 },
    expect: (ids) => ({ kind: 'StaleLastModified', ids }),
  },
];

describe('complete', () => {
  it('judges its rules in the contract order', () => {
    assert.deepEqual(ruleOrder(COMPLETE as Operation<never, unknown>), [
      '7',
      'C1',
      'C2',
      'C3',
      'C4',
      'C5',
      'C6',
    ]);
  });

  it('rules 5–6: the manage scope, then the Complete action', () => {
    assert.deepEqual(checkCompleteCaller(caller({ scopes: new Set([SCOPE_READ]) })), {
      kind: 'MissingScope',
    });
    assert.deepEqual(checkCompleteCaller(caller({ actions: new Set([ACTION_PICK]) })), {
      kind: 'ActionNotAllowed',
      action: ACTION_COMPLETE,
      ids: [],
    });
    assert.equal(checkCompleteCaller(caller()), undefined);
  });

  for (const breaker of BREAKERS) {
    it(`${breaker.rule} fails naming the breaking activity only`, () => {
      const rows = [mine('6003'), mine('6001', breaker.row), mine('6002')];
      const options = {
        ...(breaker.caller && { caller: breaker.caller }),
        ...(breaker.clientMs && { clientMs: breaker.clientMs }),
      };
      assert.deepEqual(failureOf(complete(rows, options)), breaker.expect(['6001']));
    });
  }

  it('the first failing rule decides, whatever the order of the activities', () => {
    for (let i = 0; i < BREAKERS.length; i++) {
      for (let j = i + 1; j < BREAKERS.length; j++) {
        const [early, late] = [BREAKERS[i], BREAKERS[j]];
        if (early.clientMs || late.clientMs) continue;
        const rows = [mine('6002', late.row), mine('6001', early.row)];
        assert.deepEqual(
          failureOf(complete(rows)),
          early.expect(['6001']),
          `${early.rule} before ${late.rule}`,
        );
      }
    }
  });

  it('C2: a queued activity, or one in pre-completion, is not the caller’s to complete', () => {
    const queued = mine('6001', { status: 'awaiting_assignment', assignedUserId: null, queueId: '10' });
    const precompletion = mine('6002', { status: 'in_precompletion' });
    assert.deepEqual(failureOf(complete([queued, precompletion])), {
      kind: 'NotAssignedToCaller',
      ids: ['6001', '6002'],
    });
  });

  it('C3: call tracks, tasks, social and user-defined types complete; web does not', () => {
    const licensed = caller({ licenses: new Set(['eGain Advisor Desktop']) });
    const rows = [
      mine('6001', { type: 'call_track', mode: 'inbound' }),
      mine('6002', { type: 'task', mode: null }),
      mine('6003', { type: 'social' }),
      mine('6004', { type: 'Warranty claim', mode: null }),
    ];
    assert.equal(complete(rows, { caller: licensed }).ok, true);
    assert.deepEqual(failureOf(complete([mine('6005', { type: 'web' })])), {
      kind: 'TypeNotPickable',
      ids: ['6005'],
    });
  });

  it('C5: a call track needs CallTrackPlus or Advisor Desktop; a task any user licence', () => {
    const callTrack = mine('6001', { type: 'call_track' });
    assert.equal(
      complete([callTrack], { caller: caller({ licenses: new Set(['eGain CallTrackPlus']) }) }).ok,
      true,
    );
    assert.deepEqual(
      failureOf(complete([callTrack], { caller: caller({ licenses: new Set(['eGain MailPlus']) }) })),
      {
        kind: 'LicenseMissing',
        ids: ['6001'],
      },
    );
    const task = mine('6002', { type: 'task', mode: null });
    assert.equal(complete([task], { caller: caller({ licenses: new Set(['eGain Platform']) }) }).ok, true);
  });

  it('plans completed:done, a lastModified past every previous one, and each case once in id order', () => {
    const later = NOW + 7;
    const plan = planOf(
      complete([
        mine('6001', { caseId: '10002' }),
        mine('6002', { caseId: '9003', lastModifiedMs: later }),
        mine('6003', { caseId: '10002' }),
        mine('6004', { caseId: null }),
      ]),
    );
    assert.deepEqual(plan.write, { status: 'completed', substatus: 'done' });
    assert.equal(plan.userId, CALLER);
    assert.equal(plan.lastModifiedMs, later + 1);
    assert.deepEqual(plan.casesToSettle, ['9003', '10002']);
    assert.deepEqual(
      plan.changes.map((c) => [c.activityId, c.caseId]),
      [
        ['6001', '10002'],
        ['6002', '9003'],
        ['6003', '10002'],
        ['6004', null],
      ],
    );
  });
});
