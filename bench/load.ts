// HTTP load with autocannon over loopback. Every request is built by the scenario (a different
// activity, token or id list each time), the run is bounded both by time and by the number of work
// items (a pick of an activity already picked would only measure 409s), and each response is timed
// by this process (autocannon's histogram has 1 ms resolution, too coarse here).
//
// The warm-up is the first part of the same autocannon run, on the same connections: a saturated Node
// server serves the first request of each *new* connection late (they trickle in one per event-loop
// turn, up to ~1 s at 50 connections), so a separate warm-up run would leave that artifact in the
// measured window's p99 and max.
import autocannon, { type RequestSpec } from 'autocannon';
import { Recorder, type RunStats } from './stats.js';

export interface HttpLoad {
  readonly baseUrl: string;
  readonly connections: number;
  /** Not measured: JIT, pools and connections settle. */
  readonly warmupSeconds?: number;
  readonly seconds: number;
  /** One cycle of requests per connection (usually one; scenario 3 reads, then picks). */
  readonly requests: RequestSpec[];
  /** Requests available (work items), warm-up included; the run ends early when they are used up. */
  readonly maxRequests?: number;
  /**
   * Which responses are measured, by status: the outcome key, or undefined to only count them
   * (scenario 3 measures its picks, not the reads between them). Default: every response, by status.
   */
  readonly measure?: (status: number) => string | undefined;
}

export function driveHttp(load: HttpLoad): Promise<RunStats> {
  const warmup = load.warmupSeconds ?? 0;
  let recorder: Recorder | undefined = warmup > 0 ? undefined : new Recorder();
  const measure = load.measure ?? ((status: number) => String(status));
  const maxRequests =
    load.maxRequests === undefined ? undefined : Math.max(load.connections, Math.floor(load.maxRequests));
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.baseUrl,
        connections: load.connections,
        duration: warmup + load.seconds,
        ...(maxRequests === undefined ? {} : { maxOverallRequests: maxRequests }),
        requests: load.requests,
        timeout: 30,
        // autocannon checks its stop flag on this tick; 1 s (the default) would idle after the last
        // work item. Our own clock measures the window anyway.
        sampleInt: 100,
      },
      (error, result) => {
        clearTimeout(warmupTimer);
        if (error) return reject(error);
        // A list used up during the warm-up leaves nothing to measure: report an empty run.
        recorder ??= new Recorder();
        recorder.errors = result.errors;
        const stats = recorder.finish();
        resolve({
          ...stats,
          exhausted: maxRequests !== undefined && stats.seconds < load.seconds * 0.95,
        });
      },
    );
    const startMeasuring = () => {
      clearTimeout(warmupTimer);
      recorder = new Recorder();
      recorder.start();
    };
    const warmupTimer = setTimeout(startMeasuring, warmup * 1000);
    // A bounded list keeps at least three quarters of itself for the measurement.
    let warmupLeft = maxRequests === undefined ? Infinity : Math.floor(maxRequests / 4);
    recorder?.start();
    instance.on('response', (_client: unknown, status: number, _bytes: number, latencyMs: number) => {
      if (!recorder) {
        if (--warmupLeft <= 0) startMeasuring();
        return;
      }
      const key = measure(status);
      if (key === undefined) recorder.tally(String(status));
      else recorder.record(key, latencyMs);
    });
  });
}

/**
 * Waits until the service has answered everything it was sent: autocannon stops by closing its
 * sockets, but requests already received still run (and still pick). Uses the service's own request
 * counter (GET /metrics), steady for two polls; falls back to a pause when it cannot be read.
 */
export async function waitForQuiet(baseUrl: string, timeoutMs = 15_000): Promise<void> {
  const count = async (): Promise<number | undefined> => {
    try {
      const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
      let total = 0;
      let seen = false;
      for (const m of text.matchAll(/^casemgr_http_request_duration_seconds_count\{([^}]*)\} (\S+)$/gm)) {
        if (m[1].includes('route="/metrics"')) continue;
        total += Number(m[2]);
        seen = true;
      }
      return seen ? total : undefined;
    } catch {
      return undefined;
    }
  };
  const deadline = Date.now() + timeoutMs;
  let previous = await count();
  if (previous === undefined) {
    await new Promise((r) => setTimeout(r, 1000));
    return;
  }
  let steady = 0;
  while (Date.now() < deadline && steady < 2) {
    await new Promise((r) => setTimeout(r, 100));
    const now = await count();
    steady = now === previous ? steady + 1 : 0;
    previous = now;
  }
}
