// Content negotiation for the eGain headers: Accept (JSON or XML), Accept-Language (15 locales) and
// the request's Content-Type.
import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type Locale } from '../i18n/locales.js';

export type MediaKind = 'json' | 'xml';

/**
 * Accept and Accept-Language are read before the token is checked, so an anonymous client must not
 * be able to make them expensive (issue 9 §3): only their first 32 entries are read, the rest is
 * ignored. Real clients send a handful; the whole header is bounded by Node's 16 KiB header limit.
 */
export const MAX_LIST_ENTRIES = 32;

/** The header up to (not including) the comma that ends its MAX_LIST_ENTRIES-th entry. */
export function firstEntries(header: string, max: number = MAX_LIST_ENTRIES): string {
  let end = -1;
  for (let entries = 0; entries < max; entries++) {
    end = header.indexOf(',', end + 1);
    if (end === -1) return header;
  }
  return header.slice(0, end);
}

/**
 * Negotiates Accept and Accept-Language and records the outcome on the request, so that any error
 * from here on speaks the client's format and language when it can (JSON and en-US otherwise).
 * Returns what was negotiated: undefined where nothing acceptable was asked for (406).
 */
export function negotiateInto(request: FastifyRequest): {
  media: MediaKind | undefined;
  locale: Locale | undefined;
} {
  const media = negotiateMedia(request.headers.accept);
  const locale = negotiateLocale(request.headers['accept-language']);
  request.media = media ?? 'json';
  request.locale = locale ?? DEFAULT_LOCALE;
  return { media, locale };
}

/**
 * Accept per RFC 9110: each type takes the quality of the most specific range that matches it
 * (`application/json` > `application/*` > `*\/*`); the higher quality wins and a tie goes to JSON.
 * (Negotiator, used for languages below, breaks ties by header order, which the contract rules out.)
 */
export function negotiateMedia(accept: string | undefined): MediaKind | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(firstEntries(accept));
  // A header with no valid range at all (`garbage`, `;;,`) says nothing: treated as absent, as
  // RFC 9110 lets a server do with an invalid Accept, rather than refusing a client that sent noise.
  if (ranges.length === 0) return 'json';
  const json = qualityOf(ranges, 'application', 'json');
  const xml = qualityOf(ranges, 'application', 'xml');
  if (json <= 0 && xml <= 0) return undefined;
  return xml > json ? 'xml' : 'json';
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Valid ranges only: a range without a subtype, or whose q is not an RFC 9110 qvalue (empty, `1.5`,
 * `0x1`, `1e0`), is dropped. Spaces around `=` are forgiven: `q = 0.5` is read as 0.5.
 */
function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').flatMap((entry) => {
    const [range = '', ...parameters] = entry.split(';').map((part) => part.trim().toLowerCase());
    const [type, subtype] = range.split('/');
    if (!type || !subtype) return [];
    const qValue = parameters
      .map((parameter) => parameter.split('=').map((side) => side.trim()))
      .find(([name]) => name === 'q')?.[1];
    if (qValue === undefined) return [{ type, subtype, q: 1 }];
    return QVALUE.test(qValue) ? [{ type, subtype, q: Number(qValue) }] : [];
  });
}

function qualityOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  const exact = ranges.filter((r) => r.type === type && r.subtype === subtype);
  const typeWide = ranges.filter((r) => r.type === type && r.subtype === '*');
  const any = ranges.filter((r) => r.type === '*' && r.subtype === '*');
  const mostSpecific = [exact, typeWide, any].find((matches) => matches.length > 0);
  return mostSpecific ? Math.max(...mostSpecific.map((r) => r.q)) : 0;
}

/**
 * Whether Accept admits `text/event-stream` (the live stream's only representation): absent, empty or
 * without a valid range counts as admitting it, like `*\/*` and `text/*`.
 */
export function acceptsEventStream(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const ranges = parseAccept(firstEntries(accept));
  return ranges.length === 0 || qualityOf(ranges, 'text', 'event-stream') > 0;
}

/** Accept-Language: absent or `*` is en-US; a bare language picks its first region in SUPPORTED_LOCALES. */
export function negotiateLocale(acceptLanguage: string | undefined): Locale | undefined {
  if (acceptLanguage === undefined || acceptLanguage.trim() === '') return DEFAULT_LOCALE;
  const best = new Negotiator({ headers: { 'accept-language': firstEntries(acceptLanguage) } }).language([
    ...SUPPORTED_LOCALES,
  ]);
  return best as Locale | undefined;
}

/** `application/json`, with no charset or charset utf-8; type and charset compared case-insensitively. */
export function isAcceptableContentType(contentType: string): boolean {
  const [type, ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, value] = parameter.split('=').map((s) => s.trim());
    if (name === '') return true;
    return name === 'charset' && (value === 'utf-8' || value === '"utf-8"');
  });
}
