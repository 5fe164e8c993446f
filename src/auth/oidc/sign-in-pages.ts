// The sign-in pages the embedded OpenID Provider shows: server-rendered HTML with no script and no
// inline style at all (the Content-Security-Policy below forbids both), in the user's language
// (English and French for now; other languages fall back to English).
export const PAGE_CSP =
  "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; img-src 'self'";

const CATALOGS = {
  en: {
    title: 'Sign in to casemgr',
    login: 'Login name',
    password: 'Password',
    submit: 'Sign in',
    refused: 'The login name or the password is wrong.',
    logoutTitle: 'Sign out of casemgr?',
    logoutYes: 'Yes, sign me out',
    logoutNo: 'No, stay signed in',
    loggedOut: 'You are signed out.',
    expired: 'This sign-in has expired or is unknown. Go back to the console and sign in again.',
    error: 'The sign-in could not go on',
  },
  fr: {
    title: 'Connexion à casemgr',
    login: 'Identifiant',
    password: 'Mot de passe',
    submit: 'Se connecter',
    refused: "L'identifiant ou le mot de passe est incorrect.",
    logoutTitle: 'Se déconnecter de casemgr ?',
    logoutYes: 'Oui, me déconnecter',
    logoutNo: 'Non, rester connecté',
    loggedOut: 'Vous êtes déconnecté.',
    expired: 'Cette connexion a expiré ou est inconnue. Revenez à la console et reconnectez-vous.',
    error: 'La connexion ne peut pas continuer',
  },
} as const;

export type PageLanguage = keyof typeof CATALOGS;
type Texts = (typeof CATALOGS)[PageLanguage];

/** The first language of Accept-Language (by q, then order) that has a catalog; else English. */
export function pageLanguageOf(acceptLanguage: string | undefined): PageLanguage {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return {
        primary: tag.trim().toLowerCase().split('-')[0] ?? '',
        q: q === undefined ? 1 : Number(q),
        index,
      };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { primary } of ranked) if (primary in CATALOGS) return primary as PageLanguage;
  return 'en';
}

export function textsOf(language: PageLanguage): Texts {
  return CATALOGS[language];
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
