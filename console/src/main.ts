// casemgr's agent console: signs in (code + PKCE, src/auth.ts), then shows the agent's work through
// the public API only, and follows the live event stream.
//
// Stable hooks for tests (data-testid, unless an accessible name is given):
//   app                       the root; data-state = loading | signed-out | failed | ready
//   sign-in                   button on the signed-out / failed screens
//   user-name, language (select, label "Language"), sign-out
//   live-banner               role=status, aria-live=polite: "activity N was taken from you by X"
//   tab-mine, tab-queues, tab-colleagues   the views (aria-current=page on the shown one)
//   queue-list > queue[data-queue-id] (its count: [data-testid=count]); colleague-list > colleague[data-user-id]
//   list-heading, activity-table, activity-row[data-activity-id][data-pinned], activity-status,
//   activity-subject, activity-case, select-activity[data-activity-id] (label "Select activity N"),
//   empty-list, load-error, sort, order, page-size, pager-prev, pager-next, page-info
//   selection-count, pick, unpin (checkbox, shown when a pinned activity is selected), pull-next,
//   complete, transfer-kind (user | queue | department), transfer-target (an id), transfer
//   outcome-status > outcome-done           what the last action did (role=status)
//   outcome-alert > outcome-refused[data-code] > nothing-changed, rejection[data-activity-id] (role=alert)
//   taken-notice[data-activity-id]         inside live-banner
// The page's CSP forbids inline scripts: a test that injects one (axe-core) needs a browser context
// with `bypassCSP: true`.
import { call, type ApiContext, type Me } from './api.js';
import { consoleOrigin, discover, signIn, signOut, startAuthorization, type Session } from './auth.js';
import { ConsoleApp } from './console-app.js';
import { el } from './dom.js';
import { API_LOCALES, initialLocale, loadTexts, rememberLocale, type Texts } from './i18n.js';
import { watchLive } from './live.js';

const root = document.getElementById('app')!;

function setState(state: string): void {
  root.setAttribute('data-state', state);
}

function languagePicker(texts: Texts): HTMLElement {
  const names = new Intl.DisplayNames([texts.textLocale], { type: 'language' });
  const select = el(
    'select',
    { id: 'language', 'data-testid': 'language' },
    ...API_LOCALES.map((l) => el('option', { value: l, selected: l === texts.locale }, names.of(l) ?? l)),
  );
  select.addEventListener('change', () => {
    rememberLocale(select.value);
    // Reloading signs straight back in (the provider's session), in the new language.
    location.reload();
  });
  return el('span', { class: 'language' }, el('label', { for: 'language' }, texts.t('language')), select);
}

function screen(texts: Texts, state: string, message: string, onSignIn: () => void): void {
  setState(state);
  const button = el('button', { type: 'button', 'data-testid': 'sign-in' }, texts.t('signIn'));
  button.addEventListener('click', onSignIn);
  root.replaceChildren(
    el('header', {}, el('h1', {}, texts.t('title')), languagePicker(texts)),
    el('main', { id: 'main' }, el('p', { 'data-testid': 'message' }, message), button),
  );
}

async function start(): Promise<void> {
  setState('loading');
  const texts = await loadTexts(initialLocale());
  document.documentElement.lang = texts.textLocale;
  document.title = texts.t('title');
  const discovery = await discover();
  if (location.origin !== consoleOrigin(discovery)) {
    // The redirect URI is registered at PUBLIC_URL: run the console there.
    location.replace(`${consoleOrigin(discovery)}/console/`);
    return;
  }
  const again = () => void startAuthorization(discovery, texts.locale);
  const outcome = await signIn(discovery, texts.locale);
  if (outcome.kind === 'redirecting') return;
  if (outcome.kind === 'signed-out') return screen(texts, 'signed-out', texts.t('signedOut'), again);
  if (outcome.kind === 'failed')
    return screen(texts, 'failed', texts.t('signInFailed', { reason: outcome.reason }), again);
  await run(outcome.session, texts, () => signOut(discovery, outcome.session), again);
}

async function run(session: Session, texts: Texts, logout: () => void, again: () => void): Promise<void> {
  let reauthorizing = false;
  const context: ApiContext = {
    token: () => session.accessToken,
    locale: () => texts.locale,
    unauthorized: () => {
      // The token expired: the provider's session signs the agent straight back in.
      if (!reauthorizing) again();
      reauthorizing = true;
    },
  };
  const me = await call<Me>(context, 'GET', '/user/me');
  if (!me.ok || !me.body)
    return screen(
      texts,
      'failed',
      texts.t('signInFailed', { reason: me.ok ? '' : me.error.developerMessage }),
      again,
    );
  const user = me.body.user;
  const signOutButton = el('button', { type: 'button', 'data-testid': 'sign-out' }, texts.t('signOut'));
  signOutButton.addEventListener('click', logout);
  const header = el(
    'header',
    {},
    el('h1', {}, texts.t('title')),
    el(
      'p',
      { class: 'who' },
      texts.t('signedInAs'),
      ' ',
      el('strong', { 'data-testid': 'user-name' }, user.name),
    ),
    languagePicker(texts),
    signOutButton,
  );
  const banner = el('div', {
    class: 'banner',
    role: 'status',
    'aria-live': 'polite',
    'data-testid': 'live-banner',
  });
  const app = new ConsoleApp(context, texts, user);
  app.mount(root, { header, banner });
  setState('ready');
  watchLive(context, texts, user, banner, () => app.refresh());
}

start().catch((error: unknown) => {
  setState('failed');
  root.replaceChildren(el('main', {}, el('p', { role: 'alert' }, String(error))));
});
