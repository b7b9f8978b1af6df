import type { ClickHouseClient } from '@clickhouse/client';
import type { Sink } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { idempotentInsert, type CompactRows } from './idempotent-insert';

const COMPACT: CompactRows<MetricSample> = {
  columns: ['event_id', 'host', 'ts', 'metric', 'value', 'unit', 'attributes'],
  row: (s) => [s.event_id, s.host, s.ts, s.metric, s.value, s.unit, s.attributes],
};

/**
 * Writes raw samples to `<db>.metrics`. The insert's deduplication token comes from the batch's
 * event ids, so a retried or re-delivered batch is dropped by ClickHouse itself; rows that
 * arrive in a differently cut batch collapse by key in the ReplacingMergeTree.
 */
export function clickhouseMetricsSink(client: ClickHouseClient, db: string): Sink<MetricSample> {
  return {
    name: 'clickhouse',
    write: (batch) => idempotentInsert(client, `${db}.metrics`, batch, (s) => s.event_id, COMPACT),
    close: async () => undefined,
  };
}
