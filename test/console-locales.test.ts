// The console's catalogs (console/locales): each one a locale the API speaks, each with exactly the
// keys of en-US (a missing key would show en-US text, an extra one is a typo), and the console's list
// of the API's locales the same, in the same order, as the API's own (src/i18n/locales.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SUPPORTED_LOCALES } from '../src/i18n/locales.js';

const LOCALES_DIR = new URL('../console/locales/', import.meta.url);
const catalog = (locale: string) =>
  JSON.parse(readFileSync(new URL(`${locale}.json`, LOCALES_DIR), 'utf8')) as Record<string, string>;
const files = readdirSync(LOCALES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

describe('console catalogs', () => {
  it('en-US exists, and every catalog is an API locale', () => {
    assert.ok(files.includes('en-US'));
    for (const locale of files) assert.ok((SUPPORTED_LOCALES as readonly string[]).includes(locale), locale);
  });

  it("every catalog has exactly en-US's keys, each a non-empty text with the same placeholders", () => {
    const english = catalog('en-US');
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const locale of files) {
      const texts = catalog(locale);
      assert.deepEqual(Object.keys(texts).sort(), Object.keys(english).sort(), locale);
      for (const [key, text] of Object.entries(texts)) {
        assert.ok(text.trim() !== '', `${locale} ${key}`);
        // A plural form for one may spell the count out ("1 activity"); others must keep every placeholder.
        const expected = placeholders(english[key]).filter((p) => !(key.endsWith('.one') && p === 'count'));
        for (const name of expected)
          assert.ok(placeholders(text).includes(name), `${locale} ${key}: {${name}}`);
      }
    }
  });

  it("the console's list of API locales is the API's, in its order", () => {
    const source = readFileSync(new URL('../console/src/i18n.ts', import.meta.url), 'utf8');
    const list = /API_LOCALES = \[([^\]]+)\]/.exec(source)?.[1] ?? '';
    assert.deepEqual(
      [...list.matchAll(/'([a-z]{2}-[A-Z]{2})'/g)].map((m) => m[1]),
      [...SUPPORTED_LOCALES],
    );
  });
});
