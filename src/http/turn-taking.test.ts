import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTurnTaking } from './turn-taking.js';

/** Resolves in the check phase of the next event-loop iteration. */
const nextIteration = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('turn taking', () => {
  it('admits an idle request in the same iteration', async () => {
    const turns = createTurnTaking(4);
    let admitted = false;
    void turns.take().then(() => (admitted = true));
    await nextIteration();
    assert.equal(admitted, true);
    assert.equal(turns.waiting, 0);
  });

  it('admits at most perTurn requests per iteration, in the order they asked', async () => {
    const turns = createTurnTaking(2);
    const order: number[] = [];
    for (let i = 1; i <= 5; i++) void turns.take().then(() => order.push(i));
    assert.equal(turns.waiting, 5);
    await nextIteration();
    assert.deepEqual(order, [1, 2]);
    assert.equal(turns.waiting, 3);
    await nextIteration();
    assert.deepEqual(order, [1, 2, 3, 4]);
    await nextIteration();
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
    assert.equal(turns.waiting, 0);
  });

  it('keeps admitting requests that ask while others wait', async () => {
    const turns = createTurnTaking(1);
    const order: string[] = [];
    void turns.take().then(() => order.push('a'));
    void turns.take().then(() => {
      order.push('b');
      void turns.take().then(() => order.push('d'));
    });
    void turns.take().then(() => order.push('c'));
    for (let i = 0; i < 4; i++) await nextIteration();
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
  });

  it('refuses a turn size that is not a positive integer', () => {
    assert.throws(() => createTurnTaking(0), RangeError);
    assert.throws(() => createTurnTaking(1.5), RangeError);
  });
});
