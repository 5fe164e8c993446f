// The Transfer and Complete use cases with in-memory store doubles: what is judged before the store
// is asked, existence before the target, the target's 404, client applications.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from './activity.js';
import { ACTION_COMPLETE, ACTION_PICK, SCOPE_MANAGE, SCOPE_READ, type ClientApplication } from './caller.js';
import { completeActivities, type CompleteResult, type CompleteStore } from './complete-activities.js';
import type { Outcome } from './failures.js';
import type { CompletePlan } from './operations/complete.js';
import type { TransferPlan } from './operations/transfer.js';
import type { TransferTarget } from './rules/transfer-target.js';
import { makeActivity, makeCaller, STORED_MS } from './test-fixtures.js';
import {
  planTransfer,
  transferActivities,
  type TargetRef,
  type TransferRequest,
  type TransferStore,
} from './transfer-activities.js';

const clock = { nowMs: () => STORED_MS + 1000 };
const QUEUE_12: TransferTarget = { kind: 'queue', id: '12', departmentId: '999', callerMayTransfer: true };

class MemoryTransferStore implements TransferStore {
  calls = 0;
  constructor(
    private readonly rows: readonly Activity[],
    private readonly targets: readonly TransferTarget[],
  ) {}
  transferAtomically(
    target: TargetRef,
    ids: readonly string[],
    decide: (target: TransferTarget | undefined, found: readonly Activity[]) => Outcome<TransferPlan>,
  ): Promise<Outcome<TransferPlan>> {
    this.calls += 1;
    const stored = this.targets.find((t) => t.id === target.id && t.kind === target.kind);
    return Promise.resolve(
      decide(
        stored,
        this.rows.filter((row) => ids.includes(row.id)),
      ),
    );
  }
}

const request = (ids: string[]): TransferRequest => ({
  items: ids.map((id) => ({ id, lastModifiedMs: STORED_MS })),
  unpin: false,
  reassign: true,
});
const email = (id: string, overrides: Partial<Activity> = {}) =>
  makeActivity({ id, mode: 'inbound', ...overrides });
const client = (scopes: string[]): ClientApplication => ({ clientId: 'crm', scopes: new Set(scopes) });

describe('transfer use case', () => {
  it('403-197 without the manage scope, for users and client applications, before the store is asked', async () => {
    const store = new MemoryTransferStore([email('6001')], [QUEUE_12]);
    const deps = { store, clock };
    const user = makeCaller({ scopes: new Set([SCOPE_READ]) });
    for (const caller of [user, client([SCOPE_READ])]) {
      const outcome = await transferActivities(deps, caller, request(['6001']), { kind: 'queue', id: '12' });
      assert.deepEqual(outcome, { ok: false, failure: { kind: 'MissingScope' } });
    }
    assert.equal(store.calls, 0);
  });

  it('400-194 for missing activities comes before 404-100 for an unknown target', async () => {
    const deps = { store: new MemoryTransferStore([email('6001')], [QUEUE_12]), clock };
    const caller = makeCaller();
    const unknown = { kind: 'queue', id: '99' } as const;
    assert.deepEqual(await transferActivities(deps, caller, request(['6001', '6009']), unknown), {
      ok: false,
      failure: { kind: 'NotFound', ids: ['6009'] },
    });
    assert.deepEqual(await transferActivities(deps, caller, request(['6001']), unknown), {
      ok: false,
      failure: { kind: 'UnknownInPath', ids: ['99'] },
    });
  });

  it('a target of another kind with the same id is unknown (a queue 12 is no user 12)', async () => {
    const deps = { store: new MemoryTransferStore([email('6001')], [QUEUE_12]), clock };
    const outcome = await transferActivities(deps, makeCaller(), request(['6001']), {
      kind: 'user',
      id: '12',
    });
    assert.deepEqual(outcome, { ok: false, failure: { kind: 'UnknownInPath', ids: ['12'] } });
  });

  it('planTransfer refuses facts of another kind than the path names, should a store hand them over', () => {
    const outcome = planTransfer(
      makeCaller(),
      request(['6001']),
      { kind: 'user', id: '12' },
      QUEUE_12,
      [email('6001')],
      0,
    );
    assert.deepEqual(outcome, { ok: false, failure: { kind: 'UnknownInPath', ids: ['12'] } });
  });

  it('a client application with the manage scope transfers without department, actions or permissions', async () => {
    const outside = email('6001', { departmentId: '777', queueId: '11' });
    const target: TransferTarget = { ...QUEUE_12, departmentId: '777', callerMayTransfer: false };
    const deps = { store: new MemoryTransferStore([outside], [target]), clock };
    const outcome = await transferActivities(deps, client([SCOPE_MANAGE]), request(['6001']), {
      kind: 'queue',
      id: '12',
    });
    assert.equal(outcome.ok, true);
    if (outcome.ok) assert.equal(outcome.value.reassign, true);
    // The same request from a user without those rights stops at T1.
    const user = makeCaller({ actions: new Set([ACTION_PICK]) });
    const refused = await transferActivities(deps, user, request(['6001']), { kind: 'queue', id: '12' });
    assert.deepEqual(refused, { ok: false, failure: { kind: 'OutsideDepartments', ids: ['6001'] } });
  });
});

class MemoryCompleteStore implements CompleteStore {
  calls = 0;
  constructor(private readonly rows: readonly Activity[]) {}
  completeAtomically(
    ids: readonly string[],
    decide: (found: readonly Activity[]) => Outcome<CompletePlan>,
  ): Promise<Outcome<CompleteResult>> {
    this.calls += 1;
    const outcome = decide(this.rows.filter((row) => ids.includes(row.id)));
    return Promise.resolve(
      outcome.ok
        ? { ok: true, value: { plan: outcome.value, closedCaseIds: new Set(outcome.value.casesToSettle) } }
        : outcome,
    );
  }
}

describe('complete use case', () => {
  const held = email('6001', { status: 'assigned', assignedUserId: '1001', caseId: '8001' });

  it('rules 5–6 before the store is asked: the scope, then the Complete action', async () => {
    const store = new MemoryCompleteStore([held]);
    const items = [{ id: '6001', lastModifiedMs: STORED_MS }];
    const noScope = makeCaller({ scopes: new Set([SCOPE_READ]), actions: new Set([ACTION_COMPLETE]) });
    assert.deepEqual(await completeActivities({ store, clock }, noScope, { items }), {
      ok: false,
      failure: { kind: 'MissingScope' },
    });
    const noAction = makeCaller({ actions: new Set([ACTION_PICK]) });
    assert.deepEqual(await completeActivities({ store, clock }, noAction, { items }), {
      ok: false,
      failure: { kind: 'ActionNotAllowed', action: ACTION_COMPLETE, ids: [] },
    });
    assert.equal(store.calls, 0);
  });

  it('completes the caller’s activity and hands the store its case to settle', async () => {
    const store = new MemoryCompleteStore([held]);
    const caller = makeCaller({ actions: new Set([ACTION_COMPLETE]) });
    const outcome = await completeActivities({ store, clock }, caller, {
      items: [{ id: '6001', lastModifiedMs: STORED_MS }],
    });
    assert.equal(outcome.ok, true);
    if (outcome.ok) assert.deepEqual(outcome.value.plan.casesToSettle, ['8001']);
  });
});
