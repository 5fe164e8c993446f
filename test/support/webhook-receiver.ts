// A real webhook receiver for the delivery suites: a node:http server on loopback that records every
// request it gets (verifying its Standard Webhooks signature with the library's own Webhook.verify)
// and answers as the test's script says: a status (with headers), a slow answer, or a closed socket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Arrival {
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly activityId: string | undefined;
  /** The message's payload as sent (eGain's event payload). */
  readonly payload: unknown;
  readonly notificationId: string;
  readonly payloadVersion: string;
  readonly path: string;
  readonly verified: boolean;
  /** 1 for the first request with this webhook-id, 2 for the next… */
  readonly attempt: number;
  /** The index of this request among all the receiver got. */
  readonly index: number;
  readonly atMs: number;
}

export type Answer =
  | { readonly status: number; readonly headers?: Record<string, string> }
  | { readonly destroy: true }
  | { readonly delayMs: number; readonly status: number };

export type Script = (arrival: Arrival) => Answer;

export const ACCEPT: Script = () => ({ status: 204 });

export class WebhookReceiver {
  readonly arrivals: Arrival[] = [];
  /** When each answer was sent, by arrival index (429 tests compare the next arrival with it). */
  readonly answeredAtMs = new Map<number, number>();
  private readonly attempts = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  secret = '';
  script: Script = ACCEPT;

  /** Listens on `port` (0: any free port). */
  async start(port = 0): Promise<number> {
    const server = createServer((request, response) => this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Arrivals the receiver answered with a 2xx, in the order they came. */
  accepted(): Arrival[] {
    return this.arrivals.filter((a) => this.acceptedIndexes.has(a.index));
  }

  private readonly acceptedIndexes = new Set<number>();

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      let verified = true;
      try {
        new Webhook(this.secret).verify(body, headers);
      } catch {
        verified = false;
      }
      const envelope = JSON.parse(body) as {
        metadata: { notificationId: string; payloadVersion: string };
        messages: { id: string; type: string; payload: { activity?: { id?: string } } }[];
      };
      const webhookId = headers['webhook-id'] ?? '';
      const attempt = (this.attempts.get(webhookId) ?? 0) + 1;
      this.attempts.set(webhookId, attempt);
      const message = envelope.messages[0];
      const arrival: Arrival = {
        webhookId,
        eventId: message.id,
        eventType: message.type,
        activityId: message.payload.activity?.id,
        payload: message.payload,
        notificationId: envelope.metadata.notificationId,
        payloadVersion: envelope.metadata.payloadVersion,
        path: request.url ?? '',
        verified,
        attempt,
        index: this.arrivals.length,
        atMs: Date.now(),
      };
      this.arrivals.push(arrival);
      const answer = this.script(arrival);
      if ('destroy' in answer) {
        request.socket.destroy();
        return;
      }
      const send = () => {
        if (answer.status >= 200 && answer.status < 300) this.acceptedIndexes.add(arrival.index);
        this.answeredAtMs.set(arrival.index, Date.now());
        response.writeHead(answer.status, 'headers' in answer ? answer.headers : {});
        response.end();
      };
      if ('delayMs' in answer) setTimeout(send, answer.delayMs);
      else send();
    });
  }
}

/** Polls until `done()` holds; the test's own timeout bounds the wait (no clock in the assertions). */
export async function waitFor(done: () => boolean | Promise<boolean>, pollMs = 20): Promise<void> {
  while (!(await done())) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
