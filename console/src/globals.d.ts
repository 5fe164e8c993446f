// Set by scripts/build-console.mjs: each locale catalog that exists, by locale, to its hashed URL.
declare const CONSOLE_LOCALE_FILES: Readonly<Record<string, string>>;
