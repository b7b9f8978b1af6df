import type { ClickHouseClient } from '@clickhouse/client';
import type { Sink } from '../../core/stream';
import type { Anomaly } from '../../schemas';
import { idempotentInsert } from './idempotent-insert';

/**
 * Incident states into `<db>.anomaly_states` (read through the `anomalies` view, one row per
 * incident). Idempotent: the token covers each state's id and version, and the table keeps the
 * highest version of each incident.
 */
export function clickhouseAnomaliesSink(client: ClickHouseClient, db: string): Sink<Anomaly> {
  return {
    name: 'clickhouse-anomalies',
    write: (batch) => idempotentInsert(client, `${db}.anomaly_states`, batch, (a) => `${a.id}|${a.version}`),
    close: async () => undefined,
  };
}
