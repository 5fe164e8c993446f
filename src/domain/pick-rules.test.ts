// Domain units for the Pick activities rules 5–19 (docs/api/pick-activities.md).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from './activity.js';
import { ACTION_PICK, ACTION_UNPIN, SCOPE_MANAGE, SCOPE_READ, USER_LICENSES, type Caller } from './caller.js';
import type { Outcome, RuleFailure } from './failures.js';
import type { PickRequest } from './pick-request.js';
import { makeActivity, makeCaller } from './test-fixtures.js';
import { ACTIVITY_RULE_ORDER, checkCaller, planPick, type PickPlan } from './pick-rules.js';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const NOW = Date.parse('2026-11-02T12:00:00.000Z');
const STORED = Date.parse('2026-11-02T11:00:00.000Z');

const CALLER_ID = '1001';
const HOME_DEPT = '999';
const FOREIGN_DEPT = '1000';
const OUTSIDE_DEPT = '777';
const PULLABLE_QUEUE = '10';
const OTHER_QUEUE = '11';
const PULLABLE_USER = '2002';
const OTHER_USER = '2003';

/** A pickable activity: a task waiting in a queue the caller may pull from, in the home department. */
const activity = (overrides: Partial<Activity> = {}): Activity =>
  makeActivity({ type: 'task', queueId: PULLABLE_QUEUE, lastModifiedMs: STORED, ...overrides });

/** An activity assigned to a colleague the caller may pull from. */
function assigned(overrides: Partial<Activity> = {}): Activity {
  return activity({ status: 'assigned', substatus: 'new', assignedUserId: PULLABLE_USER, ...overrides });
}

const caller = (overrides: Partial<Caller> = {}): Caller =>
  makeCaller({
    userId: CALLER_ID,
    actions: new Set([ACTION_PICK, ACTION_UNPIN]),
    pullableQueueIds: new Set([PULLABLE_QUEUE]),
    pullableUserIds: new Set([PULLABLE_USER]),
    ...overrides,
  });

/** A request for these activities with their stored lastModified, unless `clientMs` says otherwise. */
function requestFor(
  activities: readonly Activity[],
  options: { unpin?: boolean; clientMs?: Readonly<Record<string, number>> } = {},
): PickRequest {
  return {
    unpin: options.unpin ?? false,
    items: activities.map((a) => ({
      id: a.id,
      lastModifiedMs: options.clientMs?.[a.id] ?? a.lastModifiedMs,
    })),
  };
}

/** planPick on these stored activities, requested in this order with fresh lastModified values. */
function pick(
  activities: readonly Activity[],
  options: { caller?: Caller; unpin?: boolean; nowMs?: number; clientMs?: Record<string, number> } = {},
): Outcome<PickPlan> {
  return planPick(
    options.caller ?? caller(),
    requestFor(activities, options),
    activities,
    options.nowMs ?? NOW,
  );
}

function failureOf(outcome: Outcome<PickPlan>): RuleFailure {
  assert.equal(outcome.ok, false, 'expected a rule failure, got a plan');
  if (outcome.ok) throw new Error('unreachable');
  return outcome.failure;
}

function planOf(outcome: Outcome<PickPlan>): PickPlan {
  if (!outcome.ok) assert.fail(`expected a plan, got ${JSON.stringify(outcome.failure)}`);
  return outcome.value;
}

function assertPicked(outcome: Outcome<PickPlan>, ids: readonly string[]): void {
  assert.deepEqual(
    planOf(outcome).changes.map((c) => c.activityId),
    ids,
  );
}

// ---------------------------------------------------------------------------------------------
// One "breaker" per rule 7–19: an activity (or its absence) that breaks that rule and no other,
// plus what the caller and request need for it to break. Used by the order and id-listing tables.
// ---------------------------------------------------------------------------------------------

type Base = 'any' | 'awaiting' | 'assigned' | 'missing';

