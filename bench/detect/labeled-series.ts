import { Random, seeded } from './random';

/** A synthetic series with the windows where something really went wrong (sample indices, inclusive). */
export interface LabeledSeries {
  name: string;
  kind: string;
  timestamps: number[];
  values: number[];
  windows: Array<[number, number]>;
}

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

interface Shape {
  intervalMs: number;
  samples: number;
  /** The normal behaviour at sample i (time t). */
  normal(i: number, t: number, r: Random): number;
  /** The incident, if any: [start, end] and what it does to the normal value. */
  incident?: (
    r: Random,
    n: number,
  ) => { start: number; end: number; apply(v: number, i: number, prev: number): number };
}

const daily = (t: number, peakHour: number) => Math.cos(((t % DAY) / DAY - peakHour / 24) * 2 * Math.PI);

/** Host-metric shapes: each normal behaviour holds traps (cycles, bursts, spikes) that are not incidents. */
const SHAPES: Record<string, (r: Random) => Shape> = {
  'cpu-daily-saturation': (r) => {
    const base = r.between(0.2, 0.4);
    const amp = r.between(0.1, 0.2);
    const peak = r.between(10, 16);
    return {
      intervalMs: 60_000,
      samples: 6 * 1440,
      normal: (_i, t, rr) => clamp01(base + amp * daily(t, peak) + 0.03 * rr.normal()),
      incident: (rr, n) => {
        const start = Math.floor(rr.between(0.6, 0.9) * n);
        return { start, end: start + 45, apply: () => clamp01(0.96 + 0.02 * rr.normal()) };
      },
    };
  },
  'memory-leak': (r) => {
    const base = r.between(0.3, 0.6);
    return {
      intervalMs: 30_000,
      samples: 4000,
      normal: (_i, _t, rr) => base + 0.005 * rr.normal(),
      incident: (rr, n) => {
        const start = Math.floor(rr.between(0.4, 0.6) * n);
        const slope = rr.between(0.0001, 0.0003);
        return { start, end: n - 1, apply: (v, i) => v + slope * (i - start) };
      },
    };
  },
  'disk-filling': (r) => {
    const base = r.between(0.3, 0.5);
    const normalSlope = r.between(0.5, 1) * 1e-6;
    return {
      intervalMs: 60_000,
      samples: 4000,
      normal: (i, _t, rr) => base + normalSlope * i + 0.0005 * rr.normal(),
      incident: (rr, n) => {
        const start = Math.floor(rr.between(0.5, 0.7) * n);
        return { start, end: n - 1, apply: (v, i) => Math.min(1, v + 2e-4 * (i - start)) };
      },
    };
  },
  'network-outage-amid-bursts': (r) => {
    const base = r.between(1e6, 5e6);
    return {
      intervalMs: 10_000,
      samples: 4000,
      normal: (_i, _t, rr) => base * Math.exp(0.3 * rr.normal()) * (rr.next() < 0.02 ? rr.between(3, 8) : 1),
      incident: (rr, n) => {
        const start = Math.floor(rr.between(0.5, 0.9) * n);
        return { start, end: start + 30, apply: (v) => v * 0.02 };
      },
    };
  },
  'collector-flatline': (r) => {
    const base = r.between(0.2, 0.7);
    return {
      intervalMs: 15_000,
      samples: 3000,
      normal: (_i, _t, rr) => clamp01(base + 0.05 * rr.normal()),
      incident: (rr, n) => {
        const start = Math.floor(rr.between(0.5, 0.9) * n);
        return { start, end: start + 120, apply: (_v, _i, prev) => prev };
      },
    };
  },
  'deploy-level-shift': (r) => {
    const base = r.between(100, 300);
    const noise = base * 0.05;
    return {
      intervalMs: 60_000,
      samples: 3000,
      normal: (_i, _t, rr) => base + noise * rr.normal(),
      incident: (rr, n) => {
        const start = Math.floor(rr.between(0.4, 0.8) * n);
        const shift = (rr.next() < 0.5 ? -1 : 1) * rr.between(3, 6) * noise;
        return { start, end: start + 60, apply: (v) => v + shift };
      },
    };
  },
  'latency-variance': (r) => {
    const base = r.between(20, 50);
    return {
      intervalMs: 10_000,
      samples: 3000,
      normal: (_i, _t, rr) => base + 2 * rr.normal(),
      incident: (rr, n) => {
        const start = Math.floor(rr.between(0.5, 0.8) * n);
        return { start, end: start + 100, apply: (v) => base + (v - base) * 5 };
      },
    };
  },
  'noisy-spikes-no-incident': (r) => {
    const base = r.between(0.1, 0.3);
    return {
      intervalMs: 5_000,
      samples: 5000,
      normal: (_i, _t, rr) =>
        clamp01(base + 0.02 * rr.normal() + (rr.next() < 0.01 ? rr.between(0.1, 0.3) : 0)),
    };
  },
};

export const KINDS = Object.keys(SHAPES);

/** `perKind` series of every kind, the same for the same seed. */
export function labeledSeries(perKind: number, seed = 1): LabeledSeries[] {
  const out: LabeledSeries[] = [];
  KINDS.forEach((kind, k) => {
    for (let s = 0; s < perKind; s++) {
      const r = seeded(seed * 1000 + k * 100 + s);
      const shape = SHAPES[kind]!(r);
      const incident = shape.incident?.(r, shape.samples);
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let i = 0; i < shape.samples; i++) {
        const t = START + i * shape.intervalMs;
        let v = shape.normal(i, t, r);
        if (incident && i >= incident.start && i <= incident.end)
          v = incident.apply(v, i, values[i - 1] ?? v);
        timestamps.push(t);
        values.push(v);
      }
      out.push({
        name: `${kind}-${s}`,
        kind,
        timestamps,
        values,
        windows: incident ? [[incident.start, incident.end]] : [],
      });
    }
  });
  return out;
}
