import { SeriesDetector, stateSlab } from '../processors/detectors';
import { devCorpus, type CorpusFile } from './detect/dev-corpus';
import { nabScore } from './detect/nab-score';
import { recordedSeries, RECORDINGS_DIR } from './detect/recorded-series';
import { SeriesDetector as ShippedDetector } from './detect/shipped/ensemble';

export interface DetectBenchOptions {
  perKind: number;
  detector?: string;
  /** Score counted as an alarm on the clean recordings (false alarms per 10 000 samples). */
  threshold: number;
  recordings?: string;
  /** Recorded series shorter than this get no anomalies laid on them. */
  minLength?: number;
}

interface Scorer {
  step(t: number, x: number): { score: number };
  state?: unknown;
  save?(): unknown;
}

/** The numbers a state holds, 8 bytes each (typed arrays at their own width): the state's data without the engine's overhead. */
function dataBytes(v: unknown, seen = new Set<ArrayBufferLike>()): number {
  if (typeof v === 'number') return 8;
  if (ArrayBuffer.isView(v)) {
    if (seen.has(v.buffer)) return 0;
    seen.add(v.buffer);
    return v.byteLength;
  }
  if (v && typeof v === 'object') return Object.values(v).reduce((s: number, x) => s + dataBytes(x, seen), 0);
  return 0;
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

function scoreFiles(files: readonly { timestamps: number[]; values: number[] }[], make: () => Scorer) {
  let nanos = 0n;
  let samples = 0;
  const scores = files.map((f) => {
    const d = make();
    const out = new Float64Array(f.values.length);
    const started = process.hrtime.bigint();
    for (let i = 0; i < f.values.length; i++) out[i] = d.step(f.timestamps[i]!, f.values[i]!).score;
    nanos += process.hrtime.bigint() - started;
    samples += f.values.length;
    return out;
  });
  return { scores, nsPerSample: Number(nanos) / samples };
}

/**
 * Bytes per series, each past its warm-up: `heap`, what `count` detectors take of the JS heap and
 * array buffers, each; `data`, the numbers its state holds (the measure behind "about 5 KB").
 */
function bytesPerSeries(make: () => Scorer, count = 2000): { heap: number; data: number } | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  const used = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const fill = (n: number) => {
    const kept: Scorer[] = [];
    for (let k = 0; k < n; k++) {
      const d = make();
      for (let i = 0; i < 300; i++) d.step(i * 10_000, 5 + Math.sin(i * (1 + k)) + (i % 17 === 0 ? 9 : 0));
      kept.push(d);
    }
    return kept;
  };
  const warm = fill(200); // compiled and warm before measuring
  used();
  const before = used();
  const kept = fill(count);
  const heap = (used() - before) / kept.length;
  return { heap: Math.round(heap), data: dataBytes(warm[0]!.save?.() ?? warm[0]!.state) };
}

function evaluate(files: CorpusFile[], scores: Float64Array[]) {
  const datasets: Record<string, unknown> = {};
  for (const name of [...new Set(files.map((f) => f.dataset)), 'all']) {
    const idx = files.flatMap((f, i) => (name === 'all' || f.dataset === name ? [i] : []));
    const r = nabScore(idx.map((i) => ({ scores: scores[i]!, anomalies: files[i]!.anomalies })));
    datasets[name] = {
      score: round(r.score),
      threshold: round(r.threshold, 4),
      windows: r.windows,
      detected: r.detected,
      false_alarms: r.falseAlarms,
    };
  }
  return datasets;
}

/**
 * `npm run bench -- detect`: the detector as shipped before alarms were onsets (`detect/shipped/`)
 * and the current one, on the development benchmark (`detect/dev-corpus.ts`), scored with the
 * Numenta Anomaly Benchmark's standard profile per dataset (`detect/nab-score.ts`); false alarms
 * per 10 000 samples on this machine's clean recordings; the cost per sample and per series.
 */
export async function detectBench(o: DetectBenchOptions): Promise<Record<string, unknown>> {
  const recordings = recordedSeries(o.recordings ?? RECORDINGS_DIR);
  const files = devCorpus(recordings, o.perKind, 1, o.minLength);
  const options = o.detector ? { detectors: [o.detector] } : {};
  // The current detectors keep their states in one slab, as the processor's store does.
  const slab = stateSlab(options, 1 << 20);
  const makers: Record<string, () => Scorer> = {
    shipped: () => new ShippedDetector(),
    current: () => new SeriesDetector(options, undefined, slab),
  };
  const result: Record<string, unknown> = {
    scenario: 'detect',
    detector: o.detector ?? 'ensemble',
    files: files.length,
    samples: files.reduce((s, f) => s + f.values.length, 0),
    recordings: { series: recordings.length, samples: recordings.reduce((s, r) => s + r.values.length, 0) },
  };
  const bytes = Object.fromEntries(
    Object.entries(makers).map(([name, make]) => [name, bytesPerSeries(make)]),
  );
  for (const [name, make] of Object.entries(makers)) {
    const corpus = scoreFiles(files, make);
    const clean = scoreFiles(recordings, make);
    let alarms = 0;
    let onsets = 0;
    let samples = 0;
    for (const s of clean.scores) {
      samples += s.length;
      for (let i = 0; i < s.length; i++)
        if (s[i]! >= o.threshold) {
          alarms++;
          if (!(s[i - 1]! >= o.threshold)) onsets++;
        }
    }
    result[name] = {
      nab_standard: evaluate(files, corpus.scores),
      // every sample at or above the threshold, as NAB counts them; and only the first of each run
      recordings_false_alarms_per_10k: round((1e4 * alarms) / Math.max(1, samples), 2),
      recordings_alarm_onsets_per_10k: round((1e4 * onsets) / Math.max(1, samples), 2),
      ns_per_sample: Math.round((corpus.nsPerSample + clean.nsPerSample) / 2),
      bytes_per_series: bytes[name],
    };
  }
  return result;
}
