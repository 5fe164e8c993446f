// Webhook delivery metrics on the service's registry (GET /metrics).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { DelivererObservers } from './deliverer.js';

export function webhookMetrics(registry: Registry): DelivererObservers {
  const delivered = new Counter({
    name: 'casemgr_webhooks_delivered_total',
    help: 'Webhook deliveries a receiver accepted (2xx)',
    registers: [registry],
  });
  const retried = new Counter({
    name: 'casemgr_webhooks_retried_total',
    help: 'Webhook attempts that failed and were scheduled again (timeout, connection error, 408, 429, 5xx)',
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: 'casemgr_webhooks_dead_lettered_total',
    help: 'Webhook deliveries given up: max age passed, or a refusal not worth retrying',
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'casemgr_webhook_delivery_latency_seconds',
    help: 'From the event being written to a receiver accepting it',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400],
    registers: [registry],
  });
  const pruned = new Counter({
    name: 'casemgr_webhooks_pruned_total',
    help: 'Delivered webhook deliveries deleted past WEBHOOK_RETAIN_DELIVERED_MS',
    registers: [registry],
  });
  return {
    delivered: (latencyMs) => {
      delivered.inc();
      latency.observe(latencyMs / 1000);
    },
    retried: () => retried.inc(),
    deadLettered: () => deadLettered.inc(),
    pruned: (count) => pruned.inc(count),
  };
}
