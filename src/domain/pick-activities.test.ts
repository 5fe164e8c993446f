// Domain units for the Pick activities use case, with an in-memory PickStore double.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Activity } from './activity.js';
import { ACTION_PICK, ACTION_UNPIN, SCOPE_READ, type Caller } from './caller.js';
import type { Outcome } from './failures.js';
import { pickActivities, type Clock, type PickStore } from './pick-activities.js';
import type { PickRequest } from './pick-request.js';
import type { PickPlan } from './pick-rules.js';
import { makeActivity, makeCaller } from './test-fixtures.js';

const STORED = Date.parse('2026-11-02T11:00:00.000Z');
const NOW = Date.parse('2026-11-02T12:00:00.000Z');

const activity = (overrides: Partial<Activity> = {}): Activity =>
  makeActivity({ lastModifiedMs: STORED, ...overrides });

const caller = (overrides: Partial<Caller> = {}): Caller =>
  makeCaller({
    foreignDepartmentIds: new Set(),
    actions: new Set([ACTION_PICK, ACTION_UNPIN]),
    pullableUserIds: new Set(['1001', '2002']),
    ...overrides,
  });

function request(ids: readonly string[], lastModifiedMs = STORED, unpin = false): PickRequest {
  return { unpin, items: ids.map((id) => ({ id, lastModifiedMs })) };
}

/**
 * An in-memory store: rows by id; `pickAtomically` hands the rows found (ascending id order) to
 * `decide` inside a pretend transaction and writes the plan only when it succeeds.
 */
class MemoryPickStore implements PickStore {
  readonly rows = new Map<string, Activity>();
  readonly calls: { ids: readonly string[]; found: readonly Activity[] }[] = [];
  inTransaction = false;

  constructor(rows: readonly Activity[]) {
    for (const row of rows) this.rows.set(row.id, row);
  }

  async pickAtomically(
    ids: readonly string[],
    decide: (found: readonly Activity[]) => Outcome<PickPlan>,
  ): Promise<Outcome<PickPlan>> {
    const found = [...new Set(ids)]
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))
      .flatMap((id) => {
        const row = this.rows.get(id);
        return row ? [row] : [];
      });
    this.calls.push({ ids: [...ids], found });
    this.inTransaction = true;
    try {
      const outcome = decide(found);
      if (outcome.ok) this.write(outcome.value);
      return outcome;
    } finally {
      this.inTransaction = false;
    }
  }

  private write(plan: PickPlan): void {
    for (const change of plan.changes) {
      const row = this.rows.get(change.activityId)!;
      this.rows.set(row.id, {
        ...row,
        status: 'assigned',
        substatus: 'new',
        assignedUserId: plan.userId,
        pinned: false,
        locked: false,
        lastModifiedMs: plan.lastModifiedMs,
      });
    }
  }
}

/** A clock that records whether it was read inside the store's transaction. */
class RecordingClock implements Clock {
  readonly reads: { inTransaction: boolean }[] = [];
  constructor(
    private readonly store: MemoryPickStore,
    private readonly now = NOW,
  ) {}
  nowMs(): number {
    this.reads.push({ inTransaction: this.store.inTransaction });
    return this.now;
  }
}

function setup(rows: readonly Activity[], now = NOW): { store: MemoryPickStore; clock: RecordingClock } {
  const store = new MemoryPickStore(rows);
  return { store, clock: new RecordingClock(store, now) };
}

