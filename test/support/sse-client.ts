// A Server-Sent Events client for the stream suites: real HTTP, the WHATWG parsing rules for the
// fields the service sends (id, event, data, comments), and ways to wait for what arrives.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
  /** When it was parsed (performance.now()), for latency figures. */
  readonly receivedAt: number;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  retry: number | undefined;
  /** The last id received (what a browser would send as Last-Event-ID). */
  lastEventId: string | undefined;
  readonly ended: Promise<void>;
  isEnded = false;
  private buffer = '';
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly outgoing: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.take(chunk));
    this.ended = new Promise((resolve) => {
      const done = () => {
        this.isEnded = true;
        resolve();
        this.notify();
      };
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
  }

  /** Opens a stream; resolves with the client on 200, rejects with the status and body otherwise. */
  static open(
    baseUrl: string,
    token: string,
    options: { lastEventId?: string; headers?: Record<string, string> } = {},
  ): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'text/event-stream',
        ...options.headers,
      };
      if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
      const outgoing = httpRequest(new URL('/core/casemgr/v3/events', baseUrl), { headers }, (response) => {
        if (response.statusCode !== 200) {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (c: string) => (body += c));
          response.on('end', () =>
            reject(
              Object.assign(new Error(`status ${response.statusCode}: ${body}`), {
                status: response.statusCode,
                body,
              }),
            ),
          );
          return;
        }
        resolve(new SseClient(outgoing, response));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  /** Waits until `predicate` holds over the events received (or the stream ended), at most `timeoutMs`. */
  async until(predicate: (events: readonly SseEvent[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.isEnded)
        throw new Error(`stream ended; received ${JSON.stringify(this.events.map((e) => e.id))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received ${JSON.stringify(this.events.map((e) => e.id))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The ids of the outbox events received (reset, end and other control events left out). */
  eventIds(): number[] {
    return this.events.filter((e) => e.id !== undefined && e.event !== 'reset').map((e) => Number(e.id));
  }

  close(): void {
    this.outgoing.destroy();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n\r\n|\n\n|\r\r/.exec(this.buffer);
      if (!match) break;
      const block = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.parseBlock(block);
    }
    this.notify();
  }

  private parseBlock(block: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith(':')) {
        this.comments++;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry') this.retry = Number(value);
    }
    if (id !== undefined) this.lastEventId = id;
    if (data.length === 0) return;
    this.events.push({ id, event, data: data.join('\n'), receivedAt: performance.now() });
  }
}
