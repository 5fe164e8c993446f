// GET /core/casemgr/v3/events — the live stream (Server-Sent Events) of every outbox event about
// activities the caller may see: those of their home and foreign departments (before or after the
// change), and those that name them as the new or the previous owner, so an agent hears of the
// activity a supervisor took from them. Last-Event-ID resumes within the resume window.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../domain/pick-activities.js';
import { checkReader } from '../../domain/read-rules.js';
import { visibleDepartments } from '../../domain/search-access.js';
import type { EventStreams } from '../../events/event-streams.js';
import type { EventStreamSettings } from '../../events/stream-settings.js';
import type { Audience } from '../../store/event-feed.js';
import { ApiError, toApiError } from '../error-catalog.js';
import { RETRY_AFTER_SECONDS } from '../error-handler.js';
import { acceptsEventStream } from '../negotiation.js';
import { ErrorBodySchema, NoQuery } from '../schemas/common.schema.js';
import { StreamConnection, type StreamEnd } from '../event-stream/stream-connection.js';
import { StreamRegistry } from '../event-stream/stream-registry.js';
import { resetFrame } from '../event-stream/sse-frame.js';

export const EVENTS_PATH = '/core/casemgr/v3/events';
const REPLAY_PAGE = 500;
/** How long a client waits before reconnecting after the stream ends (the SSE `retry:` field). */
const RECONNECT_MS = 2_000;

const StreamHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ description: 'The id of the last event received: the stream resumes after it.' }),
  ),
});

export interface EventStreamDeps {
  readonly streams: EventStreams;
  readonly settings: EventStreamSettings;
  readonly clock: Clock;
  readonly registry: Registry;
}

