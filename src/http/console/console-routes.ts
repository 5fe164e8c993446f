// Serves the agent console (console/, built into dist/console) at /console: the page at /console,
// /console/ and /console/callback (the sign-in's redirect URI), never cached, and its hashed assets,
// cached for good, and its settings at /console/config.json (the scopes to ask for, which carry
// AUTH_SCOPE_PREFIX), made at start and fetched like any file, so the page needs no inline script.
// The page is a client of the public API only; its Content-Security-Policy allows nothing but this
// origin's own scripts, styles and requests.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { apiScopesOf } from '../../auth/oidc/embedded-provider.js';
import { readConsoleFiles } from './console-files.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const PAGE_PATHS = ['/console', '/console/', '/console/callback'];
const IMMUTABLE = 'public, max-age=31536000, immutable';

const MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>casemgr console</title></head>
<body><main><h1>The console is not built</h1>
<p>dist/console is missing: run <code>npm run build</code> (or <code>npm ci</code>) and restart casemgr.</p>
</main></body></html>`;

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CONSOLE_CSP)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff');
}

/** What the console needs to know about this deployment, served as /console/config.json. */
export interface ConsoleSettings {
  /** The scopes its authorization request asks for (`openid` and the API's, prefixed). */
  readonly scope: string;
}

export function consoleSettings(scopePrefix: string): ConsoleSettings {
  return { scope: ['openid', ...apiScopesOf(scopePrefix)].join(' ') };
}

export function registerConsole(
  server: FastifyInstance,
  options: { readonly dir: string; readonly settings: ConsoleSettings },
): void {
  const files = readConsoleFiles(options.dir);
  const settings = JSON.stringify(options.settings);
  server.get('/console/config.json', async (_request, reply) =>
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(settings),
  );
  if (!files) {
    server.log.error({ dir: options.dir }, 'the console is not built (npm run build): /console answers 503');
  }
  for (const path of PAGE_PATHS) {
    server.get(path, async (_request, reply) => {
      if (!files) return pageHeaders(reply).code(503).send(MISSING_PAGE);
      return pageHeaders(reply).code(200).send(files.page);
    });
  }
  server.get<{ Params: { name: string } }>('/console/assets/:name', async (request, reply) => {
    const asset = files?.assets.get(request.params.name);
    if (!asset) return reply.code(404).header('cache-control', 'no-store').send();
    return reply
      .header('content-type', asset.contentType)
      .header('cache-control', IMMUTABLE)
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  });
}
