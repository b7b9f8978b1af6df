import { reassignments } from '../../core/stream';
import type { Anomaly, MetricSample } from '../../schemas';
import { IncidentTracker, isCumulativeCounter } from '../detectors';
import type { DetectOptions } from './detect-anomalies';
import type { DetectorStore, SeriesEntry } from './detector-store';

/** A sample as scoring reads it: its time and value, and its series' names (for a new series). */
export type ScoredSample = Pick<MetricSample, 'host' | 'metric' | 'unit' | 'attributes' | 'ts' | 'value'>;

/**
 * The work of the anomaly stage on one batch, in three steps: `begin` (after a rebalance, the
 * series of partitions this member lost leave, their incidents closed), `sample` for every
 * sample of an owned partition in order, and `end` (incidents of series silent for
 * `staleAfterMs` of processing time close). Incident states go into the array each step is
 * given. Nothing is kept of a sample once its step returns, so a caller may pass the same
 * object each time. The `detectAnomalies` stage runs it over a batch's records, and the
 * detection thread over the numbers it is sent.
 */
export function anomalyScoring(store: DetectorStore, o: DetectOptions) {
  const tracker = new IncidentTracker(o.incidents);

  const score = (e: SeriesEntry, s: ScoredSample, anomalies: Anomaly[]) => {
    const v = e.detector.step(s.ts, s.value);
    let score = v.score;
    let detector = v.detector;
    let rule: (typeof e.rules)[number] | undefined;
    for (const r of e.rules) {
      if (!r.rule.step(r.state, s.ts, s.value)) continue;
      score = 1;
      detector = `rule:${r.rule.rule.name}`;
      rule = r;
    }
    if (!e.incident && score < tracker.openAt) return;
    const reason = rule
      ? () => `${e.label} ${rule.rule.describe(s.value)}`
      : () => e.detector.reason(e.label);
    const step = tracker.step(e.ref, e.incident, {
      t: s.ts,
      x: s.value,
      score,
      detector,
      expected: v.expected,
      lower: v.lower,
      upper: v.upper,
      ongoing: v.ongoing || rule !== undefined,
      reason,
    });
    e.incident = step.open;
    if (step.open) store.open.add(e.ref.key);
    else store.open.delete(e.ref.key);
    if (step.emit) anomalies.push(step.emit);
  };

  const reassigned = reassignments(o.assignment);
  /**
   * After a rebalance, the series of a partition this member lost leave with it: their open
   * incidents close here ("handed over"), and their new owner continues from the saved baseline.
   */
  const handOver = (anomalies: Anomaly[]) => {
    if (!reassigned()) return;
    for (const e of store.release(o.assignment.owns))
      if (e.incident)
        anomalies.push(
          tracker.close(e.incident, e.incident.record.ts, 'the series moved to another processor'),
        );
  };

  const closeStale = (now: number, anomalies: Anomaly[]) => {
    for (const key of store.open) {
      const e = store.entries.get(key);
      if (!e?.incident) {
        store.open.delete(key);
        continue;
      }
      if (now - e.lastSeen < o.staleAfterMs) continue;
      anomalies.push(tracker.close(e.incident, e.incident.record.ts, 'the series stopped reporting'));
      e.incident = undefined;
      store.open.delete(key);
    }
  };

  return {
    begin: handOver,
    sample(
      key: string,
      s: ScoredSample,
      from: { topic: string; partition: number },
      now: number,
      anomalies: Anomaly[],
    ) {
      // A running total is scored through its rate series (tidewatch.<name>_rate), not itself.
      if (isCumulativeCounter(s.metric)) return;
      const e = store.entry(key, s, from, now);
      e.dirty = true;
      try {
        score(e, s, anomalies);
      } finally {
        store.done(e);
      }
    },
    end: closeStale,
  };
}
