/**
 * The median of the finite values (a round that completed nothing gives NaN and is left out);
 * NaN when none are. An even count averages the two middle values.
 */
export function median(values: number[]): number {
  const s = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  if (!s.length) return Number.NaN;
  return s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
