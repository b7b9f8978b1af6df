/**
 * An SVG path for a sparkline `width` × `height` over the last points of a series (values in
 * [0, max]); '' when there are fewer than two points.
 */
export function sparklinePath(
  ts: readonly number[],
  values: readonly number[],
  width: number,
  height: number,
  max = 100,
): string {
  if (ts.length < 2) return '';
  const t0 = ts[0]!;
  const span = ts[ts.length - 1]! - t0 || 1;
  let d = '';
  for (let i = 0; i < ts.length; i++) {
    const x = ((ts[i]! - t0) / span) * width;
    const y = height - (Math.min(max, Math.max(0, values[i]!)) / max) * height;
    d += `${i ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
  }
  return d;
}
