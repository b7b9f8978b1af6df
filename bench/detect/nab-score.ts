/**
 * The Numenta Anomaly Benchmark's scoring, standard profile, over a corpus of labeled series:
 * each labeled anomaly gets a window of 10% of its series' length divided by the number of
 * anomalies in it, centred on the anomaly. The first alarm in a window earns the scaled sigmoid
 * of its position (about 1 at the window's start, 0 at its end); later alarms in the same window
 * count for nothing; a window without an alarm costs 1; every alarm outside the windows costs
 * 0.11 (less right after a window, by the same sigmoid). Alarms in the probationary period (the
 * first 15% of a series, at most 750 samples) are ignored. One threshold for the whole corpus is
 * swept; the best total is normalised so that 0 is a detector that never fires and 100 a perfect
 * one.
 */
export interface ScoredFile {
  /** Anomaly score per sample; an alarm is a sample at or above the threshold. */
  scores: ArrayLike<number>;
  /** Sample index of each labeled anomaly. */
  anomalies: number[];
}

export const STANDARD_PROFILE = { tp: 1, fp: 0.11, fn: 1 };

export interface NabResult {
  score: number;
  threshold: number;
  windows: number;
  detected: number;
  falseAlarms: number;
}

/** 2·sigmoid(−5x) − 1: +0.987 at −1 (a window's start), 0 at its end, −1 past 3 window lengths. */
export const scaledSigmoid = (x: number) => (x > 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1);

/** The windows NAB lays around labels, merged where they overlap, as inclusive [start, end]. */
export function nabWindows(length: number, anomalies: readonly number[]): Array<[number, number]> {
  if (anomalies.length === 0) return [];
  const width = Math.floor((0.1 * length) / anomalies.length);
  const out: Array<[number, number]> = [];
  for (const a of [...anomalies].sort((x, y) => x - y)) {
    const w: [number, number] = [
      Math.max(0, a - Math.floor(width / 2)),
      Math.min(length - 1, a + Math.ceil(width / 2)),
    ];
    const last = out[out.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else out.push(w);
  }
  return out;
}

interface Candidate {
  score: number;
  window: number;
  value: number;
}

/** Every sample that can be an alarm, with what it is worth as the first alarm of its window or as a false one. */
function candidates(f: ScoredFile): { list: Candidate[]; windows: number; perfect: number } {
  const n = f.scores.length;
  const windows = nabWindows(n, f.anomalies);
  const probation = Math.min(Math.floor(0.15 * n), 750);
  const list: Candidate[] = [];
  let w = 0;
  let previous: [number, number] | undefined;
  for (let i = probation; i < n; i++) {
    while (w < windows.length && i > windows[w]![1]) previous = windows[w++];
    const s = f.scores[i]!;
    if (!(s > 0)) continue;
    const cur = windows[w];
    if (cur && i >= cur[0]) {
      const len = cur[1] - cur[0] + 1;
      list.push({ score: s, window: w, value: STANDARD_PROFILE.tp * scaledSigmoid(-(cur[1] - i + 1) / len) });
    } else {
      const unweighted = previous
        ? scaledSigmoid((i - previous[1]) / Math.max(1, previous[1] - previous[0]))
        : -1;
      list.push({ score: s, window: -1, value: STANDARD_PROFILE.fp * unweighted });
    }
  }
  const perfect = windows.length * STANDARD_PROFILE.tp * scaledSigmoid(-1);
  return { list, windows: windows.length, perfect };
}

/** Sweeps the threshold over the corpus and returns the best normalised score. */
export function nabScore(files: readonly ScoredFile[]): NabResult {
  const prepared = files.map(candidates);
  const windows = prepared.reduce((s, p) => s + p.windows, 0);
  const perfect = prepared.reduce((s, p) => s + p.perfect, 0);
  const nullScore = -STANDARD_PROFILE.fn * windows;
  const thresholds = new Set<number>();
  for (const p of prepared) for (const c of p.list) thresholds.add(c.score);
  let best: NabResult = { score: 0, threshold: Infinity, windows, detected: 0, falseAlarms: 0 };
  let bestRaw = nullScore;
  // Coarse-to-fine: at most 400 distinct thresholds (quantiles of the candidates' scores).
  const sorted = [...thresholds].sort((a, b) => a - b);
  const step = Math.max(1, Math.floor(sorted.length / 400));
  for (let k = 0; k < sorted.length; k += step) {
    const t = sorted[k]!;
    let raw = 0;
    let detected = 0;
    let falseAlarms = 0;
    for (const p of prepared) {
      const seen = new Set<number>();
      for (const c of p.list) {
        if (c.score < t) continue;
        if (c.window < 0) {
          raw += c.value;
          falseAlarms++;
        } else if (!seen.has(c.window)) {
          seen.add(c.window);
          raw += c.value;
          detected++;
        }
      }
      raw -= STANDARD_PROFILE.fn * (p.windows - seen.size);
    }
    if (raw > bestRaw) {
      bestRaw = raw;
      best = { score: 0, threshold: t, windows, detected, falseAlarms };
    }
  }
  best.score = perfect === nullScore ? 0 : (100 * (bestRaw - nullScore)) / (perfect - nullScore);
  return best;
}
