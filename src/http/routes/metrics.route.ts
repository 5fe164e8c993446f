// Prometheus metrics: process defaults, request durations by route and status, picked activities,
// outbox events written.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApiError } from '../error-catalog.js';
import type { TurnTaking } from '../turn-taking.js';

export interface Metrics {
  readonly registry: Registry;
  readonly activitiesPicked: Counter;
  readonly transactionRetries: Counter;
  /** API requests refused to protect the instance: 429 (rate limit) or 503 (overload). */
  readonly refused: Counter<'cause'>;
  /** Outbox events of committed writes, by type (history, webhooks and the live stream read them). */
  readonly eventsWritten: Counter<'type'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'casemgr_' });
  return {
    registry,
    activitiesPicked: new Counter({
      name: 'casemgr_activities_picked_total',
      help: 'Activities assigned by picks',
      registers: [registry],
    }),
    transactionRetries: new Counter({
      name: 'casemgr_transaction_retries_total',
      help: 'Transactions rerun after a serialization failure or deadlock',
      registers: [registry],
    }),
    refused: new Counter({
      name: 'casemgr_requests_refused_total',
      help: 'API requests refused unserved: rate_limit (429), queue_full, waited_too_long, under_pressure (503)',
      labelNames: ['cause'],
      registers: [registry],
    }),
    eventsWritten: new Counter({
      name: 'casemgr_events_written_total',
      help: 'Outbox events written by committed writes, by event type',
      labelNames: ['type'],
      registers: [registry],
    }),
  };
}

/**
 * How many API requests wait for an event-loop turn (above 0 for long means the instance is
 * saturated), and a counter of those dropped because their client left while they waited.
 */
export function watchTurns(metrics: Metrics, turns: TurnTaking | undefined): () => void {
  const abandoned = new Counter({
    name: 'casemgr_requests_abandoned_total',
    help: 'API requests dropped unanswered: the client closed its connection while they waited for a turn',
    registers: [metrics.registry],
  });
  new Gauge({
    name: 'casemgr_requests_waiting_for_turn',
    help: 'API requests received and waiting for an event-loop turn to start',
    registers: [metrics.registry],
    collect() {
      this.set(turns?.waiting ?? 0);
    },
  });
  return () => abandoned.inc();
}

/**
 * `Authorization: Bearer <token>` compared in constant time: both sides are hashed first, so neither
 * the content nor the length of the expected token shows in the time taken.
 */
function bearerCheck(token: string): (authorization: string | undefined) => boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const expected = digest(`Bearer ${token}`);
  return (authorization) => authorization !== undefined && timingSafeEqual(digest(authorization), expected);
}

/** With a token, /metrics answers only its bearer (401-101 otherwise); empty leaves it open. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, token: string): void {
  const authorized = token === '' ? () => true : bearerCheck(token);
  const duration = new Histogram({
    name: 'casemgr_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      throw new ApiError('401-101', {}, [], { 'www-authenticate': 'Bearer' });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
