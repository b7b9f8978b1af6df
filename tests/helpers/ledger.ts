import type { MetricSample } from '../../schemas';

/**
 * What was produced, and what storage must therefore hold: every event id, and per series window
 * (host, window start) the count and sum of its samples. The checker compares storage against it
 * and reports lost and duplicated events; it throws when it cannot read storage.
 */
export class Ledger {
  readonly ids = new Set<string>();
  readonly windows = new Map<string, { count: number; sum: number }>();

  constructor(private readonly windowMs: number) {}

  record(samples: readonly MetricSample[]): void {
    for (const s of samples) {
      this.ids.add(s.event_id);
      const key = `${s.host}|${s.ts - (s.ts % this.windowMs)}`;
      const w = this.windows.get(key) ?? { count: 0, sum: 0 };
      w.count++;
      w.sum += s.value;
      this.windows.set(key, w);
    }
  }
}

export interface CheckResult {
  lost: number;
  duplicated: number;
  windowsMissing: number;
  windowsWrong: number;
  /** A few keys of what is wrong (host|window start, or event ids), to read in a failure. */
  examples?: string[];
}

/** Compares stored ids (with their stored multiplicity) and stored windows against the ledger. */
export function check(
  ledger: Ledger,
  storedIds: { event_id: string; n: number | string }[],
  storedWindows: { host: string; window_start_ms: number | string; count: number | string; sum: number }[],
): CheckResult {
  const seen = new Map(storedIds.map((r) => [r.event_id, Number(r.n)]));
  let lost = 0;
  let duplicated = 0;
  for (const id of ledger.ids) {
    const n = seen.get(id) ?? 0;
    if (n === 0) lost++;
    if (n > 1) duplicated += n - 1;
  }
  const stored = new Map(storedWindows.map((w) => [`${w.host}|${Number(w.window_start_ms)}`, w]));
  let windowsMissing = 0;
  let windowsWrong = 0;
  for (const [key, want] of ledger.windows) {
    const got = stored.get(key);
    if (!got) windowsMissing++;
    else if (
      Number(got.count) !== want.count ||
      Math.abs(got.sum - want.sum) > 1e-6 * Math.max(1, Math.abs(want.sum))
    )
      windowsWrong++;
  }
  return { lost, duplicated, windowsMissing, windowsWrong };
}
