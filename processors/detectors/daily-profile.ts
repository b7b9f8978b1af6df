/**
 * Daily seasonality: an additive Holt-Winters model with 24 hourly buckets (UTC), read and
 * updated with linear interpolation between neighbouring hours so the profile has no steps.
 * Each bucket remembers about three days of its own hour, whatever the sampling interval.
 */
import type { SlabView } from './slab-view';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Memory of a bucket, in time spent inside it (three days of one hour each). */
const BUCKET_MEMORY_MS = 3 * HOUR_MS;

/** The profile's level; its 24 hourly buckets follow it in the same record. */
export interface DailyProfile extends SlabView {
  level: number;
}

export const PROFILE_FIELDS = ['level'] as const;
/** Numbers a profile keeps: the level and the buckets. */
export const PROFILE_SIZE = 1 + 24;

/** A flat profile at `x`. */
export function initDailyProfile(p: DailyProfile, x: number): void {
  p.level = x;
  p.f.fill(0, p.i + 1, p.i + PROFILE_SIZE);
}

function position(t: number): { i: number; j: number; f: number } {
  const hours = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const i = Math.floor(hours) % 24;
  return { i, j: (i + 1) % 24, f: hours - Math.floor(hours) };
}

export function profilePredict(p: DailyProfile, t: number): number {
  const { i, j, f } = position(t);
  const buckets = p.f;
  const at = p.i + 1;
  return p.level + (1 - f) * buckets[at + i]! + f * buckets[at + j]!;
}

/** Learns from a clipped residual (x minus the prediction); `alpha` moves the level. */
export function profileLearn(
  p: DailyProfile,
  t: number,
  dtMs: number,
  residual: number,
  alpha: number,
): void {
  const { i, j, f } = position(t);
  const gamma = Math.min(0.5, Math.max(0, dtMs) / BUCKET_MEMORY_MS);
  p.level += alpha * residual;
  const buckets = p.f;
  const at = p.i + 1;
  buckets[at + i]! += gamma * (1 - f) * residual;
  buckets[at + j]! += gamma * f * residual;
}

export const SEASONAL_MIN_SPAN_MS = 2 * DAY_MS;
