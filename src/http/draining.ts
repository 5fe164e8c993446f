// Graceful shutdown: once close() begins, a request that still arrives on an open connection gets
// 503-100 with Retry-After (another instance can serve it) instead of Fastify's default body, and
// every response says Connection: close. Without that, a keep-alive connection whose request was in
// flight when shutdown began stays open after its response, and close() waits for the client to
// leave or for the keep-alive timeout (72 s) — longer than any grace period.
import type { FastifyInstance } from 'fastify';
import type { Messages } from '../i18n/messages.js';
import { ApiError } from './error-catalog.js';
import { RETRY_AFTER_SECONDS, sendApiError } from './error-handler.js';
import { negotiateInto } from './negotiation.js';

export function registerDraining(app: FastifyInstance, messages: Messages): void {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
    // Connections with no request in flight go now; the others close after their response.
    app.server.closeIdleConnections();
  });
  // Callback-style: the usual case (not draining) must not cost a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    if (!draining) return done();
    negotiateInto(request);
    request.log.info({ code: '503-100', cause: 'shutting down' }, 'request refused while draining');
    // Answered here: done() is not called, so Fastify goes no further with the request.
    sendApiError(
      reply,
      request,
      messages,
      new ApiError('503-100', { seconds: RETRY_AFTER_SECONDS }, [], {
        'retry-after': String(RETRY_AFTER_SECONDS),
      }),
    );
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
}
