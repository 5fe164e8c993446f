// Bundles the agent console (console/) into dist/console with esbuild: the script and the style
// sheet under content-hashed names (served with immutable cache headers), the locale catalogs and
// the icon (linked from the page, so the browser never asks for a missing /favicon.ico) hashed too, and index.html rewritten to name them. The catalogs that exist are handed to the
// bundle as a constant, so the console loads whichever exists and falls back to en-US.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const source = new URL('console/', root);
const out = new URL('dist/console/', root);
const assets = new URL('assets/', out);

const hashOf = (content) => createHash('sha256').update(content).digest('hex').slice(0, 12);

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const locales = {};
for (const file of readdirSync(new URL('locales/', source))
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const content = readFileSync(new URL(`locales/${file}`, source));
  JSON.parse(content.toString('utf8')); // a broken catalog fails the build, not the browser
  const name = `${file.replace(/\.json$/, '')}-${hashOf(content)}.json`;
  writeFileSync(new URL(name, assets), content);
  locales[file.replace(/\.json$/, '')] = `/console/assets/${name}`;
}

const iconContent = readFileSync(new URL('icon.svg', source));
const icon = `icon-${hashOf(iconContent)}.svg`;
writeFileSync(new URL(icon, assets), iconContent);

const result = await build({
  entryPoints: [new URL('src/main.ts', source).pathname, new URL('styles.css', source).pathname],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outdir: assets.pathname,
  entryNames: '[name]-[hash]',
  metafile: true,
  define: { CONSOLE_LOCALE_FILES: JSON.stringify(locales) },
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((path) => path.split('/').pop());
const script = outputs.find((f) => f.startsWith('main-') && f.endsWith('.js'));
const style = outputs.find((f) => f.startsWith('styles-') && f.endsWith('.css'));
if (!script || !style) throw new Error(`console bundle incomplete: ${outputs.join(', ')}`);
const html = readFileSync(new URL('index.html', source), 'utf8')
  .replace('%SCRIPT%', `/console/assets/${script}`)
  .replace('%STYLE%', `/console/assets/${style}`)
  .replace('%ICON%', `/console/assets/${icon}`);
writeFileSync(new URL('index.html', out), html);
console.log(`console: ${script}, ${style}, ${Object.keys(locales).length} locale(s)`);
