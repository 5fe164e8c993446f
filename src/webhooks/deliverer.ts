// The webhook deliverer every instance runs: claims due deliveries (src/store/webhook-store.ts),
// POSTs them signed, and records each outcome — delivered, retried later with backoff, or a dead
// letter. At most `concurrency` requests are in flight; a finished one makes room (and may unblock
// the next event of its activity) at once, so the loop only sleeps when nothing is due. A second,
// slow loop deletes delivered rows past their retention, in small batches.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  SettledDelivery,
  WebhookStore,
} from '../store/webhook-store.js';
import type { PrivateAddressPolicy } from './address-policy.js';
import { envelopeBody, signedHeaders, webhookId } from './envelope.js';
import { WebhookClient, type PostResult } from './post-webhook.js';
import { nextAttemptAt, retryAfterMs, type RetrySettings } from './retry-schedule.js';

export interface DelivererSettings extends RetrySettings {
  /** Limit on one request, connect to last byte of the answer. */
  readonly timeoutMs: number;
  /** How long a claim is held; longer than timeoutMs, so a live deliverer never loses its claim. */
  readonly leaseMs: number;
  /** How often to look for due deliveries when there were none. */
  readonly pollMs: number;
  /** Requests in flight at once, per instance. */
  readonly concurrency: number;
  readonly privateAddresses: PrivateAddressPolicy;
  /** Delivered rows are deleted this long after their delivery (dead letters are kept). */
  readonly retainDeliveredMs: number;
  /** How often an instance looks for delivered rows to delete. */
  readonly pruneIntervalMs: number;
  /** Rows deleted per transaction: a prune never holds locks (or SQLite's write lock) for long. */
  readonly pruneBatch: number;
}

export const DEFAULT_DELIVERER: DelivererSettings = {
  baseMs: 1_000,
  maxDelayMs: 600_000,
  maxAgeMs: 86_400_000,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  pollMs: 500,
  concurrency: 64,
  privateAddresses: 'deny',
  retainDeliveredMs: 86_400_000,
  pruneIntervalMs: 60_000,
  pruneBatch: 1_000,
};

export interface DelivererObservers {
  readonly delivered: (latencyMs: number) => void;
  readonly retried: () => void;
  readonly deadLettered: () => void;
  /** Delivered rows deleted past their retention. */
  readonly pruned: (count: number) => void;
}

const CLAIM_COALESCE_MS = 5;

/** Receivers that may succeed later: timeouts (408), rate limits (429) and server errors. */
const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

export class WebhookDeliverer {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly client: WebhookClient;
  private readonly inFlight = new Set<Promise<void>>();
  /** Outcomes of finished requests, recorded together before the next claim. */
  private finished: { delivery: ClaimedDelivery; outcome: DeliveryOutcome }[] = [];
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private pruning: Promise<void> | undefined;

  constructor(
    private readonly store: WebhookStore,
    private readonly settings: DelivererSettings,
    private readonly observers: DelivererObservers,
    private readonly log: FastifyBaseLogger,
    /** SQLite: look without the write lock before claiming, so an idle deliverer never blocks writers. */
    private readonly peekFirst: boolean,
  ) {
    this.client = new WebhookClient(settings);
  }

  start(): void {
    this.loop ??= this.run();
    this.pruning ??= this.pruneEvery();
  }