interface Breaker {
  readonly rule: number;
  readonly failure: (ids: string[]) => RuleFailure;
  /** Which status the breaking activity needs ('any' leaves the default queued task). */
  readonly base: Base;
  readonly delta: Partial<Activity>;
  readonly caller?: Partial<Caller>;
  readonly unpin?: boolean;
  /** The client's lastModified differs from the stored one by this many ms. */
  readonly staleBy?: number;
}

const BREAKERS: readonly Breaker[] = [
  { rule: 7, failure: (ids) => ({ kind: 'NotFound', ids }), base: 'missing', delta: {} },
  {
    rule: 8,
    failure: (ids) => ({ kind: 'OutsideDepartments', ids }),
    base: 'any',
    delta: { departmentId: OUTSIDE_DEPT },
  },
  {
    rule: 9,
    failure: (ids) => ({ kind: 'DraftResponse', ids }),
    base: 'any',
    delta: { isDraftResponse: true },
  },
  { rule: 10, failure: (ids) => ({ kind: 'TypeNotPickable', ids }), base: 'any', delta: { type: 'chat' } },
  {
    rule: 11,
    failure: (ids) => ({ kind: 'AlreadyAssignedToCaller', ids }),
    base: 'assigned',
    delta: { assignedUserId: CALLER_ID },
  },
  {
    rule: 12,
    failure: (ids) => ({ kind: 'StatusNotPickable', ids }),
    base: 'awaiting',
    delta: { status: 'in_workflow', substatus: null },
  },
  {
    rule: 13,
    failure: (ids) => ({ kind: 'LicenseMissing', ids }),
    base: 'any',
    delta: { type: 'email' },
    caller: { licenses: new Set(['eGain Platform']) },
  },
  {
    rule: 14,
    failure: (ids) => ({ kind: 'NoQueuePullPermission', ids }),
    base: 'awaiting',
    delta: { queueId: OTHER_QUEUE },
  },
  {
    rule: 15,
    failure: (ids) => ({ kind: 'NoUserPullPermission', ids }),
    base: 'assigned',
    delta: { assignedUserId: OTHER_USER },
  },
  {
    rule: 16,
    failure: (ids) => ({ kind: 'LockedByAssignee', ids }),
    base: 'assigned',
    delta: { locked: true },
  },
  {
    rule: 17,
    failure: (ids) => ({ kind: 'PinnedWithoutUnpin', ids }),
    base: 'assigned',
    delta: { pinned: true },
    unpin: false,
  },
  {
    rule: 18,
    failure: (ids) => ({ kind: 'ActionNotAllowed', action: ACTION_UNPIN, ids }),
    base: 'assigned',
    delta: { pinned: true },
    unpin: true,
    caller: { actions: new Set([ACTION_PICK]) },
  },
  { rule: 19, failure: (ids) => ({ kind: 'StaleLastModified', ids }), base: 'any', delta: {}, staleBy: -1 },
];

/** A scenario: the stored rows, the requested ids (in order), client lastModified values, caller, unpin. */
interface Scenario {
  readonly stored: Activity[];
  readonly requested: string[];
  readonly clientMs: Record<string, number>;
  readonly caller: Partial<Caller>;
  readonly unpin: boolean | undefined;
}

const emptyScenario = (): Scenario => ({
  stored: [],
  requested: [],
  clientMs: {},
  caller: {},
  unpin: undefined,
});

function rowFor(base: Base, id: string, delta: Partial<Activity>): Activity {
  return base === 'assigned' ? assigned({ ...delta, id }) : activity({ ...delta, id });
}

