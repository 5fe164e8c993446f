// The sign-in pages in the API's 15 locales: every catalog has every text, Accept-Language picks the
// page's language (with the region falling back to the language), and the html lang says which.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CONSOLE_CALLBACK_PATH, CONSOLE_CLIENT_ID } from '../src/auth/oidc/embedded-provider.js';
import { loadPageCatalog, PAGE_TEXT_KEYS, pageLanguageOf, textsOf } from '../src/auth/oidc/sign-in-pages.js';
import { SUPPORTED_LOCALES } from '../src/i18n/locales.js';
import { BrowserSession } from './support/browser-session.js';
import { startTestService, type TestService } from './support/test-service.js';

const decodeEntities = (html: string) =>
  html.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));

describe('sign-in page catalogs', () => {
  it('have exactly the page texts in every locale, none empty, none left in English', () => {
    const english = loadPageCatalog('en-US');
    for (const locale of SUPPORTED_LOCALES) {
      const catalog = loadPageCatalog(locale);
      assert.deepEqual(Object.keys(catalog).sort(), [...PAGE_TEXT_KEYS].sort(), locale);
      for (const key of PAGE_TEXT_KEYS) {
        const text = catalog[key];
        assert.ok(typeof text === 'string' && text.trim() !== '', `${locale} ${key}`);
        // "Password" is the Italian word too; every other text is translated.
        if (locale !== 'en-US' && !(locale === 'it-IT' && key === 'password'))
          assert.notEqual(text, english[key], `${locale} ${key} is still English`);
      }
    }
  });

  it('choose the language from Accept-Language, regions falling back to their language', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'en-US'],
      ['*', 'en-US'],
      ['tlh', 'en-US'],
      ['fr', 'fr-FR'],
      ['fr-CA,fr;q=0.9', 'fr-CA'],
      ['fr-BE, en-US;q=0.5', 'fr-FR'],
      ['pt', 'pt-BR'],
      ['pt-PT', 'pt-PT'],
      ['pt-AO', 'pt-BR'],
      ['zh-TW', 'zh-CN'],
      ['en-GB', 'en-US'],
      ['en;q=0.1, ja-JP', 'ja-JP'],
    ];
    for (const [header, expected] of cases) assert.equal(pageLanguageOf(header), expected, header);
  });
});

describe('sign-in pages over HTTP', () => {
  let service: TestService;
  before(async () => {
    // The page's language does not depend on the store: one SQLite service is enough.
    service = await startTestService('sqlite', { signIn: true });
  });
  after(async () => {
    await service.close();
  });

  const authorizePath = () =>
    `/oidc/auth?${new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: `${service.baseUrl}${CONSOLE_CALLBACK_PATH}`,
      scope: 'openid core.casemgr.read',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()}`;

  for (const locale of SUPPORTED_LOCALES) {
    it(`serves the login page and the expired page in ${locale}`, async () => {
      const browser = new BrowserSession(service.baseUrl, `${locale},en;q=0.1`);
      const start = await browser.fetch(authorizePath());
      assert.equal(start.status, 303);
      const page = await browser.fetch(start.headers.get('location') ?? '');
      assert.equal(page.status, 200);
      const html = decodeEntities(await page.text());
      const texts = textsOf(locale);
      assert.match(html, new RegExp(`<html lang="${locale}">`));
      for (const text of [texts.title, texts.login, texts.password, texts.submit])
        assert.ok(html.includes(text), `${locale}: ${text}`);

      const expired = await browser.fetch('/oidc/interaction/no-such-interaction');
      assert.equal(expired.status, 400);
      const expiredHtml = decodeEntities(await expired.text());
      assert.match(expiredHtml, new RegExp(`<html lang="${locale}">`));
      assert.ok(expiredHtml.includes(texts.expired), `${locale}: ${texts.expired}`);
    });
  }
});
