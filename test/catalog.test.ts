// Holds the error catalog (ERROR_STATUS), the 15 locale catalogs and the repository's own API
// reference (docs/api/) against each other: every code has every message in every locale, the
// translations are real ones with the same placeholders, the reference's code table lists exactly
// the catalog's codes with their status and en-US message, its locale list is SUPPORTED_LOCALES, and
// developer messages stay within 255 characters however long the parameters. Message variants
// ("code#operation", src/http/message-variants.ts) are held to the same rules as codes, and their
// placeholders to the parameters their operation passes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IntlMessageFormat } from 'intl-messageformat';
import { ERROR_STATUS } from '../src/http/error-catalog.js';
import { MESSAGE_VARIANTS, type VariantKey } from '../src/http/message-variants.js';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type Locale } from '../src/i18n/locales.js';
import { loadCatalog, Messages, type Catalog, type MessageParams } from '../src/i18n/messages.js';

const API_DOCS = new URL('../docs/api/', import.meta.url);
/** docs/api/*.md by file name; README.md is the index with the code table and the locales. */
const apiPages = new Map(
  readdirSync(API_DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => [name, readFileSync(new URL(name, API_DOCS), 'utf8')] as const),
);
const apiIndex = apiPages.get('README.md') ?? '';

/** docs/api: "developerMessage … at most 255 characters", cut with "…". */
const DEVELOPER_MESSAGE_LIMIT = 255;
const ELLIPSIS = '…';

