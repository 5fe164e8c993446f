// Transfer to a user, a queue and a department (T1–T12): each rule alone, the order between them,
// what a client application skips, and the plan the store writes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from '../activity.js';
import { ACTION_PICK, ACTION_UNPIN, type Caller } from '../caller.js';
import type { Outcome, RuleFailure } from '../failures.js';
import { decide, ruleOrder, type Operation } from '../rules/engine.js';
import type { DepartmentTarget, QueueTarget, TransferTarget, UserTarget } from '../rules/transfer-target.js';
import { makeActivity, makeCaller, STORED_MS } from '../test-fixtures.js';
import type { TransferContext, TransferPlan } from './transfer.js';
import { TRANSFER_TO_DEPARTMENT } from './transfer-to-department.js';
import { TRANSFER_TO_QUEUE } from './transfer-to-queue.js';
import { TRANSFER_TO_USER } from './transfer-to-user.js';

const NOW = STORED_MS + 3_600_000;
const CALLER = '1001';
const COLLEAGUE = '2002'; // the caller may pull from them

/** An inbound email waiting in queue 10 of the caller's home department 999. */
const email = (id: string, overrides: Partial<Activity> = {}): Activity =>
  makeActivity({ id, type: 'email', subtype: 'general', mode: 'inbound', ...overrides });
const heldBy = (userId: string, overrides: Partial<Activity> = {}): Partial<Activity> => ({
  status: 'assigned',
  substatus: 'new',
  assignedUserId: userId,
  ...overrides,
});

const caller = (overrides: Partial<Caller> = {}): Caller =>
  makeCaller({
    userId: CALLER,
    actions: new Set([ACTION_PICK, ACTION_UNPIN]),
    pullableUserIds: new Set([COLLEAGUE]),
    ...overrides,
  });

const TO_USER: UserTarget = {
  kind: 'user',
  id: '3003',
  homeDepartmentId: '999',
  foreignDepartmentIds: new Set(),
  licenses: new Set(['eGain MailPlus']),
  callerMayTransfer: true,
};
const TO_QUEUE: QueueTarget = { kind: 'queue', id: '12', departmentId: '999', callerMayTransfer: true };
const TO_DEPARTMENT: DepartmentTarget = {
  kind: 'department',
  id: '1000',
  sharedWithDepartmentIds: new Set(['999']),
  transferQueueId: '20',
};

interface Try<T extends TransferTarget> {
  readonly rows: readonly Activity[];
  readonly caller?: Caller | null;
  readonly target?: Partial<T>;
  readonly unpin?: boolean;
  readonly clientMs?: Readonly<Record<string, number>>;
}

function run<T extends TransferTarget>(
  operation: Operation<TransferContext<T>, TransferPlan>,
  base: T,
  attempt: Try<T>,
): Outcome<TransferPlan> {
  const items = attempt.rows.map((a) => ({
    id: a.id,
    lastModifiedMs: attempt.clientMs?.[a.id] ?? a.lastModifiedMs,
  }));
  const context: TransferContext<T> = {
    caller: attempt.caller === undefined ? caller() : attempt.caller,
    target: { ...base, ...attempt.target },
    unpin: attempt.unpin ?? false,
    reassign: false,
  };
  return decide(operation, items, attempt.rows, context, NOW);
}

const failureOf = (outcome: Outcome<unknown>): RuleFailure => {
  if (outcome.ok) assert.fail('expected a rule failure, got a plan');
  return outcome.failure;
};
const planOf = (outcome: Outcome<TransferPlan>): TransferPlan => {
  if (!outcome.ok) assert.fail(`expected a plan, got ${JSON.stringify(outcome.failure)}`);
  return outcome.value;
};

