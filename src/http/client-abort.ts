// A client that closes its connection while its request is being read (mid-upload) breaks the request
// stream with ECONNRESET "aborted". That is the client's doing, not a fault of the database, whose
// lost connections carry the same code: only the request stream's own error is a client abort.
import type { FastifyReply, FastifyRequest } from 'fastify';

export function isClientAbort(error: unknown, request: FastifyRequest): boolean {
  return error !== null && error !== undefined && request.raw.errored === error;
}

/** Nobody is left to answer: logged at info, and the connection (already gone) is let go. */
export function dropAbortedRequest(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  request.log.info({ cause: (error as { code?: unknown }).code }, 'client aborted the request');
  reply.hijack();
  reply.raw.destroy();
}
