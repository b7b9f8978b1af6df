/** The dashboard's time ranges: the first three are live (history + the live stream), the rest history only. */
export const RANGES = [
  { name: '5m', ms: 5 * 60_000, live: true },
  { name: '15m', ms: 15 * 60_000, live: true },
  { name: '1h', ms: 3_600_000, live: true },
  { name: '6h', ms: 6 * 3_600_000, live: false },
  { name: '24h', ms: 24 * 3_600_000, live: false },
  { name: '7d', ms: 7 * 24 * 3_600_000, live: false },
] as const;
export type Range = (typeof RANGES)[number];

/**
 * One chart's points: the history the server returned (seconds, values) followed by the live
 * points newer than its last one. Both inputs are time-ordered.
 */
export function joinHistory(
  history: { ts: number[]; values: number[] },
  live: { ts: readonly number[]; values: readonly number[] } | undefined,
  fromS: number,
): [number[], number[]] {
  const ts: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < history.ts.length; i++)
    if (history.ts[i]! >= fromS) {
      ts.push(history.ts[i]!);
      values.push(history.values[i]!);
    }
  const after = ts.length ? ts[ts.length - 1]! : -Infinity;
  if (live)
    for (let i = 0; i < live.ts.length; i++)
      if (live.ts[i]! > after && live.ts[i]! >= fromS) {
        ts.push(live.ts[i]!);
        values.push(live.values[i]!);
      }
  return [ts, values];
}

/** The shortest range that still shows a moment `ageMs` ago (with a little room before it). */
export function rangeCovering(ageMs: number): Range {
  return RANGES.find((r) => r.ms >= ageMs * 1.2 + 60_000) ?? RANGES[RANGES.length - 1]!;
}