/** One way to break one rule: the breaking activity (id 6001), and what else the attempt needs. */
interface Breaker<T extends TransferTarget> {
  readonly rule: string;
  readonly row: Partial<Activity>;
  readonly attempt?: Omit<Try<T>, 'rows'>;
  /** The attempt (caller or target) makes every activity break the rule, not only the breaker. */
  readonly all?: boolean;
  readonly expect: (ids: string[]) => RuleFailure;
}

/** Breakers for T1–T5 and T9–T12, the same for the three targets (T4 and T3 need target-specific types). */
const COMMON: readonly Breaker<TransferTarget>[] = [
  { rule: 'T1', row: { departmentId: '777' }, expect: (ids) => ({ kind: 'OutsideDepartments', ids }) },
  { rule: 'T2', row: { isDraftResponse: true }, expect: (ids) => ({ kind: 'DraftResponse', ids }) },
  { rule: 'T3', row: { type: 'chat', mode: null }, expect: (ids) => ({ kind: 'TypeNotPickable', ids }) },
  {
    rule: 'T4',
    row: { mode: 'outbound', subtype: 'general' },
    expect: (ids) => ({ kind: 'ModeNotTransferable', ids }),
  },
  {
    rule: 'T5',
    row: { status: 'in_workflow', substatus: null },
    expect: (ids) => ({ kind: 'StatusNotPickable', ids }),
  },
  {
    rule: 'T9 Pick Activities',
    row: {},
    all: true,
    attempt: { caller: caller({ actions: new Set([ACTION_UNPIN]) }) },
    expect: (ids) => ({ kind: 'ActionNotAllowed', action: ACTION_PICK, ids }),
  },
  {
    rule: 'T9 licence',
    row: {},
    all: true,
    attempt: { caller: caller({ licenses: new Set(['eGain Platform']) }) },
    expect: (ids) => ({ kind: 'LicenseMissing', ids }),
  },
  {
    rule: 'T9 pull queue',
    row: { queueId: '11' },
    expect: (ids) => ({ kind: 'NoQueuePullPermission', ids }),
  },
  { rule: 'T9 pull assignee', row: heldBy('2003'), expect: (ids) => ({ kind: 'NoUserPullPermission', ids }) },
  {
    rule: 'T10',
    row: heldBy(COLLEAGUE, { locked: true }),
    expect: (ids) => ({ kind: 'LockedByAssignee', ids }),
  },
  {
    rule: 'T11 unpin=yes',
    row: heldBy(COLLEAGUE, { pinned: true }),
    expect: (ids) => ({ kind: 'PinnedWithoutUnpin', ids }),
  },
  {
    rule: 'T11 Unpin',
    row: heldBy(COLLEAGUE, { pinned: true }),
    attempt: { unpin: true, caller: caller({ actions: new Set([ACTION_PICK]) }) },
    expect: (ids) => ({ kind: 'ActionNotAllowed', action: ACTION_UNPIN, ids }),
  },
  {
    rule: 'T12',
    row: {},
    attempt: { clientMs: { '6001': STORED_MS - 1 } },
    expect: (ids) => ({ kind: 'StaleLastModified', ids }),
  },
];

const USER_BREAKERS: readonly Breaker<UserTarget>[] = [
  {
    rule: 'T6 not the target',
    row: heldBy('3003'),
    attempt: { caller: caller({ pullableUserIds: new Set(['3003']) }) },
    expect: (ids) => ({ kind: 'AlreadyAssignedToTarget', ids }),
  },
  {
    rule: 'T6 target departments',
    row: { departmentId: '1000' },
    expect: (ids) => ({ kind: 'OutsideTargetUserDepartments', ids }),
  },
  {
    rule: 'T7',
    row: {},
    attempt: { target: { callerMayTransfer: false } },
    expect: () => ({ kind: 'NoTransferPermission', target: { kind: 'user', id: '3003' } }),
  },
  {
    rule: 'T8',
    row: {},
    all: true,
    attempt: { target: { licenses: new Set(['eGain Platform']) } },
    expect: (ids) => ({ kind: 'TargetLicenseMissing', ids }),
  },
];

