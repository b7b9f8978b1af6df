import { asyncScheduler, defer, map, Observable, SchedulerLike } from 'rxjs';
import type { Envelope } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { Batch, reject, type Located } from './batch';
import { checkSample, type SampleLimits, type Verdict } from './check-sample';
import { seriesOf } from './series-key';

export interface ValidateOptions extends SampleLimits {
  /** New series a host may add; past it the host's new series are refused (known ones go on). */
  maxSeriesPerHost: number;
  /** Hosts tracked for the series cap; past it samples from new hosts are refused. */
  maxHosts: number;
}

export const DEFAULT_VALIDATE: ValidateOptions = {
  maxFutureSkewMs: 5 * 60_000,
  earliestTs: Date.UTC(2000, 0, 1),
  maxHostBytes: 253,
  maxMetricBytes: 255,
  maxUnitBytes: 63,
  maxEventIdBytes: 512,
  maxAttributes: 32,
  maxAttributeKeyBytes: 128,
  maxAttributeValueBytes: 1024,
  maxSeriesPerHost: 10_000,
  maxHosts: 100_000,
};

/**
 * Moves samples that must not enter storage or aggregates to the batch's rejects, each with a
 * code and reason: fields of the wrong type, non-finite values, identifying fields (host, metric,
 * unit, event id, attributes) past their length limits, event times outside the skew window,
 * and series past a host's cardinality cap. The series table is bounded by maxHosts × maxSeriesPerHost.
 */
export function validate(options: Partial<ValidateOptions> = {}, scheduler: SchedulerLike = asyncScheduler) {
  const o = { ...DEFAULT_VALIDATE, ...options };
  return (source: Observable<Envelope<Batch<MetricSample>>>): Observable<Envelope<Batch<MetricSample>>> =>
    defer(() => {
      // Each host's series keys, each mapped to itself: a record's key is built afresh, then
      // replaced by the one already known, so the copies that later stages hold are one string.
      const checked = new WeakSet<object>(); // attribute maps found good (shared, frozen)
      const seriesByHost = new Map<string, Map<string, string>>();
      // Counted series again by their parts, attributes by identity: the serde hands every sample
      // of a series the same shared attributes object (interned), so a known series is found
      // without building its key (~30 ns against ~270). Only counted series are here, and each
      // entry goes with its attributes object.
      const counted = new WeakMap<object, Map<string, Map<string, string>>>();
      const remember = (s: MetricSample, key: string) => {
        if (typeof s.attributes !== 'object' || s.attributes === null) return; // not a WeakMap key
        let byHost = counted.get(s.attributes);
        if (!byHost) counted.set(s.attributes, (byHost = new Map()));
        let byMetric = byHost.get(s.host);
        if (!byMetric) byHost.set(s.host, (byMetric = new Map()));
        byMetric.set(s.metric, key);
      };
      const cardinality = (record: Located<MetricSample>): Verdict => {
        const s = record.value;
        const hit = counted.get(s.attributes)?.get(s.host)?.get(s.metric);
        if (hit !== undefined) {
          record.series = hit;
          return undefined;
        }
        let series = seriesByHost.get(s.host);
        if (!series) {
          if (seriesByHost.size >= o.maxHosts)
            return ['TW_ERR_CARDINALITY_CAP', `more than ${o.maxHosts} hosts are being tracked`];
          seriesByHost.set(s.host, (series = new Map()));
        }
        const key = seriesOf(record);
        let known = series.get(key);
        if (known === undefined) {
          if (series.size >= o.maxSeriesPerHost)
            return ['TW_ERR_CARDINALITY_CAP', `host ${s.host} has more than ${o.maxSeriesPerHost} series`];
          series.set(key, (known = key));
        }
        record.series = known;
        remember(s, known);
        return undefined;
      };
      return source.pipe(
        map((env) => {
          const now = scheduler.now();
          const batch = env.payload;
          const kept = [];
          const rejects = [...batch.rejects];
          for (const record of batch.records) {
            const verdict = checkSample(record.value, now, o, checked) ?? cardinality(record);
            if (verdict) rejects.push(reject(record.source, verdict[0], verdict[1], now));
            else kept.push(record);
          }
          return { ...env, payload: { ...batch, records: kept, rejects } };
        }),
      );
    });
}
