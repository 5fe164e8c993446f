// The console's language: the first of the browser's languages (or the one picked in the header)
// that the API speaks, matched as the API matches Accept-Language (a bare language picks the first
// locale of that language below). The texts come from that locale's catalog when one exists, with
// en-US filling in whatever it lacks; the API is asked for the same locale, so error reasons and
// display values match the page.
import { SUPPORTED_LOCALES } from '../../src/i18n/locales.js';

/** The API's 15 locales, in the API's order: the API's own list (a module with no imports, bundled). */
export const API_LOCALES = SUPPORTED_LOCALES;
export const FALLBACK_LOCALE = 'en-US';
const PICKED_KEY = 'casemgr.console.locale';

export function negotiateLocale(preferred: readonly string[]): string {
  for (const tag of preferred) {
    const exact = API_LOCALES.find((l) => l.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const language = tag.split('-')[0]?.toLowerCase();
    const sameLanguage = API_LOCALES.find((l) => l.split('-')[0] === language);
    if (sameLanguage) return sameLanguage;
  }
  return FALLBACK_LOCALE;
}

/** The picked locale (kept across visits: it is a preference, not a secret), else the browser's. */
export function initialLocale(): string {
  const picked = localStorage.getItem(PICKED_KEY);
  if (picked && (API_LOCALES as readonly string[]).includes(picked)) return picked;
  return negotiateLocale(navigator.languages);
}

export function rememberLocale(locale: string): void {
  localStorage.setItem(PICKED_KEY, locale);
}

export type Catalog = Readonly<Record<string, string>>;

export interface Texts {
  /** The API locale asked for (Accept-Language). */
  readonly locale: string;
  /** The locale the texts are in (lang attribute): `locale`, or en-US when it has no catalog. */
  readonly textLocale: string;
  readonly t: (key: string, values?: Readonly<Record<string, string | number>>) => string;
}

async function fetchCatalog(locale: string): Promise<Catalog | undefined> {
  const url = CONSOLE_LOCALE_FILES[locale];
  if (!url) return undefined;
  const response = await fetch(url);
  return response.ok ? ((await response.json()) as Catalog) : undefined;
}

export async function loadTexts(locale: string): Promise<Texts> {
  const fallback = (await fetchCatalog(FALLBACK_LOCALE)) ?? {};
  const own = locale === FALLBACK_LOCALE ? fallback : await fetchCatalog(locale);
  const catalog: Catalog = { ...fallback, ...own };
  const plurals = new Intl.PluralRules(own ? locale : FALLBACK_LOCALE);
  return {
    locale,
    textLocale: own ? locale : FALLBACK_LOCALE,
    t(key, values = {}) {
      // A count picks the plural form the locale uses (`picked.one`), when the catalog has one.
      const count = values['count'];
      const form = typeof count === 'number' ? `${key}.${plurals.select(count)}` : undefined;
      const text = (form && catalog[form]) ?? catalog[key] ?? key;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in values ? String(values[name]) : whole,
      );
    },
  };
}
