import { asyncScheduler, map, Observable, SchedulerLike } from 'rxjs';
import { ownsEverything, type Assignment, type Envelope } from '../../core/stream';
import type { Anomaly, MetricSample } from '../../schemas';
import type { IncidentOptions } from '../detectors';
import { anomalyScoring } from './anomaly-scoring';
import type { Batch } from './batch';
import type { DetectorStore } from './detector-store';
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
  const scoring = anomalyScoring(store, o);

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
        scoring.begin(anomalies);
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
          scoring.sample(seriesOf(record), s, from, now, anomalies);
        }
        scoring.end(now, anomalies);
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