const QUEUE_BREAKERS: readonly Breaker<QueueTarget>[] = [
  {
    rule: 'T6 queue department',
    row: { departmentId: '1000' },
    expect: (ids) => ({ kind: 'OutsideQueueDepartment', ids }),
  },
  {
    rule: 'T6 not in the queue',
    row: { queueId: '12' },
    expect: (ids) => ({ kind: 'AlreadyInTargetQueue', ids }),
  },
  {
    rule: 'T7',
    row: {},
    attempt: { target: { callerMayTransfer: false } },
    expect: () => ({ kind: 'NoTransferPermission', target: { kind: 'queue', id: '12' } }),
  },
];

const DEPARTMENT_BREAKERS: readonly Breaker<DepartmentTarget>[] = [
  {
    rule: 'T6 not in it',
    row: {},
    all: true,
    attempt: { target: { id: '999', sharedWithDepartmentIds: new Set(['999']) } },
    expect: (ids) => ({ kind: 'AlreadyInTargetDepartment', ids }),
  },
  {
    rule: 'T6 shared',
    row: {},
    all: true,
    attempt: { target: { sharedWithDepartmentIds: new Set() } },
    expect: (ids) => ({ kind: 'DepartmentsNotShared', ids }),
  },
  {
    rule: 'T6 transfer queue',
    row: {},
    all: true,
    attempt: { target: { transferQueueId: null } },
    expect: (ids) => ({ kind: 'NoTransferQueue', ids }),
  },
];

function suite<T extends TransferTarget>(
  operation: Operation<TransferContext<T>, TransferPlan>,
  base: T,
  own: readonly Breaker<T>[],
  order: readonly string[],
) {
  const rank = (b: Breaker<T>) => order.indexOf(b.rule);
  const breakers = [...(COMMON as readonly Breaker<T>[]), ...own]
    .filter((b) => rank(b) >= 0)
    .sort((a, b) => rank(a) - rank(b));
  describe(operation.name, () => {
    it('judges its rules in the contract order', () => {
      assert.deepEqual(ruleOrder(operation as Operation<never, unknown>), ['7', ...order]);
    });

    it('transfers activities that break no rule', () => {
      const plan = planOf(run(operation, base, { rows: [email('6001'), email('6002', heldBy(COLLEAGUE))] }));
      assert.deepEqual(
        plan.changes.map((c) => c.activityId),
        ['6001', '6002'],
      );
    });

    it('400-194 names every missing id, in the order sent, before any other rule', () => {
      const items = [
        { id: '6009', lastModifiedMs: 0 },
        { id: '6001', lastModifiedMs: STORED_MS },
        { id: '6008', lastModifiedMs: 0 },
      ];
      const context = { caller: caller(), target: base, unpin: false, reassign: false };
      assert.deepEqual(
        failureOf(decide(operation, items, [email('6001', { departmentId: '777' })], context, NOW)),
        {
          kind: 'NotFound',
          ids: ['6009', '6008'],
        },
      );
    });

    for (const breaker of breakers) {
      if (breaker.rule === 'T3' && base.kind === 'department') continue; // its own case below
      it(`${breaker.rule} fails naming the breaking activity only`, () => {
        const rows = [email('6003'), email('6001', breaker.row), email('6002')];
        // The clean neighbours must not break the rule under the same attempt: only the breaker is named.
        const attempt: Try<T> = { ...breaker.attempt, rows };
        const failure = failureOf(run(operation, base, attempt));
        assert.deepEqual(failure, breaker.expect(breaker.all ? ['6003', '6001', '6002'] : ['6001']));
      });
    }

    it('the first failing rule decides, whatever the order of the activities', () => {
      for (let i = 0; i < breakers.length; i++) {
        for (let j = i + 1; j < breakers.length; j++) {
          const [early, late] = [breakers[i], breakers[j]];
          if (Object.keys(early.row).length === 0 || Object.keys(late.row).length === 0) continue;
          if (early.attempt || late.attempt) continue;
          const rows = [email('6002', late.row), email('6001', early.row)];
          assert.deepEqual(
            failureOf(run(operation, base, { rows })),
            early.expect(['6001']),
            `${early.rule} before ${late.rule}`,
          );
        }
      }
    });

    it("T9 and T10 spare the caller's own activities: no Pick action, licence or pull needed, own lock ignored", () => {
      const own = email('6001', heldBy(CALLER, { locked: true }));
      const bare = caller({
        actions: new Set(),
        licenses: new Set(),
        pullableQueueIds: new Set(),
        pullableUserIds: new Set(),
      });
      assert.equal(run(operation, base, { rows: [own], caller: bare }).ok, true);
    });

    it('a client application skips department, permission and licence rules, not the lock', () => {
      const rows = [email('6001', { departmentId: '999', queueId: '11' }), email('6002', heldBy('2003'))];
      assert.equal(
        run(operation, base, {
          rows,
          caller: null,
          target: { callerMayTransfer: false } as unknown as Partial<T>,
        }).ok,
        true,
      );
      const locked = [email('6001', heldBy('2003', { locked: true }))];
      assert.deepEqual(failureOf(run(operation, base, { rows: locked, caller: null })), {
        kind: 'LockedByAssignee',
        ids: ['6001'],
      });
    });

    it('lastModified moves past now and every previous value; pin is reported as removed', () => {
      const later = NOW + 5;
      const plan = planOf(
        run(operation, base, {
          rows: [
            email('6001', { lastModifiedMs: later }),
            email('6002', heldBy(COLLEAGUE, { pinned: true })),
          ],
          unpin: true,
        }),
      );
      assert.equal(plan.lastModifiedMs, later + 1);
      assert.deepEqual(
        plan.changes.map((c) => [c.activityId, c.from, c.unpinned, c.previousLastModifiedMs]),
        [
          ['6001', { kind: 'queue', id: '10' }, false, later],
          ['6002', { kind: 'user', id: COLLEAGUE }, true, STORED_MS],
        ],
      );
      assert.deepEqual(plan.draftsFollow, ['6001', '6002']);
    });
  });
}

