import type { ClickHouseClient } from '@clickhouse/client';
import type { Sink } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { idempotentInsert, type CompactRows } from './idempotent-insert';
import { keepMantissaBits } from './value-precision';

const compact = (valueBits: number): CompactRows<MetricSample> => ({
  columns: ['event_id', 'host', 'ts', 'metric', 'value', 'unit', 'attributes'],
  row: (s) => [
    s.event_id,
    s.host,
    s.ts,
    s.metric,
    keepMantissaBits(s.value, valueBits),
    s.unit,
    s.attributes,
  ],
});

/**
 * Writes raw samples to `<db>.metrics`. The insert's deduplication token comes from the batch's
 * event ids, so a retried or re-delivered batch is dropped by ClickHouse itself; rows that
 * arrive in a differently cut batch collapse by key in the ReplacingMergeTree. Values are stored
 * with `valueBits` of their 52 mantissa bits (`clickhouse.valuePrecisionBits`; 52: exactly).
 */
export function clickhouseMetricsSink(
  client: ClickHouseClient,
  db: string,
  options: { valueBits?: number } = {},
): Sink<MetricSample> {
  const rows = compact(options.valueBits ?? 52);
  return {
    name: 'clickhouse',
    write: (batch) => idempotentInsert(client, `${db}.metrics`, batch, (s) => s.event_id, rows),
    close: async () => undefined,
  };
}
