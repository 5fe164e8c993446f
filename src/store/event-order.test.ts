// The release order of outbox ids (event-order.ts): in id order, none skipped while a transaction
// that may commit it runs, none held for ever by an id that will never commit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventOrder, type Snapshot } from './event-order.js';

const rows = (...ids: number[]) => ids.map((id) => ({ id }));
const ids = (released: readonly { id: number }[]) => released.map((r) => r.id);
const snap = (xmin: number): Snapshot => ({ xmin: BigInt(xmin) });

describe('EventOrder', () => {
  it('releases ids that commit in order at once', () => {
    const order = new EventOrder(10);
    assert.deepEqual(ids(order.accept(rows(11, 12), snap(50))), [11, 12]);
    assert.equal(order.position, 12);
    assert.equal(order.after, 12);
    assert.equal(order.waiting, false);
    assert.equal(order.unbounded, false);
  });

  it('holds an id back while a lower one may still commit, then releases both in order', () => {
    const order = new EventOrder(10);
    // 12 committed; 11 was taken by a transaction still running.
    assert.deepEqual(ids(order.accept(rows(12), snap(40))), []);
    assert.deepEqual(order.pending, [11]);
    assert.equal(order.unbounded, true);
    order.bound(60n);
    assert.equal(order.position, 10);
    // The next read asks for 11 again, and above 12.
    assert.deepEqual(ids(order.accept(rows(11, 13), snap(45))), [11, 12, 13]);
    assert.equal(order.waiting, false);
  });

  it('an id whose writer rolled back is given up once every xid below the bound has ended', () => {
    const order = new EventOrder(10);
    assert.deepEqual(ids(order.accept(rows(12), snap(40))), []);
    order.bound(60n);
    // Xid 60 (or an older one) still runs: 11 may still come.
    assert.deepEqual(ids(order.accept(rows(), snap(60))), []);
    assert.deepEqual(order.pending, [11]);
    // Everything up to 60 has ended and 11 is still absent from this very snapshot: never committed.
    assert.deepEqual(ids(order.accept(rows(), snap(61))), [12]);
    assert.equal(order.waiting, false);
  });

  it('a gap is never given up before its bound is known', () => {
    const order = new EventOrder(10);
    order.accept(rows(12), snap(40));
    assert.deepEqual(ids(order.accept(rows(), snap(1_000_000))), []);
    assert.deepEqual(order.pending, [11]);
  });

  it("the snapshot's xmax is no bound: a writer that started after the last completed xid", () => {
    // PostgreSQL's xmax is the latest completed xid + 1: writer 105 still runs when a snapshot says
    // xmin = xmax = 105. A gap judged against that xmax would be given up while 105 may commit it.
    const order = new EventOrder(10);
    order.accept(rows(12), snap(105));
    order.bound(106n); // the reader's own xid, after 105
    assert.deepEqual(ids(order.accept(rows(), snap(105))), []);
    assert.deepEqual(ids(order.accept(rows(11), snap(107))), [11, 12]);
  });

  it('a late commit found in the same read that ends the wait is released, not given up', () => {
    const order = new EventOrder(10);
    order.accept(rows(12), snap(40));
    order.bound(50n);
    assert.deepEqual(ids(order.accept(rows(11), snap(60))), [11, 12]);
  });

  it('the case an xmin horizon with an id cursor loses: an older transaction takes the higher id', () => {
    // T100 (xid 100) takes id 11 after T101 (xid 101) took id 10; T100 commits first. A reader of
    // "tx < xmin" at xmin 101 sees 11 and would move past 10 for ever.
    const order = new EventOrder(9);
    assert.deepEqual(ids(order.accept(rows(11), snap(101))), []);
    order.bound(102n);
    assert.deepEqual(ids(order.accept(rows(10), snap(103))), [10, 11]);
  });

  it('never releases an id twice, even when a read returns it again', () => {
    const order = new EventOrder(0);
    assert.deepEqual(ids(order.accept(rows(1, 2), snap(5))), [1, 2]);
    assert.deepEqual(ids(order.accept(rows(2, 3), snap(5))), [3]);
  });
});
