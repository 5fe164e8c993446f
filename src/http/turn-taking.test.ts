import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createTurnTaking } from './turn-taking.js';

/** Resolves in the check phase of the next event-loop iteration. */
const nextIteration = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The event loop's busy time, moved by the test: each iteration "costs" what the test says. */
function manualBusyClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Takes `count` turns now; returns the admission order as it grows. */
function takeMany(turns: ReturnType<typeof createTurnTaking>, count: number): number[] {
  const order: number[] = [];
  for (let i = 1; i <= count; i++) void turns.take().then(() => order.push(i));
  return order;
}

/** A full garbage collection, so that a WeakRef shows what is still held. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
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
    const clock = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: clock.now });
    const order = takeMany(turns, 6);
    assert.equal(turns.waiting, 6);
    await nextIteration();
    assert.deepEqual(order, [1, 2, 3, 4]);
    assert.equal(turns.waiting, 2);
    clock.advance(10); // the batch cost the target: it stays 4
    await nextIteration();
    assert.deepEqual(order, [1, 2, 3, 4, 5, 6]);
    assert.equal(turns.waiting, 0);
  });

  it('shrinks the batch when iterations run long, at most halving per turn, never below 1', async () => {
    const clock = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: clock.now });
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

  it('grows the batch when iterations are short, at most doubling per turn, up to 256', async () => {
    const clock = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: clock.now });
    const order = takeMany(turns, 2000);
    await nextIteration();
    assert.equal(order.length, 4);
    clock.advance(1); // a tenth of the target
    await nextIteration();
    assert.equal(order.length, 4 + 8);
    const sizes: number[] = [];
    for (let turn = 0; turn < 7; turn++) {
      const before = order.length;
      clock.advance(0.01);
      await nextIteration();
      sizes.push(order.length - before);
    }
    assert.deepEqual(sizes, [16, 32, 64, 128, 256, 256, 256]);
  });

  it('keeps its batch size over an idle spell, and does not grow from a batch the queue could not fill', async () => {
    const clock = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: clock.now });
    takeMany(turns, 5);
    await nextIteration(); // 4 admitted
    clock.advance(1); // cheap: the batch grows to 8 and admits the 5th
    await nextIteration();
    assert.equal(turns.waiting, 0);
    // Idle: the loop is not busy, so the busy clock does not move. One request, then many.
    takeMany(turns, 1);
    await nextIteration();
    const order = takeMany(turns, 40);
    await nextIteration();
    assert.equal(order.length, 8, 'a batch of 1 out of 8 cost nothing, but says nothing of 16');
  });

  it('measures every turn, also when each one empties the queue', async () => {
    // Cheap requests grew the batch to 64; now each of 50 connections sends a dear one, every turn
    // admits all that wait, and a turn lasts 250 ms: the batch must come down all the same.
    const clock = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: clock.now });
    takeMany(turns, 4 + 8 + 16 + 32 + 64);
    for (let turn = 0; turn < 5; turn++) {
      await nextIteration();
      clock.advance(0.01);
    }
    assert.equal(turns.waiting, 0);
    const admittedPerTurn: number[] = [];
    for (let turn = 0; turn < 4; turn++) {
      const order = takeMany(turns, 50);
      await nextIteration();
      admittedPerTurn.push(order.length);
      clock.advance(250);
      while (turns.waiting > 0) {
        await nextIteration();
        clock.advance(250);
      }
    }
    // Round 1 found a full batch of 64 behind it and grew to 128; from round 2 on each 250 ms turn
    // halves it (128 → 64 → 32, 16, 8 within round 3 → 4).
    assert.deepEqual(admittedPerTurn, [50, 50, 32, 4]);
  });

  it('lets go of admitted requests while others still wait', async () => {
    const clock = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: clock.now });
    const early = Array.from({ length: 20 }, () => new WeakRef(turns.take()));
    // Steady load: 5 more each turn, 4 admitted each turn — the queue never empties.
    for (let turn = 0; turn < 8; turn++) {
      takeMany(turns, 5);
      await nextIteration();
      clock.advance(10);
    }
    assert.ok(turns.waiting > 0);
    collectGarbage();
    assert.equal(early.filter((ref) => ref.deref() !== undefined).length, 0);
  });

  it('refuses a target that is not positive', () => {
    assert.throws(() => createTurnTaking(0), RangeError);
    assert.throws(() => createTurnTaking(Number.NaN), RangeError);
    assert.throws(() => createTurnTaking(10, { maxWaiting: -1 }), RangeError);
  });

  it('refuses a request at once when maxWaiting already wait, and takes one again once they are in', async () => {
    const clock = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: clock.now, maxWaiting: 3 });
    const outcomes = Array.from({ length: 5 }, () => turns.take());
    assert.equal(turns.waiting, 3);
    assert.deepEqual(await Promise.all(outcomes), [
      'admitted',
      'admitted',
      'admitted',
      'queue full',
      'queue full',
    ]);
    assert.equal(await turns.take(), 'admitted');
  });

  it('refuses, when its turn comes, a request that waited longer than maxWaitMs, without spending the batch on it', async () => {
    const busy = manualBusyClock();
    const wall = manualBusyClock();
    const turns = createTurnTaking(10, { busyMs: busy.now, nowMs: wall.now, maxWaitMs: 100 });
    const old = Array.from({ length: 6 }, () => turns.take());
    await nextIteration(); // the first batch of 4 admitted; 2 wait on
    busy.advance(10);
    wall.advance(101);
    const fresh = Array.from({ length: 4 }, () => turns.take());
    await nextIteration();
    assert.deepEqual(await Promise.all(old), [
      'admitted',
      'admitted',
      'admitted',
      'admitted',
      'waited too long',
      'waited too long',
    ]);
    assert.deepEqual(await Promise.all(fresh), ['admitted', 'admitted', 'admitted', 'admitted']);
  });

  it('bounds nothing by default', async () => {
    const turns = createTurnTaking(10, { busyMs: manualBusyClock().now });
    const outcomes = await Promise.all(Array.from({ length: 5000 }, () => turns.take()));
    assert.ok(outcomes.every((o) => o === 'admitted'));
  });
});
