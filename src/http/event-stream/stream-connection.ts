// One client's event stream: what concerns its caller, in id order, never an id twice, and never
// more than a bounded amount of unsent bytes. A client that does not read is dropped (its socket
// destroyed) when that bound is crossed: it reconnects with Last-Event-ID and the replay gives it
// what it missed, instead of the instance holding its backlog in memory.
import type { ServerResponse } from 'node:http';
import type { HubSubscriber } from '../../events/event-hub.js';
import { concerns, type Audience, type StoredEvent } from '../../store/event-feed.js';
import { frameOf, framesOf, HEARTBEAT_FRAME } from './sse-frame.js';

export type StreamEnd = 'client-closed' | 'slow-consumer' | 'shutdown';

export interface StreamConnectionOptions {
  /** Bytes written but not yet taken by the socket. */
  readonly bufferBytes: number;
  readonly heartbeatMs: number;
  readonly onSent: (count: number) => void;
  readonly onEnd: (reason: StreamEnd) => void;
}

export class StreamConnection implements HubSubscriber {
  /** The last id sent (or the position the stream started after): nothing at or below it is sent. */
  private cursor: number;
  private replaying = true;
  private ended = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    readonly audience: Audience,
    cursor: number,
    private readonly options: StreamConnectionOptions,
  ) {
    this.cursor = cursor;
    this.heartbeat = setInterval(() => this.write(HEARTBEAT_FRAME), options.heartbeatMs);
    this.heartbeat.unref();
    response.on('close', () => this.finish('client-closed'));
  }

  get open(): boolean {
    return !this.ended;
  }

  get lastEventId(): number {
    return this.cursor;
  }

  /** Where the stream starts: after the client's Last-Event-ID, or after the hub's position. */
  restartAt(cursor: number): void {
    this.cursor = cursor;
  }

  /**
   * From the hub, synchronously. Ignored while the replay runs: the replay reads every event up to
   * the hub's position before the stream goes live (`live`), these included.
   */
  offer(events: readonly StoredEvent[]): void {
    if (this.replaying || this.ended) return;
    if (this.backlogged()) return this.drop();
    // One write per batch, not per event (a system call each), and of bytes shared by the streams
    // that send the same events, not a string each stream encodes again.
    const selected = events.filter((event) => event.id > this.cursor && concerns(this.audience, event));
    if (selected.length === 0) return;
    this.cursor = selected[selected.length - 1].id;
    this.response.write(framesOf(events, selected));
    this.options.onSent(selected.length);
  }

  /**
   * One page of the replay (already filtered by the audience). The replay waits for the socket rather
   * than dropping the client: it reads from the database at the client's pace.
   */
  async replayed(events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      if (this.ended) return;
      if (event.id <= this.cursor) continue;
      this.cursor = event.id;
      this.options.onSent(1);
      if (!this.response.write(frameOf(event))) await this.drained();
    }
  }

  /**
   * The replay has reached the hub's position (checked in the same turn as this call): from now on
   * the hub's events are sent as they come.
   */
  goLive(): void {
    this.replaying = false;
  }

  /** Writes a frame of its own (the opening `retry:`, a reset, a heartbeat). */
  write(frame: string): void {
    if (this.ended) return;
    if (this.backlogged()) return this.drop();
    this.response.write(frame);
  }

  /**
   * Judged before a batch is written, not after: one read's batch (at most 1,000 events) may exceed
   * the bound on its own, and a client that reads must get the chance to take it. So a stream holds
   * at most the bound plus one batch, and the client that has not taken the backlog by the next batch
   * or heartbeat is dropped.
   */
  private backlogged(): boolean {
    return this.response.writableLength > this.options.bufferBytes;
  }

  /** Ends the stream cleanly (shutdown): the client sees the end and reconnects elsewhere. */
  end(): void {
    if (this.ended) return;
    this.response.end();
    this.finish('shutdown');
  }

  private drop(): void {
    if (this.ended) return;
    this.finish('slow-consumer');
    this.response.destroy();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
  }

  private finish(reason: StreamEnd): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heartbeat);
    this.options.onEnd(reason);
  }
}
