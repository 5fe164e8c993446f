// The 15 locales of eGain's API, in the contract's order: a bare language picks the first region here.
export const SUPPORTED_LOCALES = [
  'en-US',
  'es-ES',
  'fr-FR',
  'it-IT',
  'de-DE',
  'nl-NL',
  'pt-BR',
  'pt-PT',
  'da-DK',
  'ru-RU',
  'fr-CA',
  'zh-CN',
  'ja-JP',
  'ko-KR',
  'sv-SE',
] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en-US';
