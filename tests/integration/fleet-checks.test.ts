import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachExports, exportStored, storedCounts } from '../../bench/stored-exports';
import { windowCompleteness } from '../../bench/window-completeness';
import { clientOver, migrate, type ClickHouseClient } from '../../sinks/clickhouse';
import { openEmbedded } from '../helpers/embedded-engine';

/**
 * The fleet bench's checks across processors that each stored into their own engine: their rows
 * exported, read back as one union. Two databases of one engine stand for two processors' folders.
 */
describe('fleet bench checks over several processors’ exports (embedded engine)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-fleet-checks-'));
  const dirs = [path.join(dataDir, 'exports', 'p0'), path.join(dataDir, 'exports', 'p1')];
  let client: ClickHouseClient;
  // Recent: the tables' TTL drops rows older than a week at insert.
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  const attributes = { 'cpu.mode': 'user' };
  const sample = (id: string, atS: number) => ({
    event_id: id,
    host: 'h1',
    ts: minute + atS * 1000,
    metric: 'system.cpu.utilization',
    value: 0.5,
    unit: '1',
    attributes,
  });
  const aggregate = (count: number) => ({
    window: '1m',
    host: 'h1',
    metric: 'system.cpu.utilization',
    unit: '1',
    attributes,
    window_start: minute,
    count,
    ...{ sum: count, min: 0, max: 1, mean: 0.5, last: 0.5, p50: 0.5, p95: 1, p99: 1 },
  });
  const insert = (table: string, values: object[]) =>
    client.insert({
      table,
      values,
      format: 'JSONEachRow',
      clickhouse_settings: { date_time_input_format: 'best_effort' },
    });

  beforeAll(async () => {
    client = clientOver(await openEmbedded(dataDir));
    for (const db of ['fc_p0', 'fc_p1']) await migrate(client, db);
    // p0 owned the host first: two samples and the window's partial aggregate. After a rebalance
    // p1 read e2 again (stored twice), then e3, closed the window with every sample, and stored e4
    // of the next minute (past the window's end + 5 s lateness: the window must have closed).
    await insert('fc_p0.metrics', [sample('e1', 10), sample('e2', 20)]);
    await insert('fc_p0.aggregates', [aggregate(2)]);
    await insert('fc_p1.metrics', [sample('e2', 20), sample('e3', 30), sample('e4', 70)]);
    await insert('fc_p1.aggregates', [aggregate(3)]);
  });

  afterAll(async () => {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts every row of every processor, a sample stored by two once as distinct, the window complete', async () => {
    await exportStored(client, 'fc_p0', dirs[0]!);
    await exportStored(client, 'fc_p0', dirs[0]!); // exported again (the bench polls): replaced, not appended
    await exportStored(client, 'fc_p1', dirs[1]!);
    await attachExports(client, 'fc_check', dirs);
    expect(await storedCounts(client, 'fc_check')).toEqual({ rows: 5, distinct: 4 });
    expect(await windowCompleteness(client, 'fc_check', 60_000, '1m', 5000)).toEqual({
      emitted: 1,
      expected: 1,
      missing: 0,
      differ: 0,
      complete: true,
    });
  });

  it('reads the exports afresh: a window whose fuller aggregate is gone is incomplete', async () => {
    await client.command({ query: 'TRUNCATE TABLE fc_p1.aggregates' });
    await exportStored(client, 'fc_p1', dirs[1]!);
    const windows = await windowCompleteness(client, 'fc_check', 60_000, '1m', 5000);
    expect(windows).toMatchObject({ emitted: 1, expected: 1, differ: 1, complete: false });
  });
});
