// The sign-in pages the embedded OpenID Provider shows: server-rendered HTML with no script and no
// inline style at all (the Content-Security-Policy below forbids both), in the user's language: one
// catalog per locale in ./locales, the API's 15 locales, chosen from Accept-Language.
import { readFileSync } from 'node:fs';
import Negotiator from 'negotiator';
import { DEFAULT_LOCALE, SUPPORTED_LOCALES, type Locale } from '../../i18n/locales.js';
import { firstEntries, negotiateLocale } from '../../http/negotiation.js';

export const PAGE_CSP =
  "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; img-src 'self'";

/** Every text the pages show; each locale's catalog has exactly these keys. */
export const PAGE_TEXT_KEYS = [
  'title',
  'login',
  'password',
  'submit',
  'refused',
  'logoutTitle',
  'logoutYes',
  'logoutNo',
  'loggedOut',
  'expired',
  'error',
] as const;
type Texts = Readonly<Record<(typeof PAGE_TEXT_KEYS)[number], string>>;

export type PageLanguage = Locale;

export function loadPageCatalog(locale: Locale): Record<string, unknown> {
  const url = new URL(`./locales/${locale}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

// Read once at start: a missing catalog or key fails the service at boot, not a user at sign-in.
const CATALOGS = new Map<Locale, Texts>(
  SUPPORTED_LOCALES.map((locale) => {
    const catalog = loadPageCatalog(locale);
    for (const key of PAGE_TEXT_KEYS)
      if (typeof catalog[key] !== 'string') throw new Error(`sign-in catalog ${locale} has no ${key}`);
    return [locale, catalog as Texts];
  }),
);

/**
 * The user's languages by preference, each matched as the API matches it (a bare language picks its
 * first region: fr → fr-FR) or else by its language alone, so that fr-BE gets fr-FR rather than a
 * lower-ranked English; en-US when nothing matches.
 */
export function pageLanguageOf(acceptLanguage: string | undefined): PageLanguage {
  const ranked = new Negotiator({
    headers: { 'accept-language': firstEntries(acceptLanguage ?? '') },
  }).languages();
  for (const tag of ranked) {
    const locale = negotiateLocale(tag) ?? negotiateLocale(tag.split('-')[0]);
    if (locale !== undefined) return locale;
  }
  return DEFAULT_LOCALE;
}

export function textsOf(language: PageLanguage): Texts {
  const texts = CATALOGS.get(language);
  if (!texts) throw new Error(`no sign-in catalog for ${language}`);
  return texts;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(language: PageLanguage, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export interface LoginPageInput {
  readonly language: PageLanguage;
  /** Where the form posts (the interaction's own URL). */
  readonly action: string;
  readonly login?: string;
  readonly refused?: boolean;
}

export function loginPage(input: LoginPageInput): string {
  const t = textsOf(input.language);
  const alert = input.refused ? `<p role="alert" id="sign-in-error">${escapeHtml(t.refused)}</p>\n` : '';
  const describedBy = input.refused ? ' aria-describedby="sign-in-error"' : '';
  return page(
    input.language,
    t.title,
    `${alert}<form method="post" action="${escapeHtml(input.action)}">
<p><label for="login">${escapeHtml(t.login)}</label>
<input id="login" name="login" autocomplete="username" required autofocus value="${escapeHtml(input.login ?? '')}"${describedBy}></p>
<p><label for="password">${escapeHtml(t.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}></p>
<p><button type="submit">${escapeHtml(t.submit)}</button></p>
</form>`,
  );
}

/** oidc-provider's logout confirmation: `form` is its hidden form (the xsrf token), by id. */
export function logoutPage(language: PageLanguage, form: string): string {
  const t = textsOf(language);
  return page(
    language,
    t.logoutTitle,
    `${form}
<p><button type="submit" form="op.logoutForm" name="logout" value="yes">${escapeHtml(t.logoutYes)}</button>
<button type="submit" form="op.logoutForm">${escapeHtml(t.logoutNo)}</button></p>`,
  );
}

export function loggedOutPage(language: PageLanguage): string {
  const t = textsOf(language);
  return page(language, t.loggedOut, '');
}

export function errorPage(language: PageLanguage, detail: string): string {
  const t = textsOf(language);
  return page(language, t.error, `<p>${escapeHtml(detail)}</p>`);
}