/** Adds one activity breaking every rule in `rules` (they must be compatible) to the scenario. */
function addBreaking(scenario: Scenario, id: string, rules: readonly Breaker[]): Scenario {
  const bases = new Set(rules.map((r) => r.base).filter((b) => b !== 'any'));
  assert.ok(bases.size <= 1, `rules ${rules.map((r) => r.rule).join('+')} need different statuses`);
  const base = [...bases][0] ?? 'any';
  const unpins = new Set([scenario.unpin, ...rules.map((r) => r.unpin)].filter((u) => u !== undefined));
  assert.ok(unpins.size <= 1, 'rules need different unpin values');
  const staleBy = rules.reduce((sum, r) => sum + (r.staleBy ?? 0), 0);
  const callerOverrides = Object.assign(
    {},
    scenario.caller,
    ...rules.map((r) => r.caller ?? {}),
  ) as Partial<Caller>;
  const next: Scenario = {
    ...scenario,
    requested: [...scenario.requested, id],
    caller: callerOverrides,
    unpin: [...unpins][0],
  };
  if (base === 'missing') return next;
  const row = rowFor(base, id, Object.assign({}, ...rules.map((r) => r.delta)));
  return {
    ...next,
    stored: [...scenario.stored, row],
    clientMs: staleBy === 0 ? next.clientMs : { ...next.clientMs, [id]: row.lastModifiedMs + staleBy },
  };
}

function addGood(scenario: Scenario, id: string): Scenario {
  return {
    ...scenario,
    stored: [...scenario.stored, activity({ id })],
    requested: [...scenario.requested, id],
  };
}

function run(scenario: Scenario, nowMs = NOW): Outcome<PickPlan> {
  const byId = new Map(scenario.stored.map((a) => [a.id, a]));
  const request: PickRequest = {
    unpin: scenario.unpin ?? false,
    items: scenario.requested.map((id) => ({
      id,
      lastModifiedMs: scenario.clientMs[id] ?? byId.get(id)?.lastModifiedMs ?? STORED,
    })),
  };
  // The store hands rows back in its own order (ascending id), not the request's.
  const found = [...scenario.stored].sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  return planPick(caller(scenario.caller), request, found, nowMs);
}

const compatible = (a: Breaker, b: Breaker): boolean =>
  a.base !== 'missing' &&
  b.base !== 'missing' &&
  (a.base === 'any' || b.base === 'any' || a.base === b.base) &&
  (a.unpin === undefined || b.unpin === undefined || a.unpin === b.unpin);

// ---------------------------------------------------------------------------------------------

