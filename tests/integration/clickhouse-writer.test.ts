import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MetricSample } from '../../schemas';
import {
  clickhouseMetricsSink,
  createClickHouse,
  migrate,
  MIGRATIONS,
  runReadOnlyQuery,
  type ClickHouseClient,
} from '../../sinks/clickhouse';

describe('ClickHouse (embedded engine): migrations and the raw writer', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-ch-'));
  const db = 'tw_writer_test';
  let client: ClickHouseClient;

  beforeAll(() => {
    client = createClickHouse({ username: 'default', password: '', dataDir });
  });

  afterAll(async () => {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const batch = (ids: string[]): MetricSample[] =>
    ids.map((id, i) => ({
      event_id: id,
      host: 'h',
      ts: Date.now() - 1000 + i,
      metric: 'system.cpu.utilization',
      value: i / 10,
      unit: '1',
      attributes: { k: 'v' },
    }));
  const count = async () =>
    Number((await runReadOnlyQuery(client, `SELECT count() AS n FROM ${db}.metrics`)).rows[0]!.n);

  it('migrates from empty, then is a no-op', async () => {
    expect(await migrate(client, db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(client, db)).toEqual([]);
    const columns = await runReadOnlyQuery(
      client,
      `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = 'metrics' ORDER BY position`,
      { db },
    );
    expect(columns.rows.map((r) => r.name)).toEqual([
      'metric',
      'host',
      'device',
      'mountpoint',
      'interface',
      'direction',
      'state',
      'attributes',
      'attributes_hash',
      'ts',
      'value',
      'unit',
      'event_id',
      'labels',
    ]);
  });

  it('drops a re-delivered batch by its deduplication token, without FINAL', async () => {
    const sink = clickhouseMetricsSink(client, db);
    await sink.write(batch(['a', 'b', 'c']));
    await sink.write(batch(['a', 'b', 'c']));
    expect(await count()).toBe(3);
    await sink.write(batch(['d']));
    expect(await count()).toBe(4);
  });

  it('leaves no session state behind: a read-only query does not make the writer read-only', async () => {
    await runReadOnlyQuery(client, 'SELECT 1');
    await clickhouseMetricsSink(client, db).write(batch(['e']));
    expect(await count()).toBe(5);
    const plain = batch(['f']);
    await client.insert({ table: `${db}.metrics`, values: plain, format: 'JSONEachRow' });
    expect(await count()).toBe(6);
  });
});
