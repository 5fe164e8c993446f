// One measured run, whoever drove it (autocannon against HTTP, or the direct database loop): exact
// latency percentiles from every sample (autocannon's own histogram rounds to whole milliseconds, too
// coarse for sub-millisecond ceilings), outcome counts, and throughput over the measured window.

export interface RunStats {
  /** Completed operations (HTTP responses or database units of work) in the window. */
  readonly completed: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** By HTTP status ("204", "409", …) or ceiling outcome ("ok", "stale", …). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Connection errors and timeouts (HTTP) or thrown errors (database). */
  readonly errors: number;
  /** Set when the run stopped because its work list ran out before the time was up. */
  readonly exhausted: boolean;
}

export class Recorder {
  private latencies = new Float64Array(1 << 16);
  private count = 0;
  private readonly outcomes: Record<string, number> = {};
  private first = Number.NaN;
  private last = Number.NaN;
  errors = 0;
  exhausted = false;

  /** Marks the start of the window (otherwise the first recorded completion minus its latency). */
  start(at: number = performance.now()): void {
    this.first = at;
  }

  record(outcome: string, latencyMs: number, at: number = performance.now()): void {
    if (this.count === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.count++] = latencyMs;
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    if (Number.isNaN(this.first)) this.first = at - latencyMs;
    this.last = at;
  }

  /** Counts an outcome without a latency sample (e.g. the reads of a read-then-pick cycle). */
  tally(outcome: string): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }

  finish(): RunStats {
    const sorted = this.latencies.slice(0, this.count).sort();
    const at = (q: number) =>
      this.count === 0 ? 0 : sorted[Math.min(this.count - 1, Math.floor(q * this.count))];
    const seconds = this.count === 0 ? 0 : Math.max(1e-9, (this.last - this.first) / 1000);
    return {
      completed: this.count,
      seconds,
      perSecond: this.count === 0 ? 0 : this.count / seconds,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: this.count === 0 ? 0 : sorted[this.count - 1],
      outcomes: { ...this.outcomes },
      errors: this.errors,
      exhausted: this.exhausted,
    };
  }
}

/** Outcome count by key, or 0. */
export function outcome(stats: RunStats, key: string): number {
  return stats.outcomes[key] ?? 0;
}

/** The rate of two costs paid one after the other by the same process: 1 / (1/a + 1/b). */
export function inSeries(a: number, b: number): number {
  return a > 0 && b > 0 ? 1 / (1 / a + 1 / b) : 0;
}