  /** Stops claiming, aborts the requests in flight (their claims are given back) and waits for them. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await this.pruning;
    await Promise.all(this.inFlight);
    // The requests just aborted give their claims back.
    await this.recordFinished();
    clearTimeout(this.wakeTimer);
    this.client.close();
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let claimed: ClaimedDelivery[] = [];
      // Recorded first: a delivered event lets the next one of its activity be claimed.
      await this.recordFinished();
      try {
        claimed = await this.claimSome();
      } catch (error) {
        this.log.warn({ err: error }, 'webhook deliveries could not be claimed');
      }
      for (const delivery of claimed) this.track(this.deliver(delivery));
      if (signal.aborted) break;
      // Full: wait for a request to finish. Nothing due: wait for the poll, or for a request to finish
      // (the next event of its activity may now be due).
      if (claimed.length === 0 || this.inFlight.size >= this.settings.concurrency) {
        await this.pause(this.inFlight.size >= this.settings.concurrency ? undefined : this.settings.pollMs);
      }
    }
  }

  private async pruneEvery(): Promise<void> {
    const signal = this.stopping.signal;
    for (;;) {
      await sleep(this.settings.pruneIntervalMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      try {
        await this.prune(Date.now() - this.settings.retainDeliveredMs);
      } catch (error) {
        this.log.warn({ err: error }, 'delivered webhook deliveries could not be pruned');
      }
    }
  }

  /**
   * Batch after batch until none is full: a backlog (a retention just shortened) goes in one round,
   * each batch its own short transaction. Another instance pruning makes this one skip its round.
   */
  private async prune(beforeMs: number): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const deleted = await this.store.pruneDelivered(beforeMs, this.settings.pruneBatch);
      if (deleted === undefined) return;
      if (deleted > 0) this.observers.pruned(deleted);
      if (deleted < this.settings.pruneBatch) return;
    }
  }

  private async recordFinished(): Promise<void> {
    if (this.finished.length === 0) return;
    const batch = this.finished;
    this.finished = [];
    const settled: SettledDelivery[] = batch.map(({ delivery, outcome }) => ({ id: delivery.id, outcome }));
    try {
      await this.store.settle(this.owner, settled);
    } catch (error) {
      // Not recorded (database gone): the leases run out and the deliveries are sent again, by this
      // instance or another — at least once.
      this.log.warn({ err: error, deliveries: settled.length }, 'webhook delivery outcomes not recorded');
      return;
    }
    for (const { delivery, outcome } of batch) this.observe(delivery, outcome);
  }

  private async claimSome(): Promise<ClaimedDelivery[]> {
    const room = this.settings.concurrency - this.inFlight.size;
    if (room <= 0) return [];
    const now = Date.now();
    if (this.peekFirst && !(await this.store.anyDue(now))) return [];
    return this.store.claim(this.owner, room, now, this.settings.leaseMs);
  }

  private pause(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => {
      this.inFlight.delete(tracked);
      this.wakeSoon();
    });
    this.inFlight.add(tracked);
  }

  /**
   * Requests finishing close together share one claim: a claim per finished request would cost a
   * transaction per event, more than the requests themselves at a thousand events a second.
   */
  private wakeSoon(): void {
    if (this.wakeTimer !== undefined) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wake?.();
    }, CLAIM_COALESCE_MS);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    try {
      const id = webhookId(delivery.id);
      const body = envelopeBody({ ...delivery, deliveryId: delivery.id });
      const headers = signedHeaders(delivery.secret, id, body, new Date());
      const result = await this.client.post(delivery.url, headers, body, this.stopping.signal);
      this.finished.push({ delivery, outcome: this.judge(delivery, result) });
    } catch (error) {
      // Nothing to record: the lease runs out and the delivery is sent again — at least once.
      this.log.warn({ err: error, delivery: delivery.id }, 'webhook delivery failed unexpectedly');
    }
  }

  private judge(delivery: ClaimedDelivery, result: PostResult): DeliveryOutcome {
    const now = Date.now();
    if (result.kind === 'aborted') return { kind: 'released' };
    if (result.kind === 'refused') return { kind: 'dead', atMs: now, error: result.error };
    if (result.kind === 'answered' && result.status >= 200 && result.status < 300) {
      return { kind: 'delivered', atMs: now };
    }
    if (result.kind === 'answered' && !isRetryableStatus(result.status)) {
      // 3xx (no redirect is followed) and the other 4xx say the request itself is unwanted; retrying
      // would only send it again. `casemgr webhook redeliver` sends it once the receiver is fixed.
      return { kind: 'dead', atMs: now, error: `HTTP ${result.status}, not retried` };
    }
    const error = result.kind === 'answered' ? `HTTP ${result.status}` : result.error;
    const requested = result.kind === 'answered' ? retryAfterMs(result.retryAfter, now) : undefined;
    const attempts = delivery.attempts + 1;
    const next = nextAttemptAt(this.settings, { createdMs: delivery.createdMs, attempts }, now, requested);
    if (next === undefined) {
      return { kind: 'dead', atMs: now, error: `${error} (undelivered for ${this.settings.maxAgeMs} ms)` };
    }
    return { kind: 'retry', atMs: now, nextAttemptMs: next, error };
  }

  private observe(delivery: ClaimedDelivery, outcome: DeliveryOutcome): void {
    if (outcome.kind === 'delivered') this.observers.delivered(outcome.atMs - delivery.createdMs);
    else if (outcome.kind === 'retry') this.observers.retried();
    else if (outcome.kind === 'dead') {
      this.observers.deadLettered();
      this.log.warn({ delivery: delivery.id, error: outcome.error }, 'webhook delivery dead-lettered');
    }
  }
}
