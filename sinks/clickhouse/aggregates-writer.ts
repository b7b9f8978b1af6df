import type { ClickHouseClient } from '@clickhouse/client';
import type { Sink } from '../../core/stream';
import type { MetricAggregate } from '../../schemas';
import { idempotentInsert, type CompactRows } from './idempotent-insert';
import { windowLabel } from './window-label';

/** The label of each window size met, made once (a fleet's batch holds thousands of one size). */
const labels = new Map<number, string>();
const labelOf = (ms: number) => {
  let label = labels.get(ms);
  if (label === undefined) labels.set(ms, (label = windowLabel(ms)));
  return label;
};

/**
 * Rows as arrays in one text (JSONCompactEachRow, one `JSON.stringify` for the batch), as raw
 * samples go: at 5–10 s sampling there are about as many aggregates as samples, and an object
 * per row stringified one by one cost several times what the raw rows' encoding does.
 */
const COMPACT: CompactRows<MetricAggregate> = {
  columns: [
    'window',
    'host',
    'metric',
    'unit',
    'attributes',
    'window_start',
    'count',
    'sum',
    'min',
    'max',
    'mean',
    'last',
    'p50',
    'p95',
    'p99',
  ],
  row: (a) => [
    labelOf(a.window_ms),
    a.host,
    a.metric,
    a.unit,
    a.attributes,
    a.window_start,
    a.count,
    a.sum,
    a.min,
    a.max,
    a.mean,
    a.last,
    a.p50,
    a.p95,
    a.p99,
  ],
};

/** A window's identity and count, as its insert's deduplication token covers it. */
const identity = (a: MetricAggregate) =>
  `${labelOf(a.window_ms)}|${a.host}|${a.metric}|${JSON.stringify(a.attributes)}|${a.window_start}|${a.count}`;

/**
 * Closed windows into `<db>.aggregates` (read through the `metrics_1m` / `metrics_10s` views).
 * Idempotent: the insert's deduplication token covers each window's identity and count, and the
 * table keeps one row per window, the one with the highest count, so a window corrected by late
 * samples (emitted again with a larger count) supersedes the first emission, here and in
 * `metrics_1h`.
 */
export function clickhouseAggregatesSink(client: ClickHouseClient, db: string): Sink<MetricAggregate> {
  return {
    name: 'clickhouse-aggregates',
    write: (batch) => idempotentInsert(client, `${db}.aggregates`, batch, identity, COMPACT),
    close: async () => undefined,
  };
}
