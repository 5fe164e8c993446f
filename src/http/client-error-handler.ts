// Requests Node's HTTP parser refuses before Fastify sees them — not HTTP at all (400-100), header
// fields over the limit (431-100), headers or body too slow to arrive (408-100) — answered with an
// eGain error body like every other rejection, instead of Fastify's default JSON. There is no request
// object: the raw HTTP response is written on the socket, in the format and language the client's
// Accept and Accept-Language headers ask for when the bytes read so far hold them.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_LOCALE } from '../i18n/locales.js';
import type { Messages } from '../i18n/messages.js';
import { ApiError } from './error-catalog.js';
import { buildErrorBody, renderErrorBody } from './error-response.js';
import { negotiateLocale, negotiateMedia } from './negotiation.js';

type ClientError = Error & { code?: string; rawPacket?: unknown };

/** The value of a header in the raw bytes of a request that could not be parsed, if it is there. */
export function rawHeader(rawPacket: unknown, name: string): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) return undefined;
  const prefix = `${name.toLowerCase()}:`;
  const line = rawPacket
    .toString('latin1')
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

function apiErrorFor(error: ClientError, server: Server, pending: ServerResponse | undefined): ApiError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new ApiError('431-100');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    // With a response object the headers had arrived and the body was late (requestTimeout);
    // without one the headers were (headersTimeout).
    const ms = pending ? server.requestTimeout : server.headersTimeout;
    return new ApiError('408-100', { seconds: Math.ceil(ms / 1000) });
  }
  // Any other parse error (HPE_INVALID_METHOD, HPE_INVALID_HEADER_TOKEN…): not HTTP we can read.
  return new ApiError('400-100');
}

/** Fastify calls the handler with `this` bound to the instance. */
export function clientErrorHandler(messages: Messages) {
  return function onClientError(this: FastifyInstance, error: ClientError, socket: Socket): void {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // Node's own rule: no raw answer once the route started its response (Node internal, stable).
    const pending = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (!socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const apiError = apiErrorFor(error, this.server, pending);
    const media = negotiateMedia(rawHeader(error.rawPacket, 'accept')) ?? 'json';
    const locale = negotiateLocale(rawHeader(error.rawPacket, 'accept-language')) ?? DEFAULT_LOCALE;
    const withUserMessage = rawHeader(error.rawPacket, 'x-egain-error-message')?.toLowerCase() === 'yes';
    const body = buildErrorBody(messages, apiError, locale, withUserMessage);
    const { contentType, payload } = renderErrorBody(body, media);
    const id = randomUUID();
    this.log.info(
      { reqId: id, code: apiError.code, cause: error.code },
      'request refused by the HTTP parser',
    );
    const status = apiError.statusCode;
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      `Content-Type: ${contentType}`,
      `Content-Length: ${Buffer.byteLength(payload)}`,
      `X-Request-Id: ${id}`,
      'Connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${payload}`, () => socket.destroy());
  };
}
