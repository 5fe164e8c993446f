// The engine itself: existence first, rules in order, the first failure decides, every offending id
// named in the client's order; and the operations share rule objects rather than copies of them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMPLETE } from '../operations/complete.js';
import { PICK } from '../operations/pick.js';
import { TRANSFER_TO_DEPARTMENT } from '../operations/transfer-to-department.js';
import { TRANSFER_TO_QUEUE } from '../operations/transfer-to-queue.js';
import { TRANSFER_TO_USER } from '../operations/transfer-to-user.js';
import { makeActivity } from '../test-fixtures.js';
import { decide, onlyWhere, perActivity, wholeRequest, type Operation, type Rule } from './engine.js';

const rows = ['3', '1', '2'].map((id) => makeActivity({ id, subject: `s${id}` }));
const items = (ids: string[]) => ids.map((id) => ({ id, lastModifiedMs: 0 }));

const breaksOdd = perActivity<unknown>('odd ids', 'DraftResponse', (a) => Number(a.id) % 2 === 1);
const breaksAll = perActivity<unknown>('all', 'TypeNotPickable', () => true);

function operation(rules: Rule<unknown>[]): Operation<unknown, string[]> {
  return {
    name: 'test',
    rules: rules.map((rule, i) => [String(i + 1), rule] as const),
    effect: (subjects) => subjects.map((s) => s.activity.id),
  };
}

describe('rule engine', () => {
  it('every missing id is named first, in the order sent, before any rule runs', () => {
    const outcome = decide(operation([breaksAll]), items(['9', '1', '8']), rows, {}, 0);
    assert.deepEqual(outcome, { ok: false, failure: { kind: 'NotFound', ids: ['9', '8'] } });
  });

  it('the first failing rule decides and names every offender in the order sent', () => {
    const outcome = decide(operation([breaksOdd, breaksAll]), items(['2', '3', '1']), rows, {}, 0);
    assert.deepEqual(outcome, { ok: false, failure: { kind: 'DraftResponse', ids: ['3', '1'] } });
  });

  it('the effect is planned only when no rule fails, over the activities in the order sent', () => {
    assert.deepEqual(decide(operation([]), items(['2', '3']), rows, {}, 0), { ok: true, value: ['2', '3'] });
  });

  it('onlyWhere judges the rule on the selected activities only', () => {
    const onlyEven = onlyWhere<unknown>((a) => Number(a.id) % 2 === 0, breaksOdd);
    assert.equal(onlyEven.judge([{ activity: rows[0], clientLastModifiedMs: 0 }], {}), undefined);
  });

  it('a whole-request rule fails once, whatever the activities', () => {
    const rule = wholeRequest<{ ok: boolean }>('ctx', (c) => (c.ok ? undefined : { kind: 'MissingScope' }));
    assert.deepEqual(rule.judge([], { ok: false }), { kind: 'MissingScope' });
    assert.equal(rule.judge([], { ok: true }), undefined);
  });
});

describe('one engine, not copies: the operations share the same rule objects', () => {
  const ruleAt = (op: Operation<never, unknown>, number: string): Rule<never> => {
    const step = op.rules.find(([n]) => n === number);
    assert.ok(step, `${op.name} has rule ${number}`);
    return step[1];
  };
  const ops = {
    pick: PICK as Operation<never, unknown>,
    user: TRANSFER_TO_USER as Operation<never, unknown>,
    queue: TRANSFER_TO_QUEUE as Operation<never, unknown>,
    department: TRANSFER_TO_DEPARTMENT as Operation<never, unknown>,
    complete: COMPLETE as Operation<never, unknown>,
  };
  const same: [string, [keyof typeof ops, string][]][] = [
    [
      'department scope',
      [
        ['pick', '8'],
        ['user', 'T1'],
        ['queue', 'T1'],
        ['department', 'T1'],
        ['complete', 'C1'],
      ],
    ],
    [
      'draft response',
      [
        ['pick', '9'],
        ['user', 'T2'],
        ['queue', 'T2'],
        ['department', 'T2'],
        ['complete', 'C4'],
      ],
    ],
    [
      'status',
      [
        ['pick', '12'],
        ['user', 'T5'],
        ['queue', 'T5'],
        ['department', 'T5'],
      ],
    ],
    [
      'pin',
      [
        ['pick', '17'],
        ['user', 'T11 unpin=yes'],
        ['queue', 'T11 unpin=yes'],
        ['department', 'T11 unpin=yes'],
      ],
    ],
    [
      'Unpin action',
      [
        ['pick', '18'],
        ['user', 'T11 Unpin'],
        ['queue', 'T11 Unpin'],
        ['department', 'T11 Unpin'],
      ],
    ],
    [
      'staleness',
      [
        ['pick', '19'],
        ['user', 'T12'],
        ['queue', 'T12'],
        ['department', 'T12'],
        ['complete', 'C6'],
      ],
    ],
    [
      'mode',
      [
        ['user', 'T4'],
        ['queue', 'T4'],
        ['department', 'T4'],
      ],
    ],
  ];
  for (const [what, places] of same) {
    it(what, () => {
      const [first, ...rest] = places.map(([op, n]) => ruleAt(ops[op], n));
      for (const rule of rest) assert.equal(rule, first);
    });
  }

  it('T9–T10 are pick rules 13–16 restricted to activities the caller does not hold', () => {
    const pick = [13, 14, 15, 16].map((n) => ruleAt(ops.pick, String(n)).label);
    const transfer = ['T9 licence', 'T9 pull queue', 'T9 pull assignee', 'T10'].map(
      (n) => ruleAt(ops.queue, n).label,
    );
    assert.deepEqual(transfer, pick);
  });
});
