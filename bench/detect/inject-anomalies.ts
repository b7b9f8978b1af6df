import type { Random } from './random';
import type { RecordedSeries } from './recorded-series';

/** A recorded series with anomalies laid on it, and where each one starts (sample index). */
export interface InjectedSeries {
  name: string;
  kind: string;
  timestamps: number[];
  values: number[];
  anomalies: number[];
}

export const ANOMALY_KINDS = ['spike', 'level-shift', 'variance', 'stuck', 'trend', 'outage', 'dip'] as const;
type Kind = (typeof ANOMALY_KINDS)[number];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}

/**
 * Lays `count` anomalies of random kinds on a copy of `s`, after its first quarter and apart
 * from each other, each as big as an operator would call it an incident on that series, in
 * units of the spread of its last 600 samples (5th to 95th percentile): a spike above anything
 * seen lately by half to one and a half spreads, a level shift or trend of one to three spreads,
 * noise amplified four- to eightfold, an outage to 0 or a dip to a fifth. Series that hardly ever move get no stuck-value anomaly (it would not be one).
 */
export function injectAnomalies(s: RecordedSeries, r: Random, count: number): InjectedSeries {
  const n = s.values.length;
  const values = [...s.values];
  const anomalies: number[] = [];
  const kinds: Kind[] = [];
  const gap = Math.floor((0.1 * n) / count) + 20;
  for (let a = 0; a < count; a++) {
    const lo = Math.floor(0.25 * n) + a * Math.floor((0.7 * n) / count);
    const at = lo + Math.floor(r.next() * Math.max(1, Math.floor((0.7 * n) / count) - gap));
    const before = values.slice(Math.max(0, at - 600), at).sort((x, y) => x - y);
    const q05 = quantile(before, 0.05);
    const q50 = quantile(before, 0.5);
    const q95 = quantile(before, 0.95);
    const top = before[before.length - 1] ?? q95;
    const bottom = before[0] ?? q05;
    const spread = Math.max(q95 - q05, 0.05 * Math.abs(q50), 0.1 * (top - bottom)) || 1;
    const floor = bottom >= 0 ? 0 : -Infinity;
    let moving = 0;
    for (let i = Math.max(1, at - 600); i < at; i++) if (values[i] !== values[i - 1]) moving++;
    let kind = ANOMALY_KINDS[Math.floor(r.next() * ANOMALY_KINDS.length)]!;
    if (kind === 'stuck' && moving < 0.7 * Math.min(600, at)) kind = 'level-shift';
    if ((kind === 'outage' || kind === 'dip') && q05 <= 0) kind = 'spike';
    if (kind === 'variance' && q95 - q05 < 0.01 * spread) kind = 'level-shift';
    const k = r.between(1, 3);
    const up = r.next() < 0.5 || q05 <= 0 ? 1 : -1;
    const end = (len: number) => Math.min(n, at + len);
    switch (kind) {
      case 'spike':
        for (let i = at; i < end(1 + Math.floor(r.next() * 3)); i++)
          values[i] = top + (k / 2) * Math.max(spread, top - q50);
        break;
      case 'level-shift':
        for (let i = at; i < n; i++) values[i] = values[i]! + up * k * spread;
        break;
      case 'variance':
        for (let i = at; i < end(Math.floor(r.between(150, 500))); i++)
          values[i] = q50 + (values[i]! - q50) * (2 + 2 * k);
        break;
      case 'stuck':
        for (let i = at; i < end(Math.floor(r.between(100, 400))); i++) values[i] = values[at - 1]!;
        break;
      case 'trend': {
        const len = Math.floor(r.between(150, 400));
        for (let i = at; i < n; i++) values[i] = values[i]! + up * k * spread * Math.min(1, (i - at) / len);
        break;
      }
      case 'outage':
        for (let i = at; i < end(Math.floor(r.between(30, 120))); i++) values[i] = 0;
        break;
      case 'dip':
        for (let i = at; i < end(Math.floor(r.between(20, 80))); i++) values[i] = values[i]! * 0.2;
        break;
    }
    for (let i = at; i < n; i++) if (values[i]! < floor) values[i] = floor;
    anomalies.push(at);
    kinds.push(kind);
  }
  return { name: s.name, kind: kinds.join('+'), timestamps: [...s.timestamps], values, anomalies };
}
