#!/usr/bin/env node
// Runs the compiled CLI when it has been built (npm ci builds it through `prepare`), else the
// TypeScript sources through tsx, so a checkout works either way.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node's on-disk compile cache (in the OS temp folder) spares every later run the parsing and
// compiling of the dependencies (Kysely alone is hundreds of files): a short command like
// `casemgr token` starts in a fraction of the time. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
