import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTurnTaking } from './turn-taking.js';

/** Resolves in the check phase of the next event-loop iteration. */
const nextIteration = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock the test moves: each iteration "lasts" what the test says. */
function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Takes `count` turns now; returns the admission order as it grows. */
function takeMany(turns: ReturnType<typeof createTurnTaking>, count: number): number[] {
  const order: number[] = [];
  for (let i = 1; i <= count; i++) void turns.take().then(() => order.push(i));
  return order;
}

describe('turn taking', () => {
  it('admits an idle request in the same iteration', async () => {
    const turns = createTurnTaking(10);
    let admitted = false;
    void turns.take().then(() => (admitted = true));
    await nextIteration();
    assert.equal(admitted, true);
    assert.equal(turns.waiting, 0);
  });

  it('admits a first batch of 4, in the order asked, and the rest in later iterations', async () => {
    const clock = manualClock();
    const turns = createTurnTaking(10, clock.now);
    const order = takeMany(turns, 6);
    assert.equal(turns.waiting, 6);
    await nextIteration();
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.equal(turns.waiting, 2);
    clock.advance(10); // the iteration lasted the target: the batch stays 4
    await nextIteration();
    assert.deepEqual(order, [1, 2, 3, 4, 5, 6]);
    assert.equal(turns.waiting, 0);
  });

  it('shrinks the batch when iterations run long, at most halving per turn, never below 1', async () => {
    const clock = manualClock();
    const turns = createTurnTaking(10, clock.now);
    const order = takeMany(turns, 10);
    await nextIteration();
    assert.equal(order.length, 4);
    clock.advance(80); // 8× the target
    await nextIteration();
    assert.equal(order.length, 4 + 2);
    clock.advance(80);
    await nextIteration();
    assert.equal(order.length, 6 + 1);
    clock.advance(80);
    await nextIteration();
    assert.equal(order.length, 7 + 1);
  });

  it('grows the batch when iterations are short, at most doubling per turn', async () => {
    const clock = manualClock();
    const turns = createTurnTaking(10, clock.now);
    const order = takeMany(turns, 40);
    await nextIteration();
    assert.equal(order.length, 4);
    clock.advance(1); // a tenth of the target
    await nextIteration();
    assert.equal(order.length, 4 + 8);
    clock.advance(5); // half the target: double again
    await nextIteration();
    assert.equal(order.length, 12 + 16);
    assert.deepEqual(
      order,
      Array.from({ length: 28 }, (_, i) => i + 1),
    );
  });

  it('keeps its batch size over an idle spell, which is not measured as a long iteration', async () => {
    const clock = manualClock();
    const turns = createTurnTaking(10, clock.now);
    takeMany(turns, 5);
    await nextIteration(); // 4 admitted
    clock.advance(1); // a short iteration: the batch grows to 8 and admits the 5th
    await nextIteration();
    assert.equal(turns.waiting, 0);
    clock.advance(60_000); // idle: not an iteration to measure
    const order = takeMany(turns, 10);
    await nextIteration();
    assert.equal(order.length, 8);
  });

  it('refuses a target that is not positive', () => {
    assert.throws(() => createTurnTaking(0), RangeError);
    assert.throws(() => createTurnTaking(Number.NaN), RangeError);
  });
});