function streamMetrics(registry: Registry, streams: StreamRegistry) {
  new Gauge({
    name: 'casemgr_stream_clients',
    help: 'Event streams (GET /events) open on this instance',
    registers: [registry],
    collect() {
      this.set(streams.size);
    },
  });
  return {
    sent: new Counter({
      name: 'casemgr_stream_events_total',
      help: 'Events written to event streams (one per stream that sent it, replays included)',
      registers: [registry],
    }),
    ended: new Counter({
      name: 'casemgr_stream_ends_total',
      help: 'Event streams ended: client_closed, slow_consumer (dropped, buffer full), shutdown or token_expired',
      labelNames: ['reason'],
      registers: [registry],
    }),
    resets: new Counter({
      name: 'casemgr_stream_resets_total',
      help: 'Reconnections that could not be replayed (too_old, unknown_id): the client was sent a reset',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

/** A Last-Event-ID this service may have sent: a decimal id (0 when the outbox was empty). */
function parseLastEventId(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text)) return Number.NaN;
  return Number(text);
}

export function registerEventStreamRoute(app: FastifyInstance, deps: EventStreamDeps): void {
  const { streams, settings, clock } = deps;
  const registry = new StreamRegistry(settings.maxPerUser, settings.maxClients);
  const metrics = streamMetrics(deps.registry, registry);
  // Streams would keep close() waiting for ever: they end first (their clients reconnect elsewhere).
  app.addHook('preClose', async () => registry.endAll());
  app.addHook('onClose', async () => streams.close());

  /** Whether a replay from `lastEventId` is complete and within the window, or why not. */
  async function resumable(lastEventId: number): Promise<'resume' | 'too-old' | 'unknown-id'> {
    if (Number.isNaN(lastEventId) || lastEventId > (await streams.feed.maxId())) return 'unknown-id';
    const writtenAt =
      lastEventId === 0
        ? ((await streams.feed.firstWrittenAt()) ?? clock.nowMs())
        : await streams.feed.writtenAt(lastEventId);
    if (writtenAt === undefined) return 'unknown-id';
    return writtenAt < clock.nowMs() - settings.resumeWindowMs ? 'too-old' : 'resume';
  }

  app.get<{ Headers: { 'last-event-id'?: string } }>(
    EVENTS_PATH,
    {
      schema: {
        operationId: 'streamEvents',
        summary: 'Live stream of activity events (Server-Sent Events)',
        querystring: NoQuery,
        headers: StreamHeaders,
        response: {
          200: {
            type: 'string',
            contentMediaType: 'text/event-stream',
            description:
              "Server-Sent Events: `id` (the outbox id), `event` (activity_created, activity_transition, activity_completed, case_closed; reset when a Last-Event-ID cannot be replayed; end, without an id, just before the stream closes at the token's expiry) and `data` (the eGain callback envelope).",
          },
          '4xx': ErrorBodySchema,
        },
      },
      config: { api: { query: NoQuery, takesBody: false, eventStream: true } },
    },
    async (request, reply) => {
      const caller = request.caller!;
      if (!acceptsEventStream(request.headers.accept)) throw new ApiError('406-101');
      const refused = checkReader(caller);
      if (refused) throw toApiError(refused);
      const lastEventId = parseLastEventId(request.headers['last-event-id']);
      const admission = registry.admit(caller.userId);
      if (admission !== 'admitted') {
        const seconds = RETRY_AFTER_SECONDS;
        request.log.info({ reason: admission }, 'event stream refused');
        throw new ApiError(admission === 'user-limit' ? '429-001' : '503-100', { seconds }, [], {
          'retry-after': String(seconds),
        });
      }
      let stream: StreamConnection | undefined;
      try {
        const resume = lastEventId === undefined ? undefined : await resumable(lastEventId);
        const audience: Audience = {
          userId: caller.userId,
          departmentIds: visibleDepartments({ user: caller }) ?? [],
        };
        reply.hijack();
        const response = reply.raw;
        response.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          // A stream is the whole life of its connection; it must not wait as keep-alive at shutdown.
          connection: 'close',
          // nginx and similar proxies would otherwise buffer the stream.
          'x-accel-buffering': 'no',
        });
        request.raw.socket?.setNoDelay(true);
        const opened = new StreamConnection(response, audience, 0, {
          bufferBytes: settings.bufferBytes,
          heartbeatMs: settings.heartbeatMs,
          expiry: { atMs: request.tokenExpiresAtMs!, nowMs: () => clock.nowMs() },
          onSent: (count) => metrics.sent.inc(count),
          onEnd: (reason: StreamEnd) => {
            streams.hub.unsubscribe(opened);
            registry.release(caller.userId, opened);
            metrics.ended.inc({ reason: reason.replace('-', '_') });
          },
        });
        stream = opened;
        registry.add(opened);
        // Every event up to the hub's position is final and in the database: the replay reads up to
        // it, and the stream goes live once the replay has caught up with it (event order, each once).
        const position = streams.hub.subscribe(opened);
        opened.write(`retry: ${RECONNECT_MS}\n\n`);
        if (resume === 'resume') {
          await replay(opened, audience, lastEventId!, position);
        } else {
          opened.restartAt(position);
          if (resume !== undefined) {
            metrics.resets.inc({ reason: resume.replace('-', '_') });
            opened.write(resetFrame(position, resume));
          }
          opened.goLive();
        }
      } catch (error) {
        if (!stream) {
          registry.release(caller.userId);
          throw error;
        }
        request.log.warn({ err: error }, 'event stream failed');
        reply.raw.destroy();
      }
    },
  );

  /** From the client's Last-Event-ID up to the hub's position, however far it moves meanwhile; then live. */
  async function replay(
    stream: StreamConnection,
    audience: Audience,
    lastEventId: number,
    position: number,
  ): Promise<void> {
    stream.restartAt(lastEventId);
    let after = lastEventId;
    let upto = position;
    while (stream.open) {
      while (stream.open && after < upto) {
        const page = await streams.feed.replay(audience, after, upto, REPLAY_PAGE);
        await stream.replayed(page);
        after = page.length < REPLAY_PAGE ? upto : page[page.length - 1].id;
      }
      // No await between this check and goLive: no event can be released in between.
      if (streams.hub.position <= upto) {
        stream.goLive();
        return;
      }
      upto = streams.hub.position;
    }
  }
}
