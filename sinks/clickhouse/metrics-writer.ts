import type { ClickHouseClient } from '@clickhouse/client';
import type { Sink } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { idempotentInsert } from './idempotent-insert';

/**
 * Writes raw samples to `<db>.metrics`. The insert's deduplication token comes from the batch's
 * event ids, so a retried or re-delivered batch is dropped by ClickHouse itself; rows that
 * arrive in a differently cut batch collapse by key in the ReplacingMergeTree.
 */
export function clickhouseMetricsSink(client: ClickHouseClient, db: string): Sink<MetricSample> {
  return {
    name: 'clickhouse',
    write: (batch) => idempotentInsert(client, `${db}.metrics`, batch, (s) => s.event_id),
    close: async () => undefined,
  };
}