describe('pick rules', () => {
  it('judges the activity rules in the contract order (ACTIVITY_RULE_ORDER is 7..19)', () => {
    const contractOrder = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    assert.deepEqual(ACTIVITY_RULE_ORDER, contractOrder);
    // The breaker table below covers every activity rule, in the contract's order.
    assert.deepEqual(
      BREAKERS.map((b) => b.rule),
      contractOrder,
    );
  });

  it('accepts a caller with the manage scope (rules 5–6 pass)', () => {
    assert.equal(checkCaller(caller()), undefined);
  });

  it('rejects a token without the core.casemgr.manage scope (rule 5, 403-197 MissingScope)', () => {
    assert.deepEqual(checkCaller(caller({ scopes: new Set() })), { kind: 'MissingScope' });
    assert.deepEqual(checkCaller(caller({ scopes: new Set([SCOPE_READ]) })), { kind: 'MissingScope' });
    // A prefixed scope is the HTTP layer's business: the domain sees scopes already stripped.
    assert.deepEqual(checkCaller(caller({ scopes: new Set(['x/' + SCOPE_MANAGE]) })), {
      kind: 'MissingScope',
    });
    assert.equal(checkCaller(caller({ scopes: new Set([SCOPE_READ, SCOPE_MANAGE]) })), undefined);
    // Rule 5 is judged before rule 6.
    assert.deepEqual(checkCaller(caller({ scopes: new Set(), actions: new Set() })), {
      kind: 'MissingScope',
    });
  });

  it('rejects a user without the Pick Activities action (rule 6, 403-178 ActionNotAllowed)', () => {
    const expected: RuleFailure = { kind: 'ActionNotAllowed', action: ACTION_PICK, ids: [] };
    assert.deepEqual(checkCaller(caller({ actions: new Set() })), expected);
    assert.deepEqual(
      checkCaller(caller({ actions: new Set([ACTION_UNPIN, 'View Agent Console']) })),
      expected,
    );
    assert.equal(checkCaller(caller({ actions: new Set([ACTION_PICK]) })), undefined);
  });

  it('rejects ids that do not exist (rule 7, 400-194 NotFound)', () => {
    const a = activity({ id: '5001' });
    const b = activity({ id: '5002' });
    // Passing: every id found, the rows handed over in another order than requested.
    const request = requestFor([b, a]);
    assertPicked(planPick(caller(), request, [a, b], NOW), ['5002', '5001']);
    // Failing: every missing id, in request order.
    const missing = planPick(
      caller(),
      {
        unpin: false,
        items: [
          { id: '9003', lastModifiedMs: STORED },
          ...requestFor([a]).items,
          { id: '9001', lastModifiedMs: STORED },
        ],
      },
      [a],
      NOW,
    );
    assert.deepEqual(failureOf(missing), { kind: 'NotFound', ids: ['9003', '9001'] });
    // Rows that exist but were not requested do not count.
    assert.deepEqual(failureOf(planPick(caller(), requestFor([a]), [b], NOW)), {
      kind: 'NotFound',
      ids: ['5001'],
    });
  });

  it('rejects activities outside the home and foreign departments (rule 8, 403-179 OutsideDepartments)', () => {
    const home = activity({ id: '5001', departmentId: HOME_DEPT });
    const foreign = activity({ id: '5002', departmentId: FOREIGN_DEPT });
    assertPicked(pick([home, foreign]), ['5001', '5002']);

    const outside = activity({ id: '5003', departmentId: OUTSIDE_DEPT });
    assert.deepEqual(failureOf(pick([home, outside, foreign])), {
      kind: 'OutsideDepartments',
      ids: ['5003'],
    });
    // A foreign department counts only for a user who is a foreign user there.
    const noForeign = caller({ foreignDepartmentIds: new Set() });
    assert.deepEqual(failureOf(pick([home, foreign], { caller: noForeign })), {
      kind: 'OutsideDepartments',
      ids: ['5002'],
    });
    // Being a foreign user elsewhere does not open the home department of someone else.
    const elsewhere = caller({ homeDepartmentId: '888', foreignDepartmentIds: new Set([FOREIGN_DEPT]) });
    assert.deepEqual(failureOf(pick([home, foreign], { caller: elsewhere })), {
      kind: 'OutsideDepartments',
      ids: ['5001'],
    });
  });

  it('rejects draft responses (rule 9, 400-301 DraftResponse)', () => {
    assertPicked(pick([activity({ isDraftResponse: false })]), ['5001']);
    const draft = activity({ id: '5002', type: 'email', isDraftResponse: true });
    assert.deepEqual(failureOf(pick([activity(), draft])), { kind: 'DraftResponse', ids: ['5002'] });
  });

  it('rejects call_track, chat and web activities (rule 10, 400-302 TypeNotPickable)', () => {
    const pickable = ['email', 'social', 'task', 'complaint'].map((type, i) =>
      activity({ id: `510${i}`, type }),
    );
    assertPicked(pick(pickable), ['5100', '5101', '5102', '5103']);

    const notPickable = [
      activity({ id: '5203', type: 'web' }),
      activity({ id: '5201', type: 'task' }),
      activity({ id: '5202', type: 'call_track' }),
      activity({ id: '5200', type: 'chat' }),
    ];
    assert.deepEqual(failureOf(pick(notPickable)), {
      kind: 'TypeNotPickable',
      ids: ['5203', '5202', '5200'],
    });
  });

  it('rejects an activity already assigned to the caller (rule 11, 400-303 AlreadyAssignedToCaller)', () => {
    assertPicked(pick([assigned({ assignedUserId: PULLABLE_USER })]), ['5001']);
    const mine = assigned({ id: '5002', assignedUserId: CALLER_ID });
    assert.deepEqual(failureOf(pick([assigned(), mine])), { kind: 'AlreadyAssignedToCaller', ids: ['5002'] });
    // Only status `assigned` counts: a completed activity of the caller's breaks rule 12 instead.
    const completed = activity({
      id: '5003',
      status: 'completed',
      substatus: 'done',
      assignedUserId: CALLER_ID,
    });
    assert.deepEqual(failureOf(pick([completed])), { kind: 'StatusNotPickable', ids: ['5003'] });
  });

  it('rejects a status other than awaiting_assignment or assigned (rule 12, 400-304 StatusNotPickable)', () => {
    assertPicked(pick([activity({ id: '5001' }), assigned({ id: '5002' })]), ['5001', '5002']);
    const bad = [
      activity({ id: '5013', status: 'completed', substatus: 'done' }),
      activity({ id: '5010' }),
      activity({ id: '5012', status: 'in_workflow', substatus: null }),
      activity({ id: '5011', status: 'in_precompletion', substatus: null }),
    ];
    assert.deepEqual(failureOf(pick(bad)), { kind: 'StatusNotPickable', ids: ['5013', '5012', '5011'] });
  });

  it('rejects an activity whose type needs a license the user lacks (rule 13, 403-180 LicenseMissing)', () => {
    const withLicenses = (...licenses: string[]): Caller => caller({ licenses: new Set(licenses) });
    const email = activity({ id: '5001', type: 'email' });
    const social = activity({ id: '5002', type: 'social' });
    const task = activity({ id: '5003', type: 'task' });
    const generic = activity({ id: '5004', type: 'complaint' });

    // email/social: eGain Advisor Desktop or eGain MailPlus.
    for (const license of ['eGain Advisor Desktop', 'eGain MailPlus']) {
      assertPicked(pick([email, social], { caller: withLicenses(license) }), ['5001', '5002']);
    }
    for (const license of USER_LICENSES.filter(
      (l) => l !== 'eGain Advisor Desktop' && l !== 'eGain MailPlus',
    )) {
      assert.deepEqual(
        failureOf(pick([email, task, social], { caller: withLicenses(license) })),
        { kind: 'LicenseMissing', ids: ['5001', '5002'] },
        `${license} must not open email/social`,
      );
    }
    // task and user-defined types: any user license.
    for (const license of USER_LICENSES) {
      assertPicked(pick([task, generic], { caller: withLicenses(license) }), ['5003', '5004']);
    }
    // A user with only eGain Platform can pick a task but not an email.
    assertPicked(pick([task], { caller: withLicenses('eGain Platform') }), ['5003']);
    assert.deepEqual(failureOf(pick([email], { caller: withLicenses('eGain Platform') })), {
      kind: 'LicenseMissing',
      ids: ['5001'],
    });
    // No license at all (or only a name that is not a user license): nothing can be picked.
    for (const none of [withLicenses(), withLicenses('Not A License')]) {
      assert.deepEqual(failureOf(pick([generic, email, task, social], { caller: none })), {
        kind: 'LicenseMissing',
        ids: ['5004', '5001', '5003', '5002'],
      });
    }
  });

  it('rejects a queued activity without Pull activities on its queue (rule 14, 403-181 NoQueuePullPermission)', () => {
    assertPicked(pick([activity({ queueId: PULLABLE_QUEUE })]), ['5001']);
    const otherQueue = activity({ id: '5002', queueId: OTHER_QUEUE });
    const noQueue = activity({ id: '5003', queueId: null });
    assert.deepEqual(failureOf(pick([noQueue, activity(), otherQueue])), {
      kind: 'NoQueuePullPermission',
      ids: ['5003', '5002'],
    });
    // The queue of an assigned activity is irrelevant: rule 15 judges its assignee instead.
    assertPicked(pick([assigned({ id: '5004', queueId: OTHER_QUEUE })]), ['5004']);
  });

  it('rejects an assigned activity without Pull activities on its assignee (rule 15, 403-182 NoUserPullPermission)', () => {
    assertPicked(pick([assigned({ assignedUserId: PULLABLE_USER })]), ['5001']);
    const other = assigned({ id: '5002', assignedUserId: OTHER_USER });
    const nobody = assigned({ id: '5003', assignedUserId: null });
    assert.deepEqual(failureOf(pick([other, assigned(), nobody])), {
      kind: 'NoUserPullPermission',
      ids: ['5002', '5003'],
    });
    // Permission on the assignee is enough, whatever the queue.
    const c = caller({ pullableQueueIds: new Set(), pullableUserIds: new Set([OTHER_USER]) });
    assertPicked(pick([other], { caller: c }), ['5002']);
  });

  it('rejects an assigned activity locked by its assignee (rule 16, 403-177 LockedByAssignee)', () => {
    assertPicked(pick([assigned({ locked: false })]), ['5001']);
    const locked = [
      assigned({ id: '5003', locked: true }),
      assigned({ id: '5002' }),
      assigned({ id: '5001', locked: true }),
    ];
    assert.deepEqual(failureOf(pick(locked)), { kind: 'LockedByAssignee', ids: ['5003', '5001'] });
    // The lock is the assignee's hold: it only matters on an assigned activity.
    assertPicked(pick([activity({ id: '5004', locked: true })]), ['5004']);
  });

  it('rejects a pinned activity without unpin=yes (rule 17, 400-305 PinnedWithoutUnpin)', () => {
    const pinned = assigned({ id: '5002', pinned: true });
    const pinned2 = assigned({ id: '5001', pinned: true });
    const plain = assigned({ id: '5003' });
    assertPicked(pick([pinned, plain, pinned2], { unpin: true }), ['5002', '5003', '5001']);
    assert.deepEqual(failureOf(pick([pinned, plain, pinned2], { unpin: false })), {
      kind: 'PinnedWithoutUnpin',
      ids: ['5002', '5001'],
    });
    // Only assigned + pinned needs unpin=yes; unpinned activities pass without it.
    assertPicked(pick([plain, activity({ id: '5004', pinned: true })], { unpin: false }), ['5003', '5004']);
  });

  it('rejects unpinning without the Unpin action (rule 18, 403-178 ActionNotAllowed Unpin)', () => {
    const pickOnly = caller({ actions: new Set([ACTION_PICK]) });
    const pinnedA = assigned({ id: '5003', pinned: true });
    const plain = assigned({ id: '5001' });
    const queued = activity({ id: '5004' });
    const pinnedB = assigned({ id: '5002', pinned: true });
    const all = [pinnedA, plain, queued, pinnedB];
    // Passing: the Unpin action.
    assertPicked(pick(all, { unpin: true }), ['5003', '5001', '5004', '5002']);
    // Failing: the details list only the pinned ids, in request order.
    assert.deepEqual(failureOf(pick(all, { unpin: true, caller: pickOnly })), {
      kind: 'ActionNotAllowed',
      action: ACTION_UNPIN,
      ids: ['5003', '5002'],
    });
    // unpin=yes without any pinned activity needs no Unpin action.
    assertPicked(pick([plain, queued], { unpin: true, caller: pickOnly }), ['5001', '5004']);
    // A pinned flag on a queued activity is not an assignee's pin: no Unpin needed.
    assertPicked(pick([activity({ id: '5005', pinned: true })], { unpin: true, caller: pickOnly }), ['5005']);
    // Without unpin=yes rule 18 does not apply; rule 17 already refuses the pinned ones.
    assert.deepEqual(failureOf(pick(all, { unpin: false, caller: pickOnly })), {
      kind: 'PinnedWithoutUnpin',
      ids: ['5003', '5002'],
    });
  });

  it('rejects a lastModified that differs from the stored one by even 1 ms (rule 19, 409-100 StaleLastModified)', () => {
    const a = activity({ id: '5001', lastModifiedMs: STORED + 123 });
    const b = activity({ id: '5002', lastModifiedMs: STORED + 456 });
    const c = activity({ id: '5003', lastModifiedMs: STORED + 789 });
    assertPicked(pick([a, b, c], { clientMs: { '5001': STORED + 123 } }), ['5001', '5002', '5003']);
    assert.deepEqual(
      failureOf(pick([c, b, a], { clientMs: { '5003': STORED + 788, '5001': STORED + 124 } })),
      {
        kind: 'StaleLastModified',
        ids: ['5003', '5001'],
      },
    );
    // Whole seconds are not enough: the millisecond is compared.
    const d = activity({ id: '5004', lastModifiedMs: STORED + 1 });
    assert.deepEqual(failureOf(pick([d], { clientMs: { '5004': STORED } })), {
      kind: 'StaleLastModified',
      ids: ['5004'],
    });
  });

  describe('each rule names every offending id in request order', () => {
    for (const b of BREAKERS) {
      it(`rule ${b.rule} (${b.failure([]).kind}) lists all offenders among good activities`, () => {
        let s = emptyScenario();
        s = addGood(s, '7001');
        s = addBreaking(s, '9003', [b]);
        s = addGood(s, '7002');
        s = addBreaking(s, '9001', [b]);
        s = addBreaking(s, '9002', [b]);
        assert.deepEqual(failureOf(run(s)), b.failure(['9003', '9001', '9002']));
      });
    }
  });

  describe('rules are judged in the contract order', () => {
    for (const [earlier, later] of BREAKERS.slice(0, -1).map((b, i) => [b, BREAKERS[i + 1]] as const)) {
      if (earlier.unpin !== undefined && later.unpin !== undefined && earlier.unpin !== later.unpin) {
        it(`rule ${earlier.rule} and rule ${later.rule} cannot both apply: unpin decides which one is judged`, () => {
          const s = addBreaking(emptyScenario(), '9001', [earlier]);
          const t = addBreaking(emptyScenario(), '9001', [later]);
          assert.deepEqual(
            failureOf(run({ ...s, caller: { ...earlier.caller, ...later.caller } })),
            earlier.failure(['9001']),
          );
          assert.deepEqual(
            failureOf(run({ ...t, caller: { ...earlier.caller, ...later.caller } })),
            later.failure(['9001']),
          );
        });
        continue;
      }
      it(`rule ${earlier.rule} wins over rule ${later.rule} when activities break both`, () => {
        // Two activities, the one breaking the later rule first in the request.
        let s = emptyScenario();
        s = addBreaking(s, '9002', [later]);
        s = addBreaking(s, '9001', [earlier]);
        assert.deepEqual(failureOf(run(s)), earlier.failure(['9001']));
        // Each alone breaks its own rule (so the pair really breaks both).
        assert.deepEqual(
          failureOf(run({ ...addBreaking(emptyScenario(), '9002', [later]), caller: s.caller })),
          later.failure(['9002']),
        );
        // One activity breaking both rules, where one activity can.
        if (compatible(earlier, later)) {
          const one = addBreaking(emptyScenario(), '9003', [earlier, later]);
          assert.deepEqual(failureOf(run(one)), earlier.failure(['9003']));
        }
      });
    }

    // Stronger: breakers for rule N and every later rule in one request still yield rule N.
    for (const b of BREAKERS) {
      // Rules 17 and 18 need different unpin values: try both wherever the rule itself allows it.
      for (const unpin of [false, true].filter((u) => b.unpin === undefined || b.unpin === u)) {
        it(`rule ${b.rule} decides when every later rule is broken too (unpin=${unpin ? 'yes' : 'absent'})`, () => {
          const later = BREAKERS.filter(
            (x) => x.rule > b.rule && (x.unpin === undefined || x.unpin === unpin),
          );
          let s: Scenario = { ...emptyScenario(), unpin };
          for (const x of [...later].reverse()) s = addBreaking(s, String(9100 + x.rule), [x]);
          s = addBreaking(s, '9000', [b]);
          s = addGood(s, '7001');
          assert.deepEqual(failureOf(run(s)), b.failure(['9000']));
        });
      }
    }
  });

  describe('all or nothing', () => {
    it('refuses the whole pick when one activity among good ones breaks a rule', () => {
      const good = [
        activity({ id: '5001' }),
        assigned({ id: '5002' }),
        activity({ id: '5003', type: 'email' }),
      ];
      assertPicked(pick(good), ['5001', '5002', '5003']);
      const outcome = pick([...good, activity({ id: '5004', type: 'web' })]);
      assert.equal(outcome.ok, false);
      assert.equal('value' in outcome, false, 'a failure carries no plan');
      assert.deepEqual(failureOf(outcome), { kind: 'TypeNotPickable', ids: ['5004'] });
    });

    it('refuses the whole pick when only the last activity is stale', () => {
      const outcome = pick([activity({ id: '5001' }), activity({ id: '5002' })], {
        clientMs: { '5002': STORED - 1 },
      });
      assert.deepEqual(failureOf(outcome), { kind: 'StaleLastModified', ids: ['5002'] });
    });
  });

  describe('the plan', () => {
    it('assigns every activity to the caller, from its queue or from its assignee, in request order', () => {
      const queued = activity({ id: '5002', queueId: PULLABLE_QUEUE, lastModifiedMs: STORED - 5 });
      const held = assigned({
        id: '5001',
        assignedUserId: PULLABLE_USER,
        queueId: OTHER_QUEUE,
        lastModifiedMs: STORED - 7,
      });
      const pinned = assigned({ id: '5003', pinned: true, lastModifiedMs: STORED - 9 });
      const plan = planOf(pick([queued, held, pinned], { unpin: true }));
      assert.deepEqual(plan, {
        userId: CALLER_ID,
        changes: [
          {
            activityId: '5002',
            from: { kind: 'queue', id: PULLABLE_QUEUE },
            unpinned: false,
            previousLastModifiedMs: STORED - 5,
          },
          {
            activityId: '5001',
            from: { kind: 'user', id: PULLABLE_USER },
            unpinned: false,
            previousLastModifiedMs: STORED - 7,
          },
          {
            activityId: '5003',
            from: { kind: 'user', id: PULLABLE_USER },
            unpinned: true,
            previousLastModifiedMs: STORED - 9,
          },
        ],
        lastModifiedMs: NOW,
      });
    });

    it('marks unpinned only the pinned assigned activities', () => {
      const plan = planOf(
        pick(
          [
            assigned({ id: '5001', pinned: true }),
            assigned({ id: '5002', pinned: false }),
            activity({ id: '5003', pinned: true }),
            assigned({ id: '5004', pinned: true }),
          ],
          { unpin: true },
        ),
      );
      assert.deepEqual(
        plan.changes.map((c) => [c.activityId, c.unpinned]),
        [
          ['5001', true],
          ['5002', false],
          ['5003', false],
          ['5004', true],
        ],
      );
    });

    it('sets lastModified to now when the clock is ahead of every previous value', () => {
      const rows = [
        activity({ id: '5001', lastModifiedMs: NOW - 10 }),
        activity({ id: '5002', lastModifiedMs: NOW - 1 }),
      ];
      assert.equal(planOf(pick(rows, { nowMs: NOW })).lastModifiedMs, NOW);
    });

    it('keeps lastModified strictly later than every previous value when the clock is behind or equal', () => {
      const rows = [
        activity({ id: '5001', lastModifiedMs: NOW + 500 }),
        activity({ id: '5002', lastModifiedMs: NOW + 2_000 }), // the latest is in the middle
        activity({ id: '5003', lastModifiedMs: NOW - 3_000 }),
      ];
      const behind = planOf(pick(rows, { nowMs: NOW }));
      assert.equal(behind.lastModifiedMs, NOW + 2_001);
      for (const change of behind.changes) assert.ok(behind.lastModifiedMs > change.previousLastModifiedMs);

      const equal = planOf(pick([activity({ lastModifiedMs: NOW })], { nowMs: NOW }));
      assert.equal(equal.lastModifiedMs, NOW + 1);

      const oneAhead = planOf(pick([activity({ lastModifiedMs: NOW - 1 })], { nowMs: NOW }));
      assert.equal(oneAhead.lastModifiedMs, NOW);
    });
  });
});
