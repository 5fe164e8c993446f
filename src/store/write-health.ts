// Whether the database takes writes. A full disk, a read-only file or a standby after a failover still
// answers the readiness probe's `select 1`, yet every pick fails: readiness must say so, or the load
// balancer keeps sending picks to an instance that can only refuse them.

/** How long after a failed write the instance reports not ready, unless a write succeeds first. */
export const WRITE_FAULT_WINDOW_MS = 15_000;

export class WriteHealth {
  private failedAtMs: number | undefined;

  constructor(
    private readonly nowMs: () => number = Date.now,
    private readonly windowMs: number = WRITE_FAULT_WINDOW_MS,
  ) {}

  /** A write failed because the database cannot take writes now (see isUnavailable). */
  failed(): void {
    this.failedAtMs = this.nowMs();
  }

  succeeded(): void {
    this.failedAtMs = undefined;
  }

  /**
   * False for a while after a failed write. The window ends by itself because an instance out of
   * rotation gets no picks that could succeed: after it, readiness lets traffic test the database
   * again (and turns false again at the next failure).
   */
  get writable(): boolean {
    return this.failedAtMs === undefined || this.nowMs() - this.failedAtMs >= this.windowMs;
  }
}
