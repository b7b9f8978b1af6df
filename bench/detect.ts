import { SeriesDetector } from '../processors/detectors';
import { labeledSeries } from './detect/labeled-series';
import { scoreDetections } from './detect/score-detections';

export interface DetectBenchOptions {
  perKind: number;
  detector?: string;
  threshold: number;
}

/**
 * `npm run bench -- detect`: the default ensemble (or one `--detector`) on labeled synthetic
 * host-metric series, scored per incident window: precision, recall, F1, detection delay, and
 * the cost per sample.
 */
export async function detectBench(o: DetectBenchOptions): Promise<Record<string, unknown>> {
  const series = labeledSeries(o.perKind);
  const options = o.detector ? { detectors: [o.detector] } : {};
  let windows = 0;
  let caught = 0;
  let falseAlarms = 0;
  const delays: number[] = [];
  const byKind: Record<string, { windows: number; caught: number; false_alarms: number }> = {};
  let samples = 0;
  let nanos = 0n;
  for (const s of series) {
    const detector = new SeriesDetector(options);
    const scores = new Float64Array(s.values.length);
    const started = process.hrtime.bigint();
    for (let i = 0; i < s.values.length; i++) scores[i] = detector.step(s.timestamps[i]!, s.values[i]!).score;
    nanos += process.hrtime.bigint() - started;
    samples += s.values.length;
    const r = scoreDetections(scores, s.windows, o.threshold);
    windows += r.windows;
    caught += r.caught;
    falseAlarms += r.falseAlarms;
    delays.push(...r.delays);
    const k = (byKind[s.kind] ??= { windows: 0, caught: 0, false_alarms: 0 });
    k.windows += r.windows;
    k.caught += r.caught;
    k.false_alarms += r.falseAlarms;
  }
  const precision = caught + falseAlarms === 0 ? 1 : caught / (caught + falseAlarms);
  const recall = windows === 0 ? 1 : caught / windows;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  delays.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    scenario: 'detect',
    detector: o.detector ?? 'ensemble',
    threshold: o.threshold,
    series: series.length,
    samples,
    precision: round(precision),
    recall: round(recall),
    f1: round(f1),
    windows,
    caught,
    false_alarms: falseAlarms,
    median_delay_samples: delays[Math.floor(delays.length / 2)] ?? null,
    ns_per_sample: Math.round(Number(nanos) / samples),
    by_kind: byKind,
  };
}
