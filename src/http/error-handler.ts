// The one place where anything thrown while serving a request becomes an eGain error response.
// 5xx answers never carry a stack, SQL or a path: the log has them, under the request id.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallerResolver } from '../auth/caller-resolver.js';
import type { Messages } from '../i18n/messages.js';
import { StoreUnavailableError, isUnavailable } from '../store/store-errors.js';
import { authenticate } from './authenticate.js';
import { bodyErrorFromSchema } from './body-errors.js';
import { dropAbortedRequest, isClientAbort } from './client-abort.js';
import { MAX_ACTIVITIES_PER_PICK } from '../domain/pick-request.js';
import { ApiError, attributeError, unsupportedMediaType } from './error-catalog.js';
import { buildErrorBody, renderErrorBody } from './error-response.js';
import { negotiateInto } from './negotiation.js';
import { parseIdList } from './routes/activity-read.route.js';
import { setResponseHeaders } from './response-headers.js';
import { MAX_BODY_BYTES } from './server-options.js';

export const RETRY_AFTER_SECONDS = 5;

function toApiError(error: FastifyError | Error, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreUnavailableError || isUnavailable(error)) {
    return new ApiError('503-100', { seconds: RETRY_AFTER_SECONDS }, [], {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation && fastifyError.validationContext === 'body') {
    return bodyErrorFromSchema(
      fastifyError.validation,
      request.body,
      request.routeOptions.config.api?.wording,
    );
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Worded for the route's operation: pick's message asks to pick fewer activities.
      return new ApiError(
        '413-100',
        { max: MAX_BODY_BYTES },
        [],
        {},
        request.routeOptions.config.api?.wording,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType('Content-Type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('400-264');
    default:
      break;
  }
  const status = fastifyError.statusCode ?? 500;
  // Any other client error Fastify raises while reading the request (bad length, aborted body…).
  if (status >= 400 && status < 500) return attributeError('400-152', 'body');
  return new ApiError('500-100');
}

export function sendApiError(
  reply: FastifyReply,
  request: FastifyRequest,
  messages: Messages,
  error: ApiError,
): FastifyReply {
  const withUserMessage = String(request.headers['x-egain-error-message'] ?? '').toLowerCase() === 'yes';
  // 406-101 means no acceptable media type: its body is JSON whatever Accept said.
  const media = error.code === '406-101' ? 'json' : request.media;
  const body = buildErrorBody(messages, error, request.locale, withUserMessage);
  const { contentType, payload } = renderErrorBody(body, media);
  return reply.code(error.statusCode).headers(error.headers).type(contentType).send(payload);
}

const ACTIVITY_PREFIX = '/core/casemgr/v3/activity/';

/**
 * Errors Fastify's router raises before any hook runs (a path parameter over the router's length
 * limit, a malformed URL). The API gate never saw these requests, so on the read route its rules
 * are applied here in the contract's order — token (401), then Accept / Accept-Language (406) —
 * before the ids in the path are judged: an anonymous caller learns nothing but 401.
 */
export function frameworkErrorHandler(messages: Messages, callers: CallerResolver) {
  const judge = async (request: FastifyRequest): Promise<ApiError> => {
    const { media, locale } = negotiateInto(request);
    const path = request.url.split('?')[0] ?? '/';
    // Like any unknown route (the not-found handler): 404-101, whoever asks.
    if (request.method !== 'GET' || !path.startsWith(ACTIVITY_PREFIX)) {
      return new ApiError('404-101', { path: path.slice(0, 200) });
    }
    // The read route's path: rules 1 and 2 first, then the ids, judged like a body (400-106).
    try {
      await authenticate(request, callers, true);
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
    if (media === undefined) return new ApiError('406-101');
    if (locale === undefined) return new ApiError('406-100');
    // Judged as the route would: a path this long always holds a bad id or more than 75 ids.
    const raw = path.slice(ACTIVITY_PREFIX.length);
    try {
      parseIdList(raw);
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
    const start = raw.slice(0, 40);
    return new ApiError('400-106', { ids: [start], max: MAX_ACTIVITIES_PER_PICK }, [
      { key: 'activityId', value: start },
    ]);
  };
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    setResponseHeaders(request, reply);
    void judge(request)
      .catch((cause: unknown) => {
        const apiError = toApiError(cause instanceof Error ? cause : new Error(String(cause)), request);
        request.log.error({ err: cause, code: apiError.code }, 'request failed');
        return apiError;
      })
      .then((apiError) => {
        request.log.info({ code: apiError.code, cause: error.code }, 'request rejected by the router');
        return sendApiError(reply, request, messages, apiError);
      })
      .catch((cause: unknown) => {
        // Nothing could be sent (the reply itself failed): close the connection rather than leave an
        // unhandled rejection, which would end the process.
        request.log.error({ err: cause }, 'router error could not be answered');
        reply.raw.destroy();
      });
  };
}

/** How many schema errors the validator collected: its work on the body is bounded (see pick-body-screen.ts). */
function schemaErrorCount(error: FastifyError | Error): { schemaErrors?: number } {
  const validation = (error as FastifyError).validation;
  return validation === undefined ? {} : { schemaErrors: validation.length };
}

/** The driver's code of what went wrong (SQLITE_FULL, 53100, ECONNREFUSED…), for the log. */
function causeCodeOf(error: Error): string | undefined {
  const root = error.cause instanceof Error ? error.cause : error;
  const code = (root as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function registerErrorHandler(app: FastifyInstance, messages: Messages): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (isClientAbort(error, request)) return dropAbortedRequest(error, request, reply);
    const apiError = toApiError(error, request);
    if (apiError.statusCode >= 500)
      request.log.error({ err: error, code: apiError.code, cause: causeCodeOf(error) }, 'request failed');
    else request.log.info({ code: apiError.code, ...schemaErrorCount(error) }, 'request rejected');
    return sendApiError(reply, request, messages, apiError);
  });
  app.setNotFoundHandler((request, reply) => {
    // The API gate negotiates only on API routes: an unknown route negotiates here.
    negotiateInto(request);
    return sendApiError(
      reply,
      request,
      messages,
      new ApiError('404-101', { path: request.url.split('?')[0] ?? '/' }),
    );
  });
}
