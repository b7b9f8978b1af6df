/** Least-squares slope of (t ms, y) in y-units per minute. */
export function slopePerMinute(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mt) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mt) ** 2, 0);
  return (num / den) * 60_000;
}