describe('pick activities use case', () => {
  it('fails rule 5 (MissingScope) without touching the store or the clock', async () => {
    const deps = setup([activity()]);
    const outcome = await pickActivities(deps, caller({ scopes: new Set([SCOPE_READ]) }), request(['5001']));
    assert.deepEqual(outcome, { ok: false, failure: { kind: 'MissingScope' } });
    assert.equal(deps.store.calls.length, 0);
    assert.equal(deps.clock.reads.length, 0);
  });

  it('fails rule 6 (ActionNotAllowed Pick Activities) without touching the store or the clock', async () => {
    const deps = setup([activity()]);
    const outcome = await pickActivities(
      deps,
      caller({ actions: new Set([ACTION_UNPIN]) }),
      request(['5001']),
    );
    assert.deepEqual(outcome, {
      ok: false,
      failure: { kind: 'ActionNotAllowed', action: ACTION_PICK, ids: [] },
    });
    assert.equal(deps.store.calls.length, 0);
    assert.equal(deps.clock.reads.length, 0);
  });

  it('asks the store for the requested ids and decides on the rows it hands back', async () => {
    const rows = [activity({ id: '5003' }), activity({ id: '5001' }), activity({ id: '20' })];
    const deps = setup(rows);
    const outcome = await pickActivities(deps, caller(), request(['5003', '20', '5001']));
    assert.equal(deps.store.calls.length, 1);
    assert.deepEqual(deps.store.calls[0].ids, ['5003', '20', '5001']);
    assert.deepEqual(
      deps.store.calls[0].found.map((a) => a.id),
      ['20', '5001', '5003'],
    );
    assert.equal(outcome.ok, true);
    if (!outcome.ok) return;
    assert.deepEqual(
      outcome.value.changes.map((c) => c.activityId),
      ['5003', '20', '5001'],
    );
    assert.equal(outcome.value.userId, '1001');
  });

  it('reads the clock inside the transaction, once, and uses it for lastModified', async () => {
    const deps = setup([activity()]);
    const outcome = await pickActivities(deps, caller(), request(['5001']));
    assert.deepEqual(deps.clock.reads, [{ inTransaction: true }]);
    assert.equal(outcome.ok && outcome.value.lastModifiedMs, NOW);
    assert.equal(deps.store.rows.get('5001')!.lastModifiedMs, NOW);
    assert.equal(deps.store.rows.get('5001')!.assignedUserId, '1001');
  });

  it('reports the rules 7–19 failure of the rows found and writes nothing', async () => {
    const deps = setup([activity({ id: '5001' }), activity({ id: '5002', type: 'chat' })]);
    const before = new Map(deps.store.rows);
    const missing = await pickActivities(deps, caller(), request(['5009', '5001', '5008']));
    assert.deepEqual(missing, { ok: false, failure: { kind: 'NotFound', ids: ['5009', '5008'] } });
    const chat = await pickActivities(deps, caller(), request(['5001', '5002']));
    assert.deepEqual(chat, { ok: false, failure: { kind: 'TypeNotPickable', ids: ['5002'] } });
    assert.deepEqual(deps.store.rows, before);
  });

  it('judges the rows as the store holds them now: a second pick with the old lastModified is stale', async () => {
    const deps = setup([activity({ id: '5001' })]);
    const first = await pickActivities(deps, caller(), request(['5001']));
    assert.equal(first.ok, true);
    // Another agent who may pull from the first one's activities, with the lastModified read before.
    const other = caller({ userId: '2002', pullableUserIds: new Set(['1001']) });
    const second = await pickActivities(deps, other, request(['5001']));
    assert.deepEqual(second, { ok: false, failure: { kind: 'StaleLastModified', ids: ['5001'] } });
    // The first agent repeating the pick breaks rule 11 on the new state.
    const again = await pickActivities(deps, caller(), request(['5001'], NOW));
    assert.deepEqual(again, { ok: false, failure: { kind: 'AlreadyAssignedToCaller', ids: ['5001'] } });
  });

  it('keeps lastModified strictly later than the stored value when the clock is behind', async () => {
    const deps = setup([activity({ id: '5001', lastModifiedMs: NOW + 5_000 })], NOW);
    const outcome = await pickActivities(deps, caller(), request(['5001'], NOW + 5_000));
    assert.equal(outcome.ok && outcome.value.lastModifiedMs, NOW + 5_001);
  });
});