/** The cells of the Markdown table rows of one `## title` section of a page (header and separator rows dropped). */
function sectionRows(page: string, title: string): string[][] {
  const start = page.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs/api/README.md has a "## ${title}" section`);
  const section = page
    .slice(start + 1)
    .split('\n')
    .slice(1);
  const end = section.findIndex((line) => line.startsWith('## '));
  return (end < 0 ? section : section.slice(0, end))
    .filter((line) => line.trimStart().startsWith('|'))
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim()),
    )
    .filter((cells) => !cells.every((cell) => /^:?-+:?$/.test(cell)))
    .slice(1);
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');
// The index's Locales table, in its order.
const DOCUMENTED_LOCALES = sectionRows(apiIndex, 'Locales').map(([locale]) => unquote(locale ?? ''));
// The index's Error codes table: code, HTTP status, en-US developerMessage template, when.
const DOCUMENTED_CODES = sectionRows(apiIndex, 'Error codes').map(([code, status, message]) => ({
  code: unquote(code ?? ''),
  status: Number(status),
  template: unquote(message ?? ''),
}));
// The index's Message variants table: variant, who answers it, en-US developerMessage template.
const DOCUMENTED_VARIANTS = sectionRows(apiIndex, 'Message variants').map(([variant, , message]) => ({
  variant: unquote(variant ?? ''),
  template: unquote(message ?? ''),
}));

const codes = Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[];
const variants = Object.keys(MESSAGE_VARIANTS) as VariantKey[];
/** Every catalog key the service renders: the codes and their operation variants. */
const messageKeys: readonly string[] = [...codes, ...variants];
const catalogs = new Map<Locale, Catalog>(SUPPORTED_LOCALES.map((locale) => [locale, loadCatalog(locale)]));
const english = catalogs.get('en-US')!;
const messages = new Messages();

type Kind = 'developer' | 'user';

// ICU MessageFormat AST element types (intl-messageformat's parser): 0 literal, 1 argument,
// 2 number, 3 date, 4 time, 5 select, 6 plural, 7 pound (#), 8 tag.
interface AstElement {
  readonly type: number;
  readonly value?: string;
  readonly options?: Record<string, { readonly value: readonly AstElement[] }>;
  readonly children?: readonly AstElement[];
}

/** Placeholder name → whether it is numeric (number/plural) — from the parsed message, not a regex. */
function placeholdersOf(message: string, locale: string): Map<string, 'number' | 'text'> {
  const found = new Map<string, 'number' | 'text'>();
  const walk = (elements: readonly AstElement[]) => {
    for (const element of elements) {
      if (element.type !== 0 && element.type !== 7 && element.type !== 8 && element.value !== undefined) {
        found.set(element.value, element.type === 2 || element.type === 6 ? 'number' : 'text');
      }
      for (const option of Object.values(element.options ?? {})) walk(option.value);
      if (element.children) walk(element.children);
    }
  };
  walk(new IntlMessageFormat(message, locale).getAst());
  return found;
}

/** Parameters the service passes as lists (comma-separated in the message, cut with "…"). */
const LIST_PLACEHOLDERS = new Set(['ids', 'names']);

function sampleParams(placeholders: Map<string, 'number' | 'text'>): MessageParams {
  const params: Record<string, string | number | readonly string[]> = {};
  for (const [name, kind] of placeholders) {
    if (LIST_PLACEHOLDERS.has(name)) params[name] = ['1217', '1220'];
    else params[name] = kind === 'number' ? 75 : `sample-${name}`;
  }
  return params;
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('error catalog', () => {
  it('the 15 supported locales are those docs/api lists, in its order, en-US first', () => {
    assert.equal(SUPPORTED_LOCALES.length, 15);
    assert.deepEqual(DOCUMENTED_LOCALES, [...SUPPORTED_LOCALES]);
    assert.equal(DEFAULT_LOCALE, 'en-US');
  });

  it('every code is {httpStatus}-{n} and answers with the status of its prefix', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.match(code, /^\d{3}-\d{3}$/, code);
      assert.equal(status, Number(code.slice(0, 3)), `${code} answers ${status}`);
    }
  });

  it('every locale has exactly the keys of en-US (errors and display)', () => {
    const errorKeys = sorted(Object.keys(english.errors));
    const displayKeys = sorted(Object.keys(english.display));
    for (const [locale, catalog] of catalogs) {
      assert.deepEqual(sorted(Object.keys(catalog)), ['display', 'errors'], `${locale}: top-level keys`);
      assert.deepEqual(sorted(Object.keys(catalog.errors)), errorKeys, `${locale}: error codes`);
      assert.deepEqual(sorted(Object.keys(catalog.display)), displayKeys, `${locale}: display keys`);
      for (const [code, texts] of Object.entries(catalog.errors)) {
        assert.deepEqual(
          sorted(Object.keys(texts)),
          ['developer', 'user'],
          `${locale} ${code}: message kinds`,
        );
      }
      for (const [key, text] of Object.entries(catalog.display)) {
        assert.ok(typeof text === 'string' && text.trim() !== '', `${locale}: display ${key} is empty`);
      }
    }
  });

  it('every catalog message belongs to a code of ERROR_STATUS or is a declared variant of one', () => {
    const orphans = Object.keys(english.errors).filter((key) => !messageKeys.includes(key));
    assert.deepEqual(orphans, []);
    for (const variant of variants) {
      const [code, operation, ...rest] = variant.split('#');
      assert.ok(code in ERROR_STATUS && /^[a-z]+$/.test(operation ?? '') && rest.length === 0, variant);
    }
  });

  it('every declared variant is in every locale, its placeholders a subset of what its operation passes', () => {
    for (const [locale, catalog] of catalogs) {
      for (const variant of variants) {
        const texts = catalog.errors[variant];
        assert.ok(texts, `${locale}: no messages for ${variant}`);
        const passed: readonly string[] = MESSAGE_VARIANTS[variant];
        for (const kind of ['developer', 'user'] as Kind[]) {
          const unpassed = [...placeholdersOf(texts[kind], locale).keys()].filter(
            (name) => !passed.includes(name),
          );
          assert.deepEqual(
            unpassed,
            [],
            `${locale} ${variant} ${kind}: placeholders its operation does not pass`,
          );
        }
      }
    }
  });

  it("a variant is worded for its operation: its messages differ from the code's own in every locale", () => {
    for (const [locale, catalog] of catalogs) {
      for (const variant of variants) {
        const own = catalog.errors[variant.split('#')[0]];
        const worded = catalog.errors[variant];
        assert.ok(
          worded.developer !== own.developer || worded.user !== own.user,
          `${locale} ${variant}: the same messages as the code's own`,
        );
      }
    }
  });

  it('every code and variant has a developer and a user message in all 15 locales that format with every placeholder filled', () => {
    for (const locale of SUPPORTED_LOCALES) {
      const catalog = catalogs.get(locale)!;
      for (const code of messageKeys) {
        const texts = catalog.errors[code];
        assert.ok(texts, `${locale}: no messages for ${code}`);
        for (const kind of ['developer', 'user'] as const) {
          const text = texts[kind];
          assert.ok(
            typeof text === 'string' && text.trim() !== '',
            `${locale} ${code}: empty ${kind} message`,
          );
          const placeholders = new Map([
            ...placeholdersOf(english.errors[code][kind], 'en-US'),
            ...placeholdersOf(text, locale),
          ]);
          const params = sampleParams(placeholders);
          const rendered =
            kind === 'developer'
              ? messages.developerMessage(locale, code, params)
              : messages.userMessage(locale, code, params);
          assert.doesNotMatch(
            rendered,
            /[{}]/,
            `${locale} ${code} ${kind}: stray brace in ${JSON.stringify(rendered)}`,
          );
          assert.ok(rendered.trim() !== '', `${locale} ${code} ${kind}: renders empty`);
          if (kind === 'developer') {
            assert.ok(
              rendered.length <= DEVELOPER_MESSAGE_LIMIT,
              `${locale} ${code}: developer message of ${rendered.length} characters`,
            );
          }
        }
      }
    }
  });

  it('the placeholders of every message are those of its en-US original', () => {
    for (const [locale, catalog] of catalogs) {
      for (const code of Object.keys(english.errors)) {
        for (const kind of ['developer', 'user'] as Kind[]) {
          assert.deepEqual(
            sorted(placeholdersOf(catalog.errors[code][kind], locale).keys()),
            sorted(placeholdersOf(english.errors[code][kind], 'en-US').keys()),
            `${locale} ${code} ${kind}: placeholders differ from en-US`,
          );
        }
      }
    }
  });

  it('translations are not English copies: most messages of every other locale differ from en-US', () => {
    for (const [locale, catalog] of catalogs) {
      if (locale.startsWith('en-')) continue;
      for (const kind of ['developer', 'user'] as Kind[]) {
        const all = Object.keys(english.errors);
        const copies = all.filter((code) => catalog.errors[code][kind] === english.errors[code][kind]);
        assert.ok(
          copies.length * 2 < all.length,
          `${locale}: ${copies.length} of ${all.length} ${kind} messages are the en-US text (${copies.join(', ')})`,
        );
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The API reference (docs/api).

const CODE = /\b\d{3}-\d{3}\b/g;
/**
 * eGain's documentation answers a locked activity with `400-177` under a 403 response; the reference
 * mentions it only to say we deliberately answer `403-177` (status kept in the code).
 */
const EGAIN_ONLY = new Set(['400-177']);

describe('error catalog and the API reference (docs/api)', () => {
  it('the code table lists every code of ERROR_STATUS once, with its HTTP status', () => {
    const listed = DOCUMENTED_CODES.map((row) => row.code);
    assert.deepEqual(
      listed.filter((code, i) => listed.indexOf(code) !== i),
      [],
      'codes listed twice',
    );
    assert.deepEqual(
      codes.filter((code) => !listed.includes(code)),
      [],
      'codes of ERROR_STATUS missing from the table in docs/api/README.md',
    );
    for (const { code, status } of DOCUMENTED_CODES) {
      assert.ok(code in ERROR_STATUS, `docs/api/README.md lists ${code}, which ERROR_STATUS does not have`);
      assert.equal(
        status,
        ERROR_STATUS[code as keyof typeof ERROR_STATUS],
        `${code}: documented HTTP status`,
      );
    }
  });

  it('every code mentioned anywhere in docs/api is in ERROR_STATUS', () => {
    assert.ok(apiPages.size >= 3, `docs/api has ${apiPages.size} pages`);
    for (const [name, page] of apiPages) {
      const mentioned = new Set(page.match(CODE) ?? []);
      const missing = [...mentioned].filter((code) => !EGAIN_ONLY.has(code) && !(code in ERROR_STATUS));
      assert.deepEqual(missing, [], `codes of docs/api/${name} missing from ERROR_STATUS`);
    }
  });

  // Sample values for the templates' {placeholders}: lists as the service passes them, and their text.
  const samples: Record<string, { param: string | number | readonly string[]; text: string }> = {
    ids: { param: ['1217', '1220'], text: '1217,1220' },
    names: { param: ['color', 'size'], text: 'color,size' },
    name: { param: 'unpin', text: 'unpin' },
    attribute: { param: 'activity.color', text: 'activity.color' },
    action: { param: 'Pick Activities', text: 'Pick Activities' },
    path: { param: '/core/casemgr/v3/nope', text: '/core/casemgr/v3/nope' },
    max: { param: 75, text: '75' },
    seconds: { param: 5, text: '5' },
    header: { param: 'Content-Encoding', text: 'Content-Encoding' },
    values: { param: 'yes', text: 'yes' },
    value: { param: 'history', text: 'history' },
    supported: { param: 'all,created,payload', text: 'all,created,payload' },
    userId: { param: '1003', text: '1003' },
    queueId: { param: '10', text: '10' },
    department: { param: 'Sales', text: 'Sales' },
  };
  /** The catalog's en-US developerMessage of `key` is the documented template, placeholders and all. */
  function assertDocumented(key: string, template: string) {
    assert.ok(template !== '', `${key}: no documented message`);
    const params: Record<string, string | number | readonly string[]> = {};
    const expected = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const sample = samples[name];
      assert.ok(sample, `no sample value for {${name}} in ${JSON.stringify(template)}`);
      params[name] = sample.param;
      return sample.text;
    });
    assert.equal(messages.developerMessage('en-US', key, params), expected, `${key}: en-US developerMessage`);
    // The documented placeholders are exactly the template's: none left out, none made up.
    assert.deepEqual(
      sorted(Object.keys(params)),
      sorted(placeholdersOf(english.errors[key].developer, 'en-US').keys()),
      `${key}: documented placeholders`,
    );
  }

  it('the en-US developer messages are the documented templates', () => {
    for (const { code, template } of DOCUMENTED_CODES) assertDocumented(code, template);
  });

  it('the Message variants table lists every variant once, with its en-US developer message', () => {
    assert.deepEqual(
      sorted(DOCUMENTED_VARIANTS.map((row) => row.variant)),
      sorted(variants),
      'variants of docs/api/README.md',
    );
    for (const { variant, template } of DOCUMENTED_VARIANTS) assertDocumented(variant, template);
  });
});

// ---------------------------------------------------------------------------------------------
// The 255-character limit.

/** Codes and variants whose message lists activity ids. */
const idCodes = messageKeys.filter((key) =>
  placeholdersOf(english.errors[key].developer, 'en-US').has('ids'),
);

describe('developer messages within 255 characters', () => {
  it('a list of 75 ids of 18 digits is cut with "…" after the most whole ids that fit, in every locale', () => {
    assert.ok(idCodes.length >= 10, `${idCodes.length} codes list ids`);
    const ids = Array.from({ length: 75 }, (_, i) => String(100_000_000_000_000_000n + BigInt(i) * 7_919n));
    assert.ok(ids.every((id) => /^[1-9]\d{17}$/.test(id)));
    for (const locale of SUPPORTED_LOCALES) {
      for (const code of idCodes) {
        const template = catalogs.get(locale)!.errors[code].developer;
        const others = sampleParams(placeholdersOf(template, locale));
        const rendered = messages.developerMessage(locale, code, { ...others, ids });
        const where = `${locale} ${code}: ${JSON.stringify(rendered)}`;
        assert.ok(rendered.length <= DEVELOPER_MESSAGE_LIMIT, `${rendered.length} characters — ${where}`);
        assert.ok(rendered.includes(ELLIPSIS), `cut with "…" — ${where}`);
        // Exactly the template with a prefix of whole ids and "…", the longest prefix that fits.
        const format = (count: number) =>
          String(
            new IntlMessageFormat(template, locale).format({
              ...(others as Record<string, string | number>),
              ids: ids.slice(0, count).join(',') + ELLIPSIS,
            }),
          );
        const kept = Array.from({ length: 75 }, (_, count) => count).find(
          (count) => format(count) === rendered,
        );
        assert.ok(kept !== undefined && kept >= 1, `keeps at least one whole id — ${where}`);
        assert.ok(format(kept + 1).length > DEVELOPER_MESSAGE_LIMIT, `keeps as many ids as fit — ${where}`);
      }
    }
  });

  it('a cut never splits a character (no lone surrogate)', () => {
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    fc.assert(
      fc.property(
        fc.constantFrom(...SUPPORTED_LOCALES),
        fc.constantFrom(...messageKeys),
        fc.integer({ min: 1, max: 300 }),
        (locale, code, n) => {
          const params: Record<string, string | number | readonly string[]> = {};
          for (const [name] of placeholdersOf(english.errors[code].developer, 'en-US')) {
            params[name] = LIST_PLACEHOLDERS.has(name)
              ? ['🙂'.repeat(n)]
              : name === 'max' || name === 'seconds'
                ? 75
                : '🙂'.repeat(n);
          }
          const rendered = messages.developerMessage(locale, code, params);
          assert.ok(!lone.test(rendered), `${locale} ${code}: ${JSON.stringify(rendered.slice(-20))}`);
        },
      ),
      { numRuns: 1000, includeErrorInReport: true },
    );
  });

  it('no parameter values, however long, take a developer message over 255 characters', () => {
    // What the service passes: lists name at least one id or parameter (every offending one), counts
    // are numbers, and names (attributes, parameters, paths) are any text the client sent.
    const NUMERIC = new Set(['max', 'seconds']);
    const idArb = fc.stringMatching(/^[1-9][0-9]{0,17}$/);
    const textArb = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc
        .record({ ch: fc.constantFrom('x', 'é', '🙂'), n: fc.integer({ min: 200, max: 2000 }) })
        .map((s) => s.ch.repeat(s.n)),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...SUPPORTED_LOCALES),
        fc.constantFrom(...messageKeys),
        fc.array(idArb, { minLength: 1, maxLength: 150 }),
        fc.array(textArb, { minLength: 1, maxLength: 5 }),
        textArb,
        (locale, code, ids, names, text) => {
          const params: Record<string, string | number | readonly string[]> = {};
          for (const [name, kind] of placeholdersOf(english.errors[code].developer, 'en-US')) {
            params[name] =
              name === 'ids'
                ? ids
                : name === 'names'
                  ? names
                  : kind === 'number' || NUMERIC.has(name)
                    ? 75
                    : text;
          }
          const rendered = messages.developerMessage(locale, code, params);
          assert.ok(
            rendered.length <= DEVELOPER_MESSAGE_LIMIT,
            `${locale} ${code}: ${rendered.length} characters: ${JSON.stringify(rendered.slice(0, 300))}`,
          );
        },
      ),
      { numRuns: 2000, includeErrorInReport: true },
    );
  });
});
