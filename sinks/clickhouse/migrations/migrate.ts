import type { ClickHouseClient } from '@clickhouse/client';
import { TidewatchError } from '../../../core/errors';
import { SINGLE_NODE, type Ddl } from './ddl';
import { MIGRATIONS } from './list';
import type { Migration } from './migration';
import { withMigrationLock, type MigrationLockOptions } from './migration-lock';

export interface MigrateOptions {
  /** One server (default) or a cluster: see ddl.ts. */
  ddl?: Ddl;
  lock?: MigrationLockOptions;
}

/** On a cluster: it must be defined on the server and have one shard (see docs/clickhouse-cluster.md). */
async function checkCluster(client: ClickHouseClient, cluster: string): Promise<void> {
  const rs = await client.query({
    query: 'SELECT uniqExact(shard_num) AS shards FROM system.clusters WHERE cluster = {cluster:String}',
    query_params: { cluster },
    format: 'JSONEachRow',
  });
  const shards = Number((await rs.json<{ shards: string }>())[0]?.shards ?? 0);
  if (shards === 1) return;
  throw new TidewatchError(
    'TW_ERR_CLICKHOUSE_SCHEMA',
    shards === 0
      ? `clickhouse.cluster (CLICKHOUSE_CLUSTER): the server defines no cluster named ${cluster} in remote_servers`
      : `clickhouse.cluster (CLICKHOUSE_CLUSTER): cluster ${cluster} has ${shards} shards; Tidewatch's tables are replicated, not sharded: use a cluster of one shard and its replicas`,
  );
}

async function appliedVersions(client: ClickHouseClient, db: string, ddl: Ddl): Promise<Set<number>> {
  const rows = await (
    await client.query({
      query: `SELECT DISTINCT version FROM ${db}.schema_migrations`,
      format: 'JSONEachRow',
      clickhouse_settings: ddl.consistentRead,
    })
  ).json<{ version: number }>();
  return new Set(rows.map((r) => Number(r.version)));
}

/**
 * Brings `db` up to the newest migration (of `migrations`); returns the versions applied now (by
 * this process: when processes start together, one migrates under the lock and the others wait
 * for it and return []).
 */
export async function migrate(
  client: ClickHouseClient,
  db: string,
  migrations: readonly Migration[] = MIGRATIONS,
  options: MigrateOptions = {},
): Promise<number[]> {
  const ddl = options.ddl ?? SINGLE_NODE;
  if (ddl.cluster !== undefined) await checkCluster(client, ddl.cluster);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}${ddl.on}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations${ddl.on} (version UInt32, name String, applied_at DateTime DEFAULT now())
            ${ddl.engine('ReplacingMergeTree')} ORDER BY version`,
  });
  const pending = async () => {
    const done = await appliedVersions(client, db, ddl);
    return migrations.filter((m) => !done.has(m.version));
  };
  const applied = await withMigrationLock(
    client,
    db,
    ddl,
    async () => (await pending()).length === 0,
    async () => {
      const now: number[] = [];
      for (const m of await pending()) {
        for (const statement of m.statements(db, ddl)) await client.command({ query: statement });
        await m.run?.(client, db, ddl);
        await client.insert({
          table: `${db}.schema_migrations`,
          values: [{ version: m.version, name: m.name }],
          format: 'JSONEachRow',
          clickhouse_settings: ddl.consistentWrite,
        });
        now.push(m.version);
      }
      return now;
    },
    options.lock,
  );
  return applied ?? [];
}
