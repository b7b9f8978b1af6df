import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Ddl } from './ddl';

export interface MigrationLockOptions {
  /** This process's name in the lock table (a random id by default). */
  owner?: string;
  /** A holder this many seconds old (by the server's clock) is presumed dead and taken over. */
  leaseSeconds?: number;
  /** How long a process waits between looks at the lock while another one migrates. */
  pollMs?: number;
  /** Injected for tests; the default waits `ms` on a timer. */
  sleep?: (ms: number) => Promise<void>;
}

interface LockRow {
  attempt: number;
  owner: string;
  age: number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in at most one process at a time per database: the processes that start together
 * each insert an "attempt n" row with the same `insert_deduplication_token`, so ClickHouse keeps
 * exactly one (the first; Keeper decides on a cluster, the table's deduplication window on one
 * server) and every process reads back whose it is. The others wait, looking again every
 * `pollMs`, until `done()` says the work is finished, or the holder releases the lock (an attempt
 * row with no owner, written whether the work succeeded or failed) or outlives its lease (a
 * crashed holder), when they contend for attempt n + 1. Returns `work`'s result, or undefined
 * when another process did the work.
 */
export async function withMigrationLock<T>(
  client: ClickHouseClient,
  db: string,
  ddl: Ddl,
  done: () => Promise<boolean>,
  work: () => Promise<T>,
  options: MigrationLockOptions = {},
): Promise<T | undefined> {
  const owner = options.owner ?? randomUUID();
  const leaseSeconds = options.leaseSeconds ?? 900;
  const sleep = options.sleep ?? wait;
  const table = `${db}.schema_migrations_lock`;
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${table}${ddl.on} (
        attempt UInt64, owner String, acquired_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC'))
      ${ddl.engine('MergeTree')} ORDER BY attempt
      SETTINGS non_replicated_deduplication_window = 1000`,
  });
  const latest = async (): Promise<LockRow | undefined> => {
    const rs = await client.query({
      query: `SELECT attempt, argMin(owner, acquired_at) AS owner,
                dateDiff('second', min(acquired_at), now64(3, 'UTC')) AS age
              FROM ${table} GROUP BY attempt ORDER BY attempt DESC LIMIT 1`,
      format: 'JSONEachRow',
      clickhouse_settings: ddl.consistentRead,
    });
    const row = (await rs.json<Record<string, string | number>>())[0];
    return row && { attempt: Number(row.attempt), owner: String(row.owner), age: Number(row.age) };
  };
  const claim = (attempt: number, who: string) =>
    client.insert({
      table,
      values: [{ attempt, owner: who }],
      format: 'JSONEachRow',
      clickhouse_settings: {
        ...ddl.consistentWrite,
        insert_deduplication_token: `schema_migrations_lock:${attempt}`,
      },
    });
  for (;;) {
    if (await done()) return undefined;
    const held = await latest();
    const free = !held || held.owner === '' || held.age >= leaseSeconds;
    if (free) {
      const attempt = (held?.attempt ?? 0) + 1;
      await claim(attempt, owner);
      const now = await latest();
      if (now?.attempt === attempt && now.owner === owner) {
        try {
          return await work();
        } finally {
          await claim(attempt + 1, '');
        }
      }
    }
    await sleep(options.pollMs ?? 1000);
  }
}
