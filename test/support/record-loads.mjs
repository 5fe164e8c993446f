// Loaded with `node --import` before the CLI: writes the URL of every module the process loaded to
// the file named by CASEMGR_RECORD_LOADS when it exits, so a test can tell which code a command
// needed without timing it.
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.CASEMGR_RECORD_LOADS;
const loaded = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    loaded.add(resolved.url);
    return resolved;
  },
});
if (out) process.on('exit', () => appendFileSync(out, [...loaded].join('\n')));
