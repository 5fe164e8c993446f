// An activity's age as the page's language says it ("32 days ago", "il y a 32 jours"). The value is
// negative (the past) and the style long: the short and narrow styles abbreviate differently from one
// ICU build to the next, and Chromium's French short form reads "-32 j".
export function ageOf(createdIso: string, locale: string, nowMs: number): string {
  const minutes = Math.max(0, Math.round((nowMs - Date.parse(createdIso)) / 60_000));
  const format = new Intl.RelativeTimeFormat(locale, { style: 'long', numeric: 'always' });
  if (minutes < 60) return format.format(-minutes, 'minute');
  if (minutes < 48 * 60) return format.format(-Math.round(minutes / 60), 'hour');
  return format.format(-Math.round(minutes / 1440), 'day');
}
