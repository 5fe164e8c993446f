// Headers every answer carries: X-Request-Id (the log line of the request has the same id), and on
// the API, Cache-Control: no-store — answers hold a user's data or a judgement of their token, which
// no shared or browser cache should keep. Set when the request arrives, so errors carry them too.
import type { FastifyReply, FastifyRequest } from 'fastify';

const API_PREFIX = '/core/casemgr/';

export function setResponseHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  if (request.url.startsWith(API_PREFIX)) reply.header('cache-control', 'no-store');
}
