import type { ClickHouseClient } from '@clickhouse/client';
import type { Sink } from '../../core/stream';
import type { ProcessEvent } from '../../schemas';
import { idempotentInsert, type CompactRows } from './idempotent-insert';

const COMPACT: CompactRows<ProcessEvent> = {
  columns: [
    'host',
    'ts',
    'kind',
    'pid',
    'ppid',
    'name',
    'command',
    'user',
    'cpu',
    'rss',
    'state',
    'start_time',
    'rank_cpu',
    'rank_memory',
    'event_id',
  ],
  row: (p) => [
    p.host,
    p.ts,
    p.kind,
    p.pid,
    p.ppid,
    p.name,
    p.command,
    p.user,
    p.cpu,
    p.rss,
    p.state,
    p.start_time,
    p.rank_cpu,
    p.rank_memory,
    p.event_id,
  ],
};

/**
 * The agent's process records into `<db>.processes`. Idempotent like the raw samples: the token
 * covers the batch's event ids, and a re-delivered record collapses by key (host, time, kind,
 * pid, event id) in the ReplacingMergeTree.
 */
export function clickhouseProcessesSink(client: ClickHouseClient, db: string): Sink<ProcessEvent> {
  return {
    name: 'clickhouse-processes',
    write: (batch) => idempotentInsert(client, `${db}.processes`, batch, (p) => p.event_id, COMPACT),
    close: async () => undefined,
  };
}
