// The compiled code reads its locale catalogs beside itself: copy them next to the emitted JS.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/i18n/locales', import.meta.url), new URL('../dist/i18n/locales', import.meta.url), {
  recursive: true,
});
