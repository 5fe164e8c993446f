// Liveness (the process answers) and readiness (the database answers) for load balancers.
import type { FastifyInstance } from 'fastify';

export function registerHealthRoutes(app: FastifyInstance, isDatabaseReady: () => Promise<boolean>): void {
  app.get('/health/live', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { logLevel: 'warn' }, async (_request, reply) => {
    const ready = await isDatabaseReady().catch(() => false);
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not-ready', database: ready ? 'up' : 'down' });
  });
}
