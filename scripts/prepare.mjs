// `npm ci` runs this: build dist/ when the TypeScript compiler is installed (a production install
// with --omit=dev has none, and bin/casemgr.js then runs the sources through tsx).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (existsSync(new URL('../node_modules/typescript/bin/tsc', import.meta.url))) {
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
}