const T9_TO_T12 = [
  'T9 Pick Activities',
  'T9 licence',
  'T9 pull queue',
  'T9 pull assignee',
  'T10',
  'T11 unpin=yes',
  'T11 Unpin',
  'T12',
];
suite(TRANSFER_TO_USER, TO_USER, USER_BREAKERS, [
  'T1',
  'T2',
  'T3',
  'T4',
  'T5',
  'T6 not the target',
  'T6 target departments',
  'T7',
  'T8',
  ...T9_TO_T12,
]);
suite(TRANSFER_TO_QUEUE, TO_QUEUE, QUEUE_BREAKERS, [
  'T1',
  'T2',
  'T3',
  'T4',
  'T5',
  'T6 queue department',
  'T6 not in the queue',
  'T7',
  ...T9_TO_T12,
]);
suite(TRANSFER_TO_DEPARTMENT, TO_DEPARTMENT, DEPARTMENT_BREAKERS, [
  'T1',
  'T2',
  'T3',
  'T4',
  'T5',
  'T6 not in it',
  'T6 shared',
  'T6 transfer queue',
  ...T9_TO_T12,
]);

describe('transfer rules that differ by target', () => {
  it('T3: social goes to a user or a queue, never to a department; chat, web and call_track go nowhere', () => {
    const social = email('6001', { type: 'social', subtype: 'twitter' });
    assert.equal(run(TRANSFER_TO_USER, TO_USER, { rows: [social] }).ok, true);
    assert.equal(run(TRANSFER_TO_QUEUE, TO_QUEUE, { rows: [social] }).ok, true);
    assert.deepEqual(failureOf(run(TRANSFER_TO_DEPARTMENT, TO_DEPARTMENT, { rows: [social] })), {
      kind: 'TypeNotPickable',
      ids: ['6001'],
    });
    for (const type of ['chat', 'web', 'call_track']) {
      const row = email('6001', { type, mode: null });
      assert.deepEqual(
        failureOf(run(TRANSFER_TO_DEPARTMENT, TO_DEPARTMENT, { rows: [row] })).kind,
        'TypeNotPickable',
      );
    }
    const task = email('6001', { type: 'task', mode: null });
    const generic = email('6002', { type: 'Warranty claim', mode: null });
    const caller = makeCaller({ licenses: new Set(['eGain Platform']) });
    assert.equal(run(TRANSFER_TO_DEPARTMENT, TO_DEPARTMENT, { rows: [task, generic], caller }).ok, true);
  });

  it('T4: a composed email moves; an outbound reply or an email without direction does not; tasks have none', () => {
    const composed = email('6001', { mode: 'outbound', subtype: 'compose' });
    const noMode = email('6002', { mode: null });
    const task = email('6003', { type: 'task', mode: null });
    assert.deepEqual(failureOf(run(TRANSFER_TO_QUEUE, TO_QUEUE, { rows: [composed, noMode, task] })), {
      kind: 'ModeNotTransferable',
      ids: ['6002'],
    });
  });

  it('T6 to a queue: an assigned activity whose queue is the target may still go back to it', () => {
    const row = email('6001', heldBy(COLLEAGUE, { queueId: '12' }));
    assert.equal(run(TRANSFER_TO_QUEUE, TO_QUEUE, { rows: [row] }).ok, true);
  });

  it('T6 to a user: a foreign department of the target counts', () => {
    const row = email('6001', { departmentId: '1000' });
    const target = { foreignDepartmentIds: new Set(['1000']) };
    assert.equal(run(TRANSFER_TO_USER, TO_USER, { rows: [row], target }).ok, true);
  });

  it('T8: a task needs any user licence of the target, an email a mail licence', () => {
    const task = email('6001', { type: 'task', mode: null });
    const target = { licenses: new Set(['eGain Platform']) };
    assert.equal(run(TRANSFER_TO_USER, TO_USER, { rows: [task], target }).ok, true);
  });
});

