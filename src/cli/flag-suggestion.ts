// "unknown flag --databse-url (did you mean --database-url?)": the closest known flag by optimal
// string alignment distance (Damerau–Levenshtein where a transposition counts as one edit), offered
// only when it is close enough to be the likely intent.

/** Edits (insert, delete, substitute, swap two neighbours) to turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known flag nearest to `unknown` (both without dashes), or undefined when none is within a
 * third of its length (at least 2 edits): `--bogus` suggests nothing rather than a random flag.
 * A known flag that starts with what was typed (`--database` for `--database-url`) is suggested too.
 */
export function closestFlag(unknown: string, known: readonly string[]): string | undefined {
  const typed = unknown.toLowerCase();
  let best: { flag: string; distance: number } | undefined;
  for (const flag of known) {
    const distance = editDistance(typed, flag);
    if (best === undefined || distance < best.distance) best = { flag, distance };
  }
  if (best && best.distance <= Math.max(2, Math.floor(typed.length / 3))) return best.flag;
  const prefixed = known.filter((flag) => typed.length >= 3 && flag.startsWith(typed));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
