import { injectAnomalies } from './inject-anomalies';
import { labeledSeries } from './labeled-series';
import { seeded, type Random } from './random';
import type { RecordedSeries } from './recorded-series';

/** One labeled file of the development benchmark. */
export interface CorpusFile {
  dataset: string;
  name: string;
  kind: string;
  timestamps: number[];
  values: number[];
  /** Sample index where each labeled anomaly starts. */
  anomalies: number[];
}

/** Drops a few stretches of samples (a collector or network outage): gaps and irregular intervals. */
function withGaps(s: RecordedSeries, r: Random): RecordedSeries {
  const keep = new Uint8Array(s.values.length).fill(1);
  for (let g = 0; g < 4; g++) {
    const at = Math.floor(r.between(0.1, 0.95) * s.values.length);
    keep.fill(0, at, at + Math.floor(r.between(5, 150)));
  }
  for (let i = 0; i < keep.length; i++) if (r.next() < 0.05) keep[i] = 0;
  const idx = [...keep.keys()].filter((i) => keep[i]);
  return {
    name: `${s.name} (gaps)`,
    timestamps: idx.map((i) => s.timestamps[i]!),
    values: idx.map((i) => s.values[i]!),
  };
}

/**
 * The development benchmark: this machine's recorded telemetry with realistic anomalies laid
 * on it (each series once with one anomaly, and once with gaps and two), and the synthetic host
 * series of `labeled-series.ts` (daily cycles, leaks, filling disks, outages amid bursts,
 * flatlines, deploys, variance changes, and spiky series with no incident at all).
 */
export function devCorpus(
  recordings: RecordedSeries[],
  perKind: number,
  seed = 1,
  minLength = 1000,
): CorpusFile[] {
  const out: CorpusFile[] = [];
  recordings
    .filter((s) => s.values.length >= minLength)
    .forEach((s, k) => {
      const r = seeded(seed * 7919 + k);
      for (const [variant, count] of [
        [s, 1],
        [withGaps(s, r), 2],
      ] as const) {
        const injected = injectAnomalies(variant, r, count);
        out.push({ dataset: 'recorded-injected', ...injected });
      }
    });
  for (const s of labeledSeries(perKind, seed))
    out.push({
      dataset: 'synthetic-host',
      name: s.name,
      kind: s.kind,
      timestamps: s.timestamps,
      values: s.values,
      anomalies: s.windows.map((w) => w[0]),
    });
  return out;
}
