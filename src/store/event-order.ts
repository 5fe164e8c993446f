// The order in which an instance hands committed outbox events to its streams: strictly by id, with no
// id skipped while a transaction that may still commit it is running (PostgreSQL), so that a stream's
// `Last-Event-ID` is a complete cursor: every event at or below it was either sent or never committed.
//
// Why a plain "id > last id" cursor loses events on PostgreSQL: a bigserial id is taken at INSERT,
// not at commit. Transaction T1 takes id 10, T2 takes id 11 and commits first; a reader then sees 11,
// moves its cursor to 11, and never asks for 10 when T1 commits. Why the xmin horizon alone (as in
// outbox.ts: `tx < pg_snapshot_xmin(snapshot)`) is not a cursor either: T100 (xid 100) may take id 11
// after T101 took id 10; at xmin 101 the reader sees 11 (tx 100 < 101) but not 10 (tx 101 still
// running), and 10 is again below the cursor when T101 commits. Filtering by the horizon also makes
// every event wait for the oldest writing transaction of the whole cluster.
//
// What this does instead. Every read is ONE statement: the rows with id > `maxSeen`, the rows of the
// ids still pending, and that statement's snapshot S. An id below the highest id seen that S does
// not show is a *gap*: its inserting transaction T is still running, or it rolled back. appendEvents
// assigns the writer's xid before it takes an id (outbox.ts), and the higher id was taken (and
// committed) after this one, so T's xid was assigned before S was taken. S's own xmax does not bound
// it (PostgreSQL's xmax is the latest *completed* xid + 1: a transaction that started after it and
// still runs is at or above it), so the reader then takes an xid of its own, R (`bound`): xids are
// handed out in increasing order, so T's < R. Once a later snapshot has xmin > R, T has ended: if it
// committed, that same snapshot (the same statement) shows the row; if not, the id will never be
// used. Ids are released in order; a gap holds back the ids above it until it is filled or known
// empty. A rolled-back writer (rare: the events are added last, just before commit) costs the later
// events the time until every transaction that was running when the gap was seen has ended.
//
// SQLite has one writer at a time, which commits before the next one takes an id: there are no gaps,
// and a snapshot of (0, 0) with no pending ids makes this a plain cursor.

export interface Snapshot {
  /** The oldest transaction still running when the statement ran (PostgreSQL xid8). */
  readonly xmin: bigint;
}

export class EventOrder<Row extends { readonly id: number }> {
  /** Every id ≤ released was handed out, or is known never to commit. */
  private released: number;
  private maxSeen: number;
  /**
   * Missing ids between released and maxSeen, with the xid every transaction that may still commit
   * them is below (undefined until `bound` gives it).
   */
  private readonly gaps = new Map<number, bigint | undefined>();
  /** Rows seen but not yet released because a lower id is still pending. */
  private readonly held = new Map<number, Row>();

  constructor(start: number) {
    this.released = start;
    this.maxSeen = start;
  }

  /** The highest id released: the cursor a stream that starts now begins after. */
  get position(): number {
    return this.released;
  }

  /** The next read asks for ids above this … */
  get after(): number {
    return this.maxSeen;
  }

  /** … and for these, which a running transaction may still commit. */
  get pending(): number[] {
    return [...this.gaps.keys()];
  }

  /** Whether the next read may release more (a gap waits on transactions, not on a notification). */
  get waiting(): boolean {
    return this.gaps.size > 0;
  }

  /** Whether gaps were found that `bound` must be given an xid for. */
  get unbounded(): boolean {
    for (const bound of this.gaps.values()) if (bound === undefined) return true;
    return false;
  }

  /**
   * An xid assigned after the read that found the unbounded gaps (the reader's own): their writers'
   * xids are below it, so once a snapshot's xmin is above it they have all ended.
   */
  bound(xid: bigint): void {
    for (const [id, bound] of this.gaps) if (bound === undefined) this.gaps.set(id, xid + 1n);
  }

  /**
   * The rows of one read (ids > `after` and ids in `pending`, in any order) and that read's snapshot.
   * Returns the rows now released, in id order.
   */
  accept(rows: readonly Row[], snapshot: Snapshot): Row[] {
    const sorted = [...rows].sort((a, b) => a.id - b.id);
    const previousMax = this.maxSeen;
    for (const row of sorted) {
      if (row.id <= this.released || this.held.has(row.id)) continue;
      this.gaps.delete(row.id);
      this.held.set(row.id, row);
    }
    const newMax = sorted.length > 0 ? Math.max(previousMax, sorted[sorted.length - 1].id) : previousMax;
    for (let id = previousMax + 1; id < newMax; id++) {
      if (!this.held.has(id)) this.gaps.set(id, undefined);
    }
    this.maxSeen = newMax;
    // A gap whose possible writers have all ended by this snapshot, and still absent from it, was
    // never committed.
    for (const [id, bound] of this.gaps) {
      if (bound !== undefined && bound <= snapshot.xmin) this.gaps.delete(id);
    }
    const out: Row[] = [];
    while (this.released < this.maxSeen) {
      const next = this.released + 1;
      if (this.gaps.has(next)) break;
      const row = this.held.get(next);
      if (row) {
        this.held.delete(next);
        out.push(row);
      }
      this.released = next;
    }
    return out;
  }
}
