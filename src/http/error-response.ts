// The eGain error body, in JSON or XML, in the negotiated language. userMessage only when the client
// asked for it with `X-egain-error-message: yes`.
import type { Locale } from '../i18n/locales.js';
import type { Messages } from '../i18n/messages.js';
import { MAX_DETAILS, type ApiError, type Detail } from './error-catalog.js';
import type { MediaKind } from './negotiation.js';
import { COMMON_NS, JSON_TYPE, XML_TYPE, toXml } from './representation.js';

export interface ErrorBody {
  readonly code: string;
  readonly developerMessage: string;
  readonly details?: readonly Detail[];
  readonly userMessage?: string;
}

export function buildErrorBody(
  messages: Messages,
  error: ApiError,
  locale: Locale,
  withUserMessage: boolean,
): ErrorBody {
  const details = error.details.slice(0, MAX_DETAILS);
  return {
    code: error.code,
    developerMessage: messages.developerMessage(locale, error.messageKey, error.params),
    ...(details.length > 0 ? { details } : {}),
    ...(withUserMessage ? { userMessage: messages.userMessage(locale, error.messageKey, error.params) } : {}),
  };
}

export function renderErrorBody(body: ErrorBody, media: MediaKind): { contentType: string; payload: string } {
  if (media === 'json') return { contentType: JSON_TYPE, payload: JSON.stringify(body) };
  const error: Record<string, unknown> = {
    '@_xmlns': COMMON_NS,
    code: body.code,
    developerMessage: body.developerMessage,
  };
  if (body.details) error.details = { detail: body.details.map((d) => ({ key: d.key, value: d.value })) };
  if (body.userMessage !== undefined) error.userMessage = body.userMessage;
  return { contentType: XML_TYPE, payload: toXml({ error }) };
}
