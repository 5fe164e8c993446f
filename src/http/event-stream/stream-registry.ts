// The streams this instance holds, bounded per user and in total: each holds a socket, a heartbeat
// timer and a share of every event read, so an unbounded number would be an easy way to exhaust it.
import type { StreamConnection } from './stream-connection.js';

export type Admission = 'admitted' | 'user-limit' | 'total-limit';

export class StreamRegistry {
  private readonly streams = new Set<StreamConnection>();
  private readonly perUser = new Map<string, number>();
  private reserved = 0;

  constructor(
    private readonly maxPerUser: number,
    private readonly maxTotal: number,
  ) {}

  get size(): number {
    return this.reserved;
  }

  /** Reserves a place for the user's new stream; `release` gives it back. */
  admit(userId: string): Admission {
    if (this.reserved >= this.maxTotal) return 'total-limit';
    const held = this.perUser.get(userId) ?? 0;
    if (held >= this.maxPerUser) return 'user-limit';
    this.perUser.set(userId, held + 1);
    this.reserved++;
    return 'admitted';
  }

  add(stream: StreamConnection): void {
    this.streams.add(stream);
  }

  release(userId: string, stream?: StreamConnection): void {
    if (stream) this.streams.delete(stream);
    const held = (this.perUser.get(userId) ?? 1) - 1;
    if (held <= 0) this.perUser.delete(userId);
    else this.perUser.set(userId, held);
    this.reserved--;
  }

  /** Graceful shutdown: every stream ends (its client reconnects to another instance). */
  endAll(): void {
    for (const stream of [...this.streams]) stream.end();
  }
}
