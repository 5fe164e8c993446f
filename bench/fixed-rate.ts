// Latency at a fixed offered rate: requests leave on an even schedule (one every 1/rate seconds) over
// up to `connections` keep-alive sockets, whatever the answers do, and each latency is counted from
// the moment the request was due, not from when a socket was free. A slow answer therefore shows in
// the figures of the requests queued behind it (no coordinated omission) — what autocannon's
// `overallRate` cannot give: it sends each tick's requests in a burst and times them from the send.
import { Agent, request as httpRequest } from 'node:http';
import type { HttpCall } from './request-sql.js';
import { Recorder, type RunStats } from './stats.js';

export interface FixedRateLoad {
  readonly baseUrl: string;
  readonly connections: number;
  /** Requests per second offered. */
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly calls: readonly HttpCall[];
  /**
   * Send each call at most once (work that a second send would only refuse, such as picks): the run
   * ends early, marked exhausted, when the list is used up. Default: the list cycles.
   */
  readonly once?: boolean;
}

export async function driveFixedRate(load: FixedRateLoad): Promise<RunStats> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const base = new URL(load.baseUrl);
  const intervalMs = 1000 / load.rate;
  const started = performance.now();
  const measureFrom = started + load.warmupSeconds * 1000;
  const end = measureFrom + load.seconds * 1000;
  const recorder = new Recorder();
  let sent = 0;
  let inFlight = 0;
  let next = 0;

  const send = (dueAt: number) => {
    const call = load.calls[next++ % load.calls.length];
    const measured = dueAt >= measureFrom;
    inFlight++;
    const finish = (outcome: string | undefined) => {
      inFlight--;
      const now = performance.now();
      if (!measured) return;
      if (outcome === undefined) recorder.errors++;
      else recorder.record(outcome, now - dueAt, now);
    };
    const outgoing = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: call.method,
        path: call.path,
        headers: {
          ...call.headers,
          ...(call.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(call.body)) }),
        },
        agent,
      },
      (response) => {
        response.resume();
        response.once('end', () => finish(String(response.statusCode)));
        response.once('error', () => finish(undefined));
      },
    );
    outgoing.once('error', () => finish(undefined));
    outgoing.end(call.body);
  };

  const usedUp = () => load.once === true && next >= load.calls.length;
  let ranOut = false;

  recorder.start(measureFrom);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Every request due by now leaves now (timers fire late under load; none is skipped).
      while (started + sent * intervalMs <= Math.min(now, end) && !usedUp())
        send(started + sent++ * intervalMs);
      if (now >= end) return resolve();
      if (usedUp()) {
        ranOut = true;
        return resolve();
      }
      setTimeout(tick, Math.max(0, Math.min(5, started + sent * intervalMs - now)));
    };
    tick();
  });
  // The last requests' answers (bounded: a request still out after 30 s counts as an error).
  const deadline = performance.now() + 30_000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  recorder.errors += inFlight;
  recorder.exhausted = ranOut;
  agent.destroy();
  return recorder.finish();
}
