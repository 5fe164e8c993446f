// Serves the agent console (console/, built into dist/console) at /console: the page at /console,
// /console/ and /console/callback (the sign-in's redirect URI), never cached, and its hashed assets,
// cached for good. The page is a client of the public API only; its Content-Security-Policy allows
// nothing but this origin's own scripts, styles and requests.
import type { FastifyInstance, FastifyReply } from 'fastify';
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

export function registerConsole(server: FastifyInstance, options: { readonly dir: string }): void {
  const files = readConsoleFiles(options.dir);
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
