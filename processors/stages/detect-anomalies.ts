import { asyncScheduler, map, Observable, SchedulerLike } from 'rxjs';
import { ownsEverything, reassignments, type Assignment, type Envelope } from '../../core/stream';
import type { Anomaly, MetricSample } from '../../schemas';
import { IncidentTracker, type IncidentOptions } from '../detectors';
import type { Batch } from './batch';
import type { DetectorStore, SeriesEntry } from './detector-store';
import { seriesOf } from './series-key';

export interface DetectOptions {
  /** Off: batches pass through unscored. */
  enabled: boolean;
  incidents: Partial<IncidentOptions>;
  /** An open incident of a series silent this long (processing time) is closed. */
  staleAfterMs: number;
  /** Partitions this member owns: a revoked partition's series leave with it. */
  assignment: Assignment;
}

export const DEFAULT_DETECT: DetectOptions = {
  enabled: true,
  incidents: {},
  staleAfterMs: 5 * 60_000,
  assignment: ownsEverything,
};

/**
 * Scores every sample with its series' detectors and rules, and publishes incident states
 * (`batch.anomalies`) when an incident opens, turns critical or closes. Detection reads event
 * time only, so the same samples give the same scores in the stream and in `tidewatch detect`;
 * the scheduler's clock only closes incidents of series that stopped reporting.
 */
export function detectAnomalies<A>(
  store: DetectorStore,
  options: Partial<DetectOptions> = {},
  scheduler: SchedulerLike = asyncScheduler,
) {
  const o = { ...DEFAULT_DETECT, ...options };
  const tracker = new IncidentTracker(o.incidents);

  const score = (e: SeriesEntry, s: MetricSample, anomalies: Anomaly[]) => {
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

  return (
    source: Observable<Envelope<Batch<MetricSample, A>>>,
  ): Observable<Envelope<Batch<MetricSample, A>>> =>
    source.pipe(
      map((env) => {
        if (!o.enabled) return env;
        const now = scheduler.now();
        const batch = env.payload;
        const anomalies: Anomaly[] = [];
        const evictedBefore = store.evicted;
        handOver(anomalies);
        // A batch is one partition's as a rule: ownership is looked up once per run of one.
        let topic = '';
        let partition = -1;
        let owned = false;
        for (const record of batch.records) {
          const { value: s, source: from } = record;
          if (from.partition !== partition || from.topic !== topic) {
            ({ topic, partition } = from);
            owned = o.assignment.owns(topic, partition);
          }
          if (!owned) continue; // its new owner scores it
          const e = store.entry(seriesOf(record), s, from, now);
          e.dirty = true;
          score(e, s, anomalies);
        }
        closeStale(now, anomalies);
        if (anomalies.length === 0 && store.evicted === evictedBefore) return env;
        return {
          ...env,
          payload: {
            ...batch,
            anomalies: [...batch.anomalies, ...anomalies],
            stats: {
              ...batch.stats,
              detectorSeriesEvicted: batch.stats.detectorSeriesEvicted + store.evicted - evictedBefore,
            },
          },
        };
      }),
    );
}
