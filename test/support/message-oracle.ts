// The messages an error body should carry, worked out without the service's code: the locale's
// catalog file read straight from src/i18n/locales/<locale>.json (the test picks the locale from
// what it sent), and the placeholders filled in by plain substitution. A test that judged the
// service with its own Messages class would agree with it even when it serves the wrong catalog
// (nl-NL answered in German) or fills a placeholder wrongly.
//
// The catalogs use a small part of ICU MessageFormat: `{name}` arguments and `''` for a quote. A
// number is written in plain digits (65536: a bare argument is not a number format, and a developer
// reads the limit he must stay under as the code has it); a list as its items joined by commas. Developer messages are at most 255 UTF-16 units: a list is cut to its longest prefix
// that fits, followed by "…"; text without a list is cut and gets "…".
import { readFileSync } from 'node:fs';

export type OracleParams = Record<string, string | number | readonly string[]>;

interface CatalogFile {
  readonly errors: Record<string, { readonly developer: string; readonly user: string }>;
}

export const MAX_DEVELOPER_MESSAGE = 255;

const catalogs = new Map<string, CatalogFile>();

function catalogOf(locale: string): CatalogFile {
  let catalog = catalogs.get(locale);
  if (!catalog) {
    const file = new URL(`../../src/i18n/locales/${locale}.json`, import.meta.url);
    catalog = JSON.parse(readFileSync(file, 'utf8')) as CatalogFile;
    catalogs.set(locale, catalog);
  }
  return catalog;
}

/** The catalog's template for a code, as written in the file. */
export function templateOf(locale: string, code: string, kind: 'developer' | 'user'): string {
  const template = catalogOf(locale).errors[code]?.[kind];
  if (template === undefined)
    throw new Error(`src/i18n/locales/${locale}.json has no ${kind} text for ${code}`);
  return template;
}

/** `{name}` replaced by its value, `''` by `'`; nothing else in the template is special here. */
export function substitute(template: string, values: Record<string, string | number>): string {
  return template.replace(/''|\{(\w+)\}/g, (_token, name: string | undefined) => {
    if (name === undefined) return "'";
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in "${template}"`);
    return String(value);
  });
}

function render(template: string, params: OracleParams, list?: readonly string[], ellipsis = false) {
  const values: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    values[key] = Array.isArray(value)
      ? (list ?? (value as readonly string[])).join(',') + (ellipsis ? '…' : '')
      : (value as string | number);
  }
  return substitute(template, values);
}

/** The first `length` UTF-16 units, never ending inside a surrogate pair. */
function cutUnits(text: string, length: number): string {
  const head = text.slice(0, Math.max(length, 0));
  const last = head.charCodeAt(head.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? head.slice(0, -1) : head;
}

/** The userMessage for the code in that locale. */
export function expectedUserMessage(locale: string, code: string, params: OracleParams): string {
  return render(templateOf(locale, code, 'user'), params);
}

/**
 * Whether `actual` is the developerMessage for the code in that locale: the whole message when it
 * fits in 255 units, else a cut one as described above. Returns the expected text on a mismatch.
 */
export function checkDeveloperMessage(
  locale: string,
  code: string,
  params: OracleParams,
  actual: string,
): { ok: true } | { ok: false; expected: string } {
  const template = templateOf(locale, code, 'developer');
  const full = render(template, params);
  if (full.length <= MAX_DEVELOPER_MESSAGE)
    return full === actual ? { ok: true } : { ok: false, expected: full };
  const listKey = Object.keys(params).find((key) => Array.isArray(params[key]));
  const list = listKey === undefined ? [] : (params[listKey] as readonly string[]);
  if (list.length === 0) {
    const expected = `${cutUnits(full, MAX_DEVELOPER_MESSAGE - 1)}…`;
    return expected === actual ? { ok: true } : { ok: false, expected };
  }
  // The longest prefix of the list that fits, with "…" after it.
  for (let keep = list.length - 1; keep > 0; keep--) {
    const candidate = render(template, params, list.slice(0, keep), true);
    if (candidate.length <= MAX_DEVELOPER_MESSAGE)
      return candidate === actual ? { ok: true } : { ok: false, expected: candidate };
  }
  // Not even one whole item fits: as much of the first item as fits.
  const room = MAX_DEVELOPER_MESSAGE - render(template, params, [''], true).length;
  const expected = cutUnits(render(template, params, [cutUnits(list[0], room)], true), MAX_DEVELOPER_MESSAGE);
  return expected === actual ? { ok: true } : { ok: false, expected };
}
