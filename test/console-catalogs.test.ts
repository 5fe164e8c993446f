// Holds the agent console's UI catalogs (console/locales/<locale>.json) to en-US and to the locales
// the console offers: one catalog per API locale and no other, each a flat map of non-empty texts
// with exactly en-US's keys and, key by key, the same {placeholders}. console/src/i18n.ts fills
// `{name}` and nothing else (no ICU plural or select syntax) and falls back to en-US per key, so a
// missing key would show English on that one page, and a renamed placeholder raw braces. Plural
// forms are keys of their own (`picked.one`, chosen by Intl.PluralRules, the base key serving the
// other counts): such a text may spell its count out only where that form is the count 1 alone.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SUPPORTED_LOCALES } from '../src/i18n/locales.js';

const CATALOGS = new URL('../console/locales/', import.meta.url);
// Imported at run time: console/ is type-checked by its own tsconfig (DOM lib), not the root one.
const consoleI18n = (await import(new URL('../console/src/i18n.ts', import.meta.url).href)) as {
  API_LOCALES: readonly string[];
  FALLBACK_LOCALE: string;
};

type Catalog = Record<string, string>;

/** A plural form's key: `picked.one` is `picked` for the counts the locale's rule calls "one". */
const PLURAL_FORM = /^(.+)\.(zero|one|two|few|many|other)$/;
/** The counts a selection can have (at most 75 activities), and then some. */
const COUNTS = Array.from({ length: 101 }, (_, count) => count);
/** Whether the locale's plural rule gives `form` to the count 1 and no other whole count (en: yes, fr: 0 too, ru: 21 too). */
const formIsOneAlone = (locale: string, form: string) => {
  const rules = new Intl.PluralRules(locale);
  return COUNTS.filter((count) => rules.select(count) === form).every((count) => count === 1);
};

const catalogFiles = readdirSync(CATALOGS).filter((name) => name.endsWith('.json'));
const catalogs = new Map(
  catalogFiles.map((name) => [
    name.replace(/\.json$/, ''),
    JSON.parse(readFileSync(new URL(name, CATALOGS), 'utf8')) as unknown,
  ]),
);

/** The placeholder names of a text, sorted, each once: `{count} of {count}` is ['count']. */
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

/** What is left of a text once its placeholders are taken out: any brace there is syntax i18n.ts does not read. */
const strayBraces = (text: string) => text.replace(/\{\w+\}/g, '').match(/[{}]/g) ?? [];

function asCatalog(locale: string): Catalog {
  const catalog = catalogs.get(locale);
  assert.ok(catalog && typeof catalog === 'object' && !Array.isArray(catalog), `${locale}.json is an object`);
  for (const [key, text] of Object.entries(catalog)) {
    assert.equal(typeof text, 'string', `${locale}.json "${key}" is a string`);
    assert.notEqual((text as string).trim(), '', `${locale}.json "${key}" is not empty`);
  }
  return catalog as Catalog;
}

const reference = asCatalog(consoleI18n.FALLBACK_LOCALE);

describe('console catalogs', () => {
  it('the console offers exactly the API locales, in the API order', () => {
    assert.deepEqual([...consoleI18n.API_LOCALES], [...SUPPORTED_LOCALES]);
  });

  it('there is one catalog per locale the console offers, and no other', () => {
    assert.deepEqual([...catalogs.keys()].sort(), [...consoleI18n.API_LOCALES].sort());
  });

  it('every plural form in en-US has its base text, which serves the other counts', () => {
    for (const key of Object.keys(reference)) {
      const base = PLURAL_FORM.exec(key)?.[1];
      if (base !== undefined) assert.ok(base in reference, `${key} without ${base}`);
    }
  });

  for (const locale of consoleI18n.API_LOCALES) {
    describe(locale, () => {
      it("has exactly en-US's keys", () => {
        const keys = Object.keys(asCatalog(locale));
        const missing = Object.keys(reference).filter((key) => !keys.includes(key));
        const extra = keys.filter((key) => !(key in reference));
        assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
      });

      it("has en-US's placeholders in every text, and no other brace", () => {
        const catalog = asCatalog(locale);
        for (const [key, english] of Object.entries(reference)) {
          const text = catalog[key];
          if (text === undefined) continue; // reported by the key test
          const form = PLURAL_FORM.exec(key)?.[2];
          if (form === undefined)
            assert.deepEqual(placeholders(text), placeholders(english), `${locale} "${key}": ${text}`);
          else {
            const others = (names: string[]) => names.filter((name) => name !== 'count');
            assert.deepEqual(
              others(placeholders(text)),
              others(placeholders(english)),
              `${locale} "${key}": ${text}`,
            );
            if (!placeholders(text).includes('count'))
              assert.ok(
                formIsOneAlone(locale, form),
                `${locale} "${key}" spells out a count its form "${form}" does not fix: ${text}`,
              );
          }
          assert.deepEqual(strayBraces(text), [], `${locale} "${key}": ${text}`);
        }
      });

      if (locale !== consoleI18n.FALLBACK_LOCALE)
        it('is a translation, not a copy of en-US (short labels such as "ID" may match)', () => {
          const catalog = asCatalog(locale);
          const same = Object.keys(reference).filter((key) => catalog[key] === reference[key]);
          assert.ok(
            same.length <= Object.keys(reference).length / 4,
            `${locale} copies en-US: ${same.join(', ')}`,
          );
        });
    });
  }
});