describe('transfer effects', () => {
  it('to a user: assigned:new to the target, queue and department kept', () => {
    assert.deepEqual(planOf(run(TRANSFER_TO_USER, TO_USER, { rows: [email('6001')] })).write, {
      status: 'assigned',
      substatus: 'new',
      assignedUserId: '3003',
    });
  });

  it('to a queue: awaiting_assignment:ready_for_assignment in that queue, no assignee', () => {
    const plan = planOf(run(TRANSFER_TO_QUEUE, TO_QUEUE, { rows: [email('6001', heldBy(COLLEAGUE))] }));
    assert.deepEqual(plan.write, {
      status: 'awaiting_assignment',
      substatus: 'ready_for_assignment',
      assignedUserId: null,
      queueId: '12',
    });
    assert.deepEqual(plan.target, { kind: 'queue', id: '12' });
  });

  it('to a department: waits in its transfer queue, the old department kept as lastDepartment', () => {
    const plan = planOf(run(TRANSFER_TO_DEPARTMENT, TO_DEPARTMENT, { rows: [email('6001')] }));
    assert.deepEqual(plan.write, {
      status: 'awaiting_assignment',
      substatus: 'ready_for_assignment',
      assignedUserId: null,
      queueId: '20',
      departmentId: '1000',
    });
  });

  it('only emails take draft responses along', () => {
    const plan = planOf(
      run(TRANSFER_TO_QUEUE, TO_QUEUE, {
        rows: [email('6001', { type: 'task', mode: null }), email('6002')],
      }),
    );
    assert.deepEqual(plan.draftsFollow, ['6002']);
  });
});
