import type { SeriesState } from './ensemble';
import { newCalibrator } from './tail-calibrator';

/** A series' detector state as compact JSON (for snapshots that let baselines survive restarts). */
export function encodeState(state: SeriesState): string {
  return JSON.stringify({
    v: 1,
    baseline: {
      ...state.baseline,
      resolution: Number.isFinite(state.baseline.resolution) ? state.baseline.resolution : -1,
    },
    detectors: state.detectors,
    calibrators: state.calibrators.map((c) => ({
      ...c,
      counts: Array.from(c.counts),
      sums: Array.from(c.sums),
      squares: Array.from(c.squares),
    })),
  });
}

/** The inverse of `encodeState`; undefined for text of another version or shape. */
export function decodeState(text: string, detectors: number): SeriesState | undefined {
  try {
    const raw = JSON.parse(text) as {
      v: number;
      baseline: SeriesState['baseline'];
      detectors: unknown[];
      calibrators: Array<Record<string, unknown> & { counts: number[]; sums: number[]; squares: number[] }>;
    };
    if (raw.v !== 1 || raw.detectors.length !== detectors || raw.calibrators.length !== detectors)
      return undefined;
    const baseline = {
      ...raw.baseline,
      resolution: raw.baseline.resolution < 0 ? Infinity : raw.baseline.resolution,
    };
    const calibrators = raw.calibrators.map((c) => ({
      ...newCalibrator(),
      total: Number(c.total),
      weight: Number(c.weight),
      tailRun: Number(c.tailRun),
      counts: Float64Array.from(c.counts),
      sums: Float64Array.from(c.sums),
      squares: Float64Array.from(c.squares),
    }));
    return { baseline, detectors: raw.detectors, calibrators };
  } catch {
    return undefined;
  }
}
