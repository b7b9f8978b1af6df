import type { ClickHouseClient } from '@clickhouse/client';
import type { Migration } from './migration';

/**
 * How many parts of about one size the engine gathers before it merges them (MergeTree's default
 * is 5). Raw samples arrive as a part per insert, a few a second; each merge reads, sorts and
 * compresses its rows again, and merges were about a third of what the embedded engine spent per
 * stored sample. At 20 a sample is rewritten about half as often (1M-event bench: engine CPU 2.7–3.0
 * → 1.6–1.9 µs per event), for more parts alive at once (tens per day's partition, far below the
 * 1 000 at which inserts slow down); older parts are still merged. Servers too old to know the
 * setting keep their own.
 */
const MERGE_SELECTOR_BASE = 20;

async function knowsSetting(client: ClickHouseClient, name: string): Promise<boolean> {
  const rs = await client.query({
    query: 'SELECT count() AS n FROM system.merge_tree_settings WHERE name = {name:String}',
    query_params: { name },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]!.n) > 0;
}

export const widerRawMerges: Migration = {
  version: 9,
  name: 'raw metrics merged in wider steps',
  statements: () => [],
  run: async (client, db, ddl) => {
    if (!(await knowsSetting(client, 'merge_selector_base'))) return;
    await client.command({
      query: `ALTER TABLE ${db}.metrics${ddl.on} MODIFY SETTING merge_selector_base = ${MERGE_SELECTOR_BASE}`,
    });
  },
};
