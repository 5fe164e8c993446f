// How long a client may take to send a request, how long an idle connection is kept, and how many
// connections are held at once (issue 9 §3, OWASP API4). Without them a body that stalls stays open
// for minutes, and idle connections pile up until the process runs out of file descriptors and
// cannot even answer /health/live.
import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';

export interface ConnectionLimits {
  /** The whole request (headers and body) must arrive within this; else Node answers 408 and closes. */
  readonly requestTimeoutMs: number;
  /** The header fields must arrive within this (also bounds a connection that sends nothing). */
  readonly headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections over this many are closed as soon as they are accepted. */
  readonly maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4096,
};

/** All header fields of a request together, in bytes (Node's default, pinned): over it, 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** The Fastify options that carry the limits to Node's HTTP server. */
export function connectionOptions(limits: ConnectionLimits) {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two request timeouts on this period (30 s by default, which would let a
      // 10 s headers timeout run to 40 s): a quarter of the shorter one, at most one second.
      connectionsCheckingInterval: Math.max(
        1,
        Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
      ),
    },
  } satisfies FastifyHttpOptions<Server>;
}

/** What Fastify has no option for. */
export function applyConnectionLimits(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
}
