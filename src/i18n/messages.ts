// Localized messages from one JSON catalog per locale, compiled once at start (ICU MessageFormat).
// Developer messages stay within eGain's 255 characters: a long id list is cut with "…".
import { readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { SUPPORTED_LOCALES, type Locale } from './locales.js';

export interface Catalog {
  readonly errors: Record<string, { readonly developer: string; readonly user: string }>;
  readonly display: Record<string, string>;
}

export type MessageParams = Record<string, string | number | readonly string[]>;

export const MAX_DEVELOPER_MESSAGE = 255;

export function loadCatalog(locale: Locale): Catalog {
  const url = new URL(`./locales/${locale}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Catalog;
}

export class Messages {
  private readonly compiled = new Map<string, IntlMessageFormat>();
  private readonly catalogs = new Map<Locale, Catalog>();

  constructor(locales: readonly Locale[] = SUPPORTED_LOCALES) {
    for (const locale of locales) {
      const catalog = loadCatalog(locale);
      this.catalogs.set(locale, catalog);
      for (const [code, texts] of Object.entries(catalog.errors)) {
        this.compiled.set(`${locale}|${code}|developer`, new IntlMessageFormat(texts.developer, locale));
        this.compiled.set(`${locale}|${code}|user`, new IntlMessageFormat(texts.user, locale));
      }
    }
  }

  developerMessage(locale: Locale, code: string, params: MessageParams = {}): string {
    return formatWithin(this.format(locale, code, 'developer'), params, MAX_DEVELOPER_MESSAGE);
  }

  userMessage(locale: Locale, code: string, params: MessageParams = {}): string {
    return formatWithin(this.format(locale, code, 'user'), params, Number.POSITIVE_INFINITY);
  }

  /** A display value (activity type, status, …); undefined when the catalog has none. */
  display(locale: Locale, key: string): string | undefined {
    return this.catalogs.get(locale)?.display[key];
  }

  private format(locale: Locale, code: string, kind: 'developer' | 'user'): IntlMessageFormat {
    const message = this.compiled.get(`${locale}|${code}|${kind}`);
    if (!message) throw new Error(`no ${kind} message for ${code} in ${locale}`);
    return message;
  }
}

/** Lists become comma-separated; the longest list prefix that fits is kept, followed by "…". */
function formatWithin(message: IntlMessageFormat, params: MessageParams, limit: number): string {
  const listKey = Object.keys(params).find((key) => Array.isArray(params[key]));
  const render = (list: readonly string[] | undefined, ellipsis: boolean): string => {
    const values: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(params)) {
      values[key] = Array.isArray(value) ? '' : (value as string | number);
    }
    if (listKey !== undefined && list) values[listKey] = list.join(',') + (ellipsis ? '…' : '');
    return String(message.format(values));
  };
  const list = listKey === undefined ? undefined : (params[listKey] as readonly string[]);
  const full = render(list, false);
  if (full.length <= limit) return full;
  // No list to shorten (a very long attribute or parameter name): cut the text itself.
  if (!list || list.length === 0) return `${cut(full, limit - 1)}…`;
  let low = 0;
  let high = list.length - 1;
  // Binary search for the longest prefix of ids that still fits with the ellipsis.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (render(list.slice(0, mid), true).length <= limit) low = mid;
    else high = mid - 1;
  }
  if (low > 0) return render(list.slice(0, low), true);
  // Not even one whole item fits (a very long parameter name): keep as much of the first as fits.
  const room = limit - render([''], true).length;
  return cut(render([cut(list[0], Math.max(room, 0))], true), limit);
}

/** The first `length` UTF-16 units, never ending inside a surrogate pair. */
function cut(text: string, length: number): string {
  const head = text.slice(0, length);
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
}
