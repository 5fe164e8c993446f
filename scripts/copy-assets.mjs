// The compiled code reads its catalogs beside itself: copy them next to the emitted JS.
import { cpSync } from 'node:fs';

for (const catalogs of ['i18n/locales', 'auth/oidc/locales']) {
  cpSync(new URL(`../src/${catalogs}`, import.meta.url), new URL(`../dist/${catalogs}`, import.meta.url), {
    recursive: true,
  });
}
