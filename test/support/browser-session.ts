// What a browser does in an OAuth sign-in, without a browser: fetch with redirects followed by hand
// and a cookie jar (by name; the provider's cookies have distinct names).
export class BrowserSession {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly acceptLanguage = 'en-US',
  ) {}

  async fetch(
    path: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'accept-language': this.acceptLanguage };
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(new URL(path, this.baseUrl), {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) this.keep(line);
    return response;
  }

  /** Another browser holding this one's cookies as they are now (a stolen or replayed cookie). */
  copy(): BrowserSession {
    return this.copyTo(this.baseUrl);
  }

  /** The same browser talking to another instance of the service (as a load balancer may send it). */
  copyTo(baseUrl: string): BrowserSession {
    const twin = new BrowserSession(baseUrl, this.acceptLanguage);
    for (const [name, value] of this.cookies) twin.cookies.set(name, value);
    return twin;
  }

  private keep(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    const expired = attributes.some((a) => {
      const [key = '', date = ''] = a.split('=');
      return key.trim().toLowerCase() === 'expires' && Date.parse(date) <= Date.now();
    });
    if (value === '' || expired) this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}
