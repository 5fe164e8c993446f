// One receiver process of bench/stream-fanout.ts: opens its share of the event streams and, per
// delivery, keeps only the event's id and when it arrived. Its own process, so that its CPU is
// measured apart from the writer's and the service's, and the receivers can use both cores.
//
// Per delivery the work is kept minimal: the socket's bytes are searched for `id:` lines
// (sse-id-reader.ts, native Buffer.indexOf) and the digits are read as bytes — no UTF-8 decoding,
// no JSON.parse. Latencies are computed only at the end,
// from the commit times the main process sends, looked up by event id.
import { request } from 'node:http';
import { monotonicMs } from './process-clock.js';
import { readIds, type LineCursor } from './sse-id-reader.js';

export interface ReceiverJob {
  readonly baseUrl: string;
  readonly token: string;
  readonly clients: number;
}

/** From the main process: every committed event's id and when its commit resolved (monotonicMs). */
export interface ReportRequest {
  readonly commitEndById: Map<number, number>;
}

export type ReceiverMessage =
  | { readonly kind: 'open'; readonly streams: number; readonly refusals: number }
  | { readonly kind: 'failed'; readonly error: string }
  | {
      readonly kind: 'report';
      /** Receipt minus the commit's end, per delivery of a known event. */
      readonly latencies: Float64Array;
      /** Known events each stream received. */
      readonly received: Uint32Array;
      /** Deliveries of ids the writer did not write (none expected). */
      readonly unknown: number;
      /** Socket reads: how many events arrive together. */
      readonly chunks: number;
    };

/** 503s taken (and retried) while opening the streams before the receiver gives up. */
const MAX_REFUSALS = 1000;

const send = (message: ReceiverMessage) => process.send!(message);

function receive(job: ReceiverJob): void {
  const ids: number[] = [];
  const arrivals: number[] = [];
  const streams: number[] = [];
  let chunks = 0;
  let open = 0;
  let refusals = 0;
  const connect = (stream: number): void => {
    const outgoing = request(
      `${job.baseUrl}/core/casemgr/v3/events`,
      { agent: false, headers: { authorization: `Bearer ${job.token}`, accept: 'text/event-stream' } },
      (response) => {
        // A loaded instance may refuse a connection while 1,000 open at once (503-100 with
        // Retry-After; the cause was not looked into): an agent's browser would come back, so the
        // stream does too.
        if (response.statusCode === 503 && ++refusals <= MAX_REFUSALS) {
          response.resume();
          const retryAfterSeconds = Number(response.headers['retry-after'] ?? 1) || 1;
          setTimeout(() => connect(stream), retryAfterSeconds * 1000);
          return;
        }
        if (response.statusCode !== 200) {
          send({ kind: 'failed', error: `stream ${stream}: HTTP ${response.statusCode}` });
          process.exit(1);
        }
        if (++open === job.clients) send({ kind: 'open', streams: open, refusals });
        // The stream's first frame starts the body: as if a newline came before it.
        const cursor: LineCursor = { newlineBefore: true, partial: undefined };
        response.on('data', (chunk: Buffer) => {
          const at = monotonicMs();
          chunks++;
          readIds(cursor, chunk, (id) => {
            ids.push(id);
            arrivals.push(at);
            streams.push(stream);
          });
        });
      },
    );
    outgoing.on('error', (error) => {
      send({ kind: 'failed', error: `stream ${stream}: ${error.message}` });
      process.exit(1);
    });
    outgoing.end();
  };
  for (let stream = 0; stream < job.clients; stream++) connect(stream);
  process.on('message', (message: ReportRequest) => {
    const latencies = new Float64Array(ids.length);
    const received = new Uint32Array(job.clients);
    let known = 0;
    for (let d = 0; d < ids.length; d++) {
      const committedAt = message.commitEndById.get(ids[d]);
      if (committedAt === undefined) continue;
      latencies[known++] = arrivals[d] - committedAt;
      const stream = streams[d];
      received[stream] = received[stream] + 1;
    }
    send({
      kind: 'report',
      latencies: latencies.slice(0, known),
      received,
      unknown: ids.length - known,
      chunks,
    });
    // The main process ends this process once it has the report.
  });
}

// The main process passes the job as JSON in argv; if it dies, so does this process.
process.on('disconnect', () => process.exit(0));
receive(JSON.parse(process.argv[2]) as ReceiverJob);
