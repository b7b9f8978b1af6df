import type { SeriesState } from './ensemble';
import { newAlarm } from './onset-alarm';
import { CALIBRATOR_SIZE } from './tail-calibrator';

const VERSION = 2;

/** What a state saved as its slab's bytes starts with: `b1:<layout>:<base64 of the bytes>`. */
const BYTES_PREFIX = 'b1:';

/**
 * A series' state as its slab's bytes (`StateSlab.bytesOf`), as text for its snapshot: the slab's
 * layout, then the bytes in base64. About a twentieth of `encodeState`'s cost (no number is
 * formatted), exact, and shorter; `decodeStateBytes` reads it back into a slab of that layout.
 */
export function encodeStateBytes(layout: string, bytes: Uint8Array): string {
  return `${BYTES_PREFIX}${layout}:${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/**
 * The bytes of a state saved by `encodeStateBytes` for a slab of `layout` and `slotBytes`;
 * undefined for any other text (JSON of `encodeState`, another layout, bytes of another length).
 */
export function decodeStateBytes(text: string, layout: string, slotBytes: number): Buffer | undefined {
  const head = `${BYTES_PREFIX}${layout}:`;
  if (!text.startsWith(head)) return undefined;
  const bytes = Buffer.from(text.slice(head.length), 'base64');
  return bytes.length === slotBytes ? bytes : undefined;
}

/** A series' detector state as compact JSON (what snapshots held before `encodeStateBytes`; still read). */
export function encodeState(state: SeriesState): string {
  return JSON.stringify({
    v: VERSION,
    baseline: {
      ...state.baseline,
      resolution: Number.isFinite(state.baseline.resolution) ? state.baseline.resolution : -1,
    },
    detectors: state.detectors,
    bins: Array.from(state.calibrators[0]?.bins ?? []),
    calibrators: state.calibrators.map((c) => ({
      at: c.at,
      total: c.total,
      tailRun: c.tailRun,
      weight: c.weight,
    })),
    alarm: state.alarm,
  });
}

/**
 * The inverse of `encodeState`; undefined for text of another version or shape (a state saved
 * by an older version is not read: the series starts a fresh baseline).
 */
export function decodeState(text: string, detectors: number): SeriesState | undefined {
  try {
    const raw = JSON.parse(text) as {
      v: number;
      baseline: SeriesState['baseline'];
      detectors: unknown[];
      bins: number[];
      calibrators: Array<Record<string, unknown>>;
      alarm: SeriesState['alarm'];
    };
    if (raw.v !== VERSION || raw.detectors.length !== detectors || raw.calibrators.length !== detectors)
      return undefined;
    if (!Array.isArray(raw.bins) || raw.bins.length % CALIBRATOR_SIZE !== 0) return undefined;
    const isRecord = (v: unknown) => typeof v === 'object' && v !== null;
    if (!isRecord(raw.baseline) || !Array.isArray(raw.baseline.profile?.buckets)) return undefined;
    if (!raw.detectors.every(isRecord) || !raw.calibrators.every(isRecord)) return undefined;
    const bins = Float32Array.from(raw.bins);
    const fits = (at: unknown) =>
      at === -1 ||
      (Number.isInteger(at) && (at as number) >= 0 && (at as number) + CALIBRATOR_SIZE <= bins.length);
    if (!raw.calibrators.every((c) => fits(c.at))) return undefined;
    const baseline = {
      ...raw.baseline,
      resolution: raw.baseline.resolution < 0 ? Infinity : raw.baseline.resolution,
    };
    const calibrators = raw.calibrators.map((c) => ({
      bins,
      at: c.at as number,
      total: Number(c.total),
      weight: Number(c.weight),
      tailRun: Number(c.tailRun),
    }));
    return { baseline, detectors: raw.detectors, calibrators, alarm: { ...newAlarm(), ...raw.alarm } };
  } catch {
    return undefined;
  }
}
