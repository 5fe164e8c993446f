// The agent console's built files (scripts/build-console.mjs writes them to dist/console), read once
// at start: the page and its content-hashed assets. A checkout that was never built has none; the
// service still starts and answers /console with a page that says so.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/console at the package root, from src/http/console (tsx) and dist/http/console alike. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console', import.meta.url));

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

export interface ConsoleFiles {
  readonly page: Buffer;
  /** By file name (each name carries its content's hash). */
  readonly assets: ReadonlyMap<string, ConsoleAsset>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The built console, or undefined when `dir` holds no index.html (never built). */
export function readConsoleFiles(dir: string): ConsoleFiles | undefined {
  const pagePath = join(dir, 'index.html');
  if (!existsSync(pagePath)) return undefined;
  const assetsDir = join(dir, 'assets');
  const assets = new Map<string, ConsoleAsset>();
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) assets.set(name, { body: readFileSync(join(assetsDir, name)), contentType });
  }
  return { page: readFileSync(pagePath), assets };
}
