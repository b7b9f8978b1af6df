import { asyncScheduler } from 'rxjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMetrics } from '../../core/metrics';
import { silentLogger } from '../../core/logger';
import { projectRoot } from '../../core/paths';
import { durableSinks } from '../../processors/delivery';
import type { MetricAggregate, MetricSample } from '../../schemas';
import {
  applyRetention,
  clickhouseAggregatesSink,
  clientOver,
  clickhouseMetricsSink,
  DEFAULT_SEALING,
  loadDetectorStates,
  migrate,
  MIGRATIONS,
  runReadOnlyQuery,
  saveDetectorStates,
  sealHours,
  ttlDays,
  type ClickHouseClient,
} from '../../sinks/clickhouse';
import { openEmbedded } from '../helpers/embedded-engine';
import { faultyConnection, lossyConnection } from '../helpers/faulty-connection';
import { waitFor } from '../helpers/wait-for';

/** The ```sql blocks of docs/queries.md, with the database name of this test. */
function documentedQueries(db: string): string[] {
  const doc = fs.readFileSync(path.join(projectRoot(), 'docs', 'queries.md'), 'utf8');
  return [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.replaceAll('tidewatch.', `${db}.`));
}

describe('ClickHouse storage (embedded engine): schema, retention, idempotence, SQL interface', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-storage-'));
  const db = 'tw_storage';
  let refusing: ReturnType<typeof faultyConnection>;
  let lossy: ReturnType<typeof lossyConnection>;
  let client: ClickHouseClient;
  const sql = async (query: string, params: Record<string, unknown> = {}) =>
    (await runReadOnlyQuery(client, query, params)).rows;
  const now = Date.now();

  // Two hosts, three series each, one sample every 5 s for 10 minutes, plus inventory.
  const samples: MetricSample[] = [];
  for (const host of ['web-1', 'db-1']) {
    samples.push({
      event_id: `${host}:1:inv`,
      host,
      ts: now - 600_000,
      metric: 'tidewatch.host.info',
      value: 1,
      unit: '1',
      attributes: { 'os.description': 'Debian 12', 'host.cpu.cores': '2', 'host.memory.total': '1024' },
    });
    for (let i = 0; i < 120; i++) {
      const ts = now - 600_000 + i * 5000;
      const at = (metric: string, value: number, attributes: Record<string, string>) =>
        samples.push({
          event_id: `${host}:1:${metric}:${i}`,
          host,
          ts,
          metric,
          value,
          unit: '1',
          attributes,
        });
      at('system.cpu.utilization', (host === 'web-1' ? 0.5 : 0.2) + (i % 10) / 100, {});
      at('system.filesystem.utilization', 0.5 + i / 1000, {
        'system.device': '/dev/sda1',
        'system.filesystem.mountpoint': '/',
      });
      at('tidewatch.system.network.errors_rate', i % 7 === 0 ? 2 : 0, {
        'network.interface.name': 'eth0',
        'network.io.direction': 'receive',
      });
    }
  }

  beforeAll(async () => {
    const connection = await openEmbedded(dataDir);
    refusing = faultyConnection(connection, `${db}.metrics`);
    lossy = lossyConnection(connection, `${db}.metrics`, 0);
    client = clientOver(connection);
  });

  afterAll(async () => {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('upgrades a database at version 4 with data: rows kept, new layout, then nothing to do', async () => {
    expect(await migrate(client, db, MIGRATIONS.slice(0, 4))).toEqual([1, 2, 3, 4]);
    await client.insert({
      table: `${db}.metrics`,
      values: samples.slice(0, 50),
      format: 'JSONEachRow',
    });
    const window = { host: 'old-1', metric: 'system.cpu.utilization', unit: '1', attributes: {} };
    await clickhouseAggregatesSink(client, db).write([
      {
        ...window,
        window_start: Math.floor(now / 3_600_000) * 3_600_000,
        window_ms: 60_000,
        count: 5,
        sum: 2,
        min: 0,
        max: 1,
        mean: 0.4,
        last: 1,
        p50: 0.4,
        p95: 0.9,
        p99: 1,
      },
    ]);
    expect(await migrate(client, db)).toEqual(MIGRATIONS.slice(4).map((m) => m.version));
    // What was stored before is rolled up and listed too.
    expect(
      (await sql(`SELECT host, count FROM ${db}.metrics_1h`)).map((r) => [r.host, Number(r.count)]),
    ).toEqual([['old-1', 5]]);
    expect(
      (await sql(`SELECT host, os_description FROM ${db}.hosts ORDER BY host`)).map((r) => r.host),
    ).toEqual([...new Set(samples.slice(0, 50).map((s) => s.host))].sort());
    expect(await migrate(client, db)).toEqual([]);
    // The samples already stored are counted as arrivals, so their hours are sealed too.
    expect(Number((await sql(`SELECT sum(rows) AS n FROM ${db}.metrics_1h_arrivals`))[0]!.n)).toBe(50);
    const [row] = await sql(
      `SELECT count() AS n, countIf(device = '/dev/sda1') AS on_sda1 FROM ${db}.metrics`,
    );
    expect(Number(row!.n)).toBe(50);
    expect(Number(row!.on_sda1)).toBe(
      samples.slice(0, 50).filter((s) => s.attributes['system.device']).length,
    );
    expect(
      await sql(`SELECT name FROM system.tables WHERE database = {db:String} AND name = 'metrics_next'`, {
        db,
      }),
    ).toEqual([]);
  });

  it('orders raw samples by series then time, with time-series codecs and typed promoted columns', async () => {
    const [table] = await sql(
      `SELECT sorting_key, partition_key FROM system.tables WHERE database = {db:String} AND name = 'metrics'`,
      { db },
    );
    expect(table).toEqual({
      sorting_key:
        'metric, host, device, mountpoint, interface, direction, state, attributes_hash, ts, event_id',
      partition_key: 'toDate(ts)',
    });
    const [created] = await sql(
      `SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = 'metrics'`,
      { db },
    );
    expect(String(created!.q)).toContain('merge_selector_base = 20');
    const columns = Object.fromEntries(
      (
        await sql(
          `SELECT name, type, compression_codec FROM system.columns WHERE database = {db:String} AND table = 'metrics'`,
          { db },
        )
      ).map((c) => [c.name, `${c.type} ${c.compression_codec}`.trim()]),
    );
    expect(columns).toMatchObject({
      ts: "DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1))",
      value: 'Float64 CODEC(Gorilla(8), ZSTD(1))',
      host: 'LowCardinality(String)',
      metric: 'LowCardinality(String)',
      device: 'LowCardinality(String)',
      mountpoint: 'LowCardinality(String)',
      interface: 'LowCardinality(String)',
      attributes: 'Map(String, String) CODEC(ZSTD(3))',
    });
  });

  it('keeps each table for its own retention, and applies a changed retention once', async () => {
    const ttl = async () =>
      Object.fromEntries(
        (
          await sql(`SELECT name, create_table_query AS q FROM system.tables WHERE database = {db:String}`, {
            db,
          })
        ).map((t) => [t.name, ttlDays(String(t.q))]),
      );
    expect(await ttl()).toMatchObject({
      metrics: 7,
      processes: 7,
      aggregates: 30,
      metrics_1h_state: 365,
      metrics_1h_arrivals: 7,
      metrics_1h_seals: 7,
      anomaly_states: 90,
    });
    expect(await applyRetention(client, db, { rawDays: 3, aggregatesDays: 30, hourlyDays: 400 })).toEqual([
      'metrics',
      'processes',
      'metrics_1h_state',
      'metrics_1h_arrivals',
      'metrics_1h_seals',
    ]);
    expect(await ttl()).toMatchObject({
      metrics: 3,
      processes: 3,
      aggregates: 30,
      metrics_1h_state: 400,
      metrics_1h_arrivals: 3,
      metrics_1h_seals: 3,
    });
    expect(await applyRetention(client, db, { rawDays: 3, aggregatesDays: 30, hourlyDays: 400 })).toEqual([]);
    await applyRetention(client, db, { rawDays: 7, aggregatesDays: 30, hourlyDays: 365 });
  });

  it('gives the same answers to every documented query after a retried batch and a re-delivery', async () => {
    const sink = clickhouseMetricsSink(client, db);
    await sink.write(samples);
    const answers = async () => {
      const out: unknown[] = [];
      for (const q of documentedQueries(db)) out.push(await sql(q, { host: 'web-1' }));
      return JSON.stringify(out);
    };
    const before = await answers();
    expect(before).toContain('web-1');
    await sink.write(samples); // a retry of the same batch: dropped by its token
    // A re-delivery cut differently, as a restarted processor (a new sink) re-reads: not stored again.
    const restarted = clickhouseMetricsSink(client, db);
    await restarted.write(samples.slice(100, 300));
    await restarted.write(samples.slice(0, 150));
    expect(await answers()).toEqual(before);
    // Raw rows, no FINAL: a sample stored twice would count twice.
    const [counts] = await sql(`SELECT count() AS n, uniqExact(event_id) AS ids FROM ${db}.metrics`);
    expect(Number(counts!.n)).toBe(samples.length);
    expect(Number(counts!.ids)).toBe(samples.length);
    const [host] = await sql(
      `SELECT os_description, cpu_cores, memory_total FROM ${db}.hosts WHERE host = 'web-1'`,
    );
    expect({ ...host, memory_total: Number(host!.memory_total) }).toEqual({
      os_description: 'Debian 12',
      cpu_cores: 2,
      memory_total: 1024,
    });
  });

  it('rolls 1-minute windows up by the hour: a re-emitted window counts once, a corrected one supersedes', async () => {
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    const window = (minute: number, count: number): MetricAggregate => ({
      host: 'roll-1',
      metric: 'system.cpu.utilization',
      unit: '1',
      attributes: {},
      window_start: hour + minute * 60_000,
      window_ms: 60_000,
      count,
      sum: count / 2,
      min: 0.1,
      max: 0.2 + minute / 100,
      mean: 0.5,
      last: minute,
      p50: 0.5,
      p95: 0.6 + minute / 100,
      p99: 0.9,
    });
    const sink = clickhouseAggregatesSink(client, db);
    const hourly = async () =>
      (
        await sql(
          `SELECT count, sum, min, max, last, p95 FROM ${db}.metrics_1h WHERE host = 'roll-1' AND hour = {hour:DateTime64(3, 'UTC')}`,
          { hour: hour / 1000 },
        )
      ).map((r) => ({ ...r, count: Number(r.count), p95: r.p95 as number }));
    await sink.write([window(0, 12), window(1, 12)]);
    await sink.write([window(1, 12), window(2, 6)]); // minute 1 again, in a differently cut batch
    // No samples of this hour reached the rollup: p95 falls back to the minutes' own p95s 0.60, 0.61
    // (12 samples each) and 0.62 (6), count-weighted: the 28.5th of 30 is 0.62.
    expect(await hourly()).toEqual([{ count: 30, sum: 15, min: 0.1, max: 0.22, last: 2, p95: 0.62 }]);
    // Minute 1 corrected by a late sample of 0.05: the larger count supersedes every column.
    await sink.write([{ ...window(1, 13), sum: 6.05, min: 0.05 }]);
    expect(await hourly()).toEqual([{ count: 31, sum: 15.05, min: 0.05, max: 0.22, last: 2, p95: 0.62 }]);
    // Once the hour is sealed, its percentiles are its samples', exact, not percentiles of percentiles.
    const raw = Array.from({ length: 200 }, (_, i): MetricSample => ({
      event_id: `roll-1:1:${i}`,
      host: 'roll-1',
      ts: hour + (i % 3) * 60_000 + i,
      metric: 'system.cpu.utilization',
      value: i / 100,
      unit: '1',
      attributes: {},
    }));
    await clickhouseMetricsSink(client, db).write(raw);
    expect((await hourly())[0]!.p95).toBe(0.62); // stored, not yet sealed
    await sealHours(client, db, DEFAULT_SEALING, hour + 2 * 3_600_000);
    const [row] = await hourly();
    expect(row!.p95).toBeCloseTo(1.8905, 9); // the exact p95 of 0.00…1.99
    expect(row!.count).toBe(31); // the windows' counts, not the samples'
  });

  it('seals an hour once it is over: exact percentiles of its stored samples, duplicates once, late samples seal it again', async () => {
    const hour = Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000;
    const series = {
      host: 'seal-1',
      metric: 'system.cpu.utilization',
      unit: '1',
      attributes: { 'cpu.mode': 'user' },
    };
    const sample = (i: number, value: number): MetricSample => ({
      ...series,
      event_id: `seal-1:1:${i}`,
      ts: hour + i * 10_000,
      value,
    });
    // One sample every 10 s over the hour: 0, 1, …, 359.
    const raw = Array.from({ length: 360 }, (_, i) => sample(i, i));
    await clickhouseMetricsSink(client, db).write(raw);
    await clickhouseAggregatesSink(client, db).write(
      Array.from({ length: 60 }, (_, m): MetricAggregate => {
        const v = raw.slice(m * 6, m * 6 + 6).map((s) => s.value);
        return {
          ...series,
          window_start: hour + m * 60_000,
          window_ms: 60_000,
          count: 6,
          sum: v.reduce((a, b) => a + b, 0),
          min: v[0]!,
          max: v[5]!,
          mean: v[0]! + 2.5,
          last: v[5]!,
          p50: v[0]! + 2.5,
          p95: v[5]!,
          p99: v[5]!,
        };
      }),
    );
    const hourly = async () => {
      const [r] = await sql(
        `SELECT count, p50, p95, p99 FROM ${db}.metrics_1h WHERE host = 'seal-1' AND hour = {hour:DateTime64(3, 'UTC')}`,
        { hour: hour / 1000 },
      );
      return { ...r, count: Number(r!.count), p95: r!.p95 as number, p99: r!.p99 as number };
    };
    const sealed = async () =>
      (
        await sql(`SELECT argMaxMerge(sealed).1 AS samples FROM ${db}.metrics_1h_state WHERE host = 'seal-1'`)
      ).map((r) => Number(r.samples));
    const pass = (at: number) => sealHours(client, db, DEFAULT_SEALING, at);
    /** A pass once the last samples stored have been quiet for the grace. */
    const quietPass = () => pass(Date.now() + DEFAULT_SEALING.graceMs + 1000);
    // Samples of the hour were stored just now: not sealed until they stop for the grace.
    expect((await pass(Date.now())).hostHours).toBe(0);
    expect(await sealed()).toEqual([0]);
    // Minutes' own percentiles until then, count-weighted: of sixty p95s 5, 11, …, 359 the 342nd
    // of 360 weighted is 341; of the same p99s the 356th is 359.
    expect(await hourly()).toEqual({ count: 360, p50: 176.5, p95: 341, p99: 359 });
    expect(await quietPass()).toMatchObject({ hostHours: 1, rows: 360 });
    // Exact, by linear interpolation between ranks: p95 of 0…359 is 0.95 × 359.
    expect(await hourly()).toEqual({ count: 360, p50: 179.5, p95: 341.05, p99: 355.41 });
    expect(await sealed()).toEqual([360]);
    expect((await quietPass()).hostHours).toBe(0); // nothing new
    // The same samples stored again (a replay past every guard): counted as arrivals, so the hour
    // is sealed again, but from its samples with the duplicates removed.
    await client.insert({ table: `${db}.metrics`, values: raw.slice(0, 100), format: 'JSONEachRow' });
    expect((await quietPass()).hostHours).toBe(1);
    expect(await sealed()).toEqual([360]);
    expect((await hourly()).p95).toBe(341.05);
    // A late sample, a spike: sealed again once quiet, and the hour's p99 follows.
    await clickhouseMetricsSink(client, db).write([{ ...sample(360, 10_000), ts: hour + 3_599_999 }]);
    expect((await pass(Date.now())).hostHours).toBe(0);
    expect((await quietPass()).hostHours).toBe(1);
    expect(await sealed()).toEqual([361]);
    expect((await hourly()).p99).toBeCloseTo(356.4, 9);

    // Hosts and metrics over several queries (a budget of 500 samples): each series sealed once, whole.
    const more = ['seal-2', 'seal-3'].flatMap((host) =>
      ['system.cpu.utilization', 'system.memory.utilization'].flatMap((metric) =>
        Array.from({ length: 360 }, (_, i) => ({
          ...sample(i, i),
          host,
          metric,
          event_id: `${host}:${metric}:${i}`,
        })),
      ),
    );
    await clickhouseMetricsSink(client, db).write(more);
    const queries: number[] = [];
    const several = await sealHours(
      client,
      db,
      { ...DEFAULT_SEALING, rowsPerQuery: 500 },
      Date.now() + DEFAULT_SEALING.graceMs + 1000,
      (rows) => queries.push(rows),
    );
    expect(several).toMatchObject({ hostHours: 2, queries: 4, rows: 1440 });
    expect(queries).toEqual([360, 360, 360, 360]);
    const each = await sql(
      `SELECT host, metric, argMaxMerge(sealed) AS s FROM ${db}.metrics_1h_state
       WHERE host IN ('seal-2', 'seal-3') GROUP BY host, metric ORDER BY host, metric`,
    );
    expect(each.map((r) => [r.host, r.metric, (r.s as number[])[0], (r.s as number[])[2]])).toEqual([
      ['seal-2', 'system.cpu.utilization', 360, 341.05],
      ['seal-2', 'system.memory.utilization', 360, 341.05],
      ['seal-3', 'system.cpu.utilization', 360, 341.05],
      ['seal-3', 'system.memory.utilization', 360, 341.05],
    ]);
  });

  it('loads the newest baseline of the most recently saved series, a bounded chunk at a time', async () => {
    const row = (series: string, state: string) => ({ series, host: `h-${series}`, state });
    await saveDetectorStates(client, db, [row('a', 'a1'), row('b', 'b1'), row('c', 'c1')], now - 5000);
    await saveDetectorStates(client, db, [row('d', 'd1'), row('a', 'a2')], now - 4000);
    await saveDetectorStates(client, db, [row('e', 'e1')], now - 3000);
    const chunks: string[][] = [];
    await loadDetectorStates(
      client,
      db,
      4,
      (rows) => void chunks.push(rows.map((r) => `${r.series}:${r.state}:${r.host}`)),
      3,
    );
    // Newest first: e, then a and d (the same time), then one of b and c; a's newer state only.
    expect(chunks.map((c) => c.length)).toEqual([3, 1]);
    const loaded = chunks.flat();
    expect(loaded[0]).toBe('e:e1:h-e');
    expect(loaded.slice(1, 3).sort()).toEqual(['a:a2:h-a', 'd:d1:h-d']);
    expect(['b:b1:h-b', 'c:c1:h-c']).toContain(loaded[3]);
  });

  it('keeps a baseline, its series and host exactly as they were: quotes, escapes, tabs, line breaks', async () => {
    const state = JSON.stringify({
      v: 2,
      baseline: { n: 3, level: -0.1 / 3, note: 'a "b"\\c\n' },
      bins: [1e-7, 2],
    });
    const series = 'json-1\tx\\n\n';
    const host = 'h "q"\r\\';
    await saveDetectorStates(client, db, [{ series, host, state }], now);
    const rows: string[] = [];
    await loadDetectorStates(
      client,
      db,
      100,
      (r) => void rows.push(...r.filter((x) => x.series === series).map((x) => `${x.host}|${x.state}`)),
    );
    expect(rows).toEqual([`${host}|${state}`]);
  });

  describe('the SQL interface', () => {
    const refused = (query: string, params = {}) =>
      runReadOnlyQuery(client, query, params).then(
        () => 'ran',
        (e: { code?: string }) => e.code,
      );

    it.each([
      [`INSERT INTO ${db}.metrics (host) VALUES ('x')`],
      [`DROP TABLE ${db}.metrics`],
      ['SYSTEM STOP MERGES'],
      [`SELECT 1; DROP TABLE ${db}.metrics`],
      [`ALTER TABLE ${db}.metrics DELETE WHERE 1`],
      [`SELECT * FROM file('/etc/passwd', 'LineAsString')`],
    ])('refuses %s, and the table is still there', async (query) => {
      expect(await refused(query)).toBe('TW_ERR_SQL_NOT_READONLY');
      expect(Number((await sql(`SELECT count() AS n FROM ${db}.metrics`))[0]!.n)).toBeGreaterThan(0);
    });

    it('refuses INTO OUTFILE, which would write a file on the embedded engine', async () => {
      const file = path.join(dataDir, 'outfile.csv');
      expect(await refused(`WITH 1 AS x SELECT x INTO OUTFILE '${file}'`)).toBe('TW_ERR_SQL_NOT_READONLY');
      expect(fs.existsSync(file)).toBe(false);
    });

    it('answers a result over the row limit with ClickHouse code and reason', async () => {
      const err = await runReadOnlyQuery(
        client,
        'SELECT number FROM system.numbers LIMIT 1000',
        {},
        {
          maxExecutionSeconds: 10,
          maxResultRows: 100,
          maxResultBytes: 1_000_000,
        },
      ).catch((e: Error & { code?: string }) => e);
      expect((err as { code?: string }).code).toBe('TW_ERR_CLICKHOUSE_QUERY');
      expect((err as Error).message).toMatch(/ClickHouse error.*(rows|limit)/i);
    });

    it('leaves nothing of a failed query for the next reader', async () => {
      const limits = { maxExecutionSeconds: 10, maxResultRows: 10, maxResultBytes: 1_000_000 };
      await expect(runReadOnlyQuery(client, 'SELECT number FROM numbers(100)', {}, limits)).rejects.toThrow();
      expect(await sql('SELECT 7 AS seven')).toEqual([{ seven: 7 }]);
    });

    it('binds parameters server-side: an injection attempt is just a string', async () => {
      const q = `SELECT count() AS n FROM ${db}.metrics WHERE host = {host:String}`;
      expect(Number((await sql(q, { host: "web-1' OR '1'='1" }))[0]!.n)).toBe(0);
      expect(Number((await sql(q, { host: 'web-1' }))[0]!.n)).toBeGreaterThan(0);
    });
  });

  describe('the writer under faults', () => {
    const metrics = createMetrics();
    const durable = durableSinks({
      metrics,
      log: silentLogger,
      retry: { initialMs: 10, maxMs: 50, attempts: Infinity },
      breaker: { failures: 3, openMs: 200 },
      scheduler: asyncScheduler,
    });
    const count = async (prefix: string) =>
      Number(
        (
          await sql(`SELECT count() AS n FROM ${db}.metrics WHERE startsWith(event_id, {p:String})`, {
            p: prefix,
          })
        )[0]!.n,
      );
    const batch = (prefix: string) =>
      samples.slice(0, 200).map((s) => ({ ...s, event_id: `${prefix}${s.event_id}`, host: `${prefix}host` }));

    it('holds a batch while inserts are refused, opens and closes its breaker, and writes it exactly once', async () => {
      const sink = durable(clickhouseMetricsSink(clientOver(refusing.connection), db));
      refusing.state.failing = true;
      const write = sink.write(batch('refused-'));
      await waitFor('five refused inserts', () => refusing.state.failedInserts >= 5, 30_000, 10);
      expect(await count('refused-')).toBe(0);
      refusing.state.failing = false;
      await write;
      expect(await count('refused-')).toBe(200);
      const transitions = (await metrics.breakerTransitions.get()).values.map((v) => v.labels.to);
      expect(transitions).toEqual(expect.arrayContaining(['open', 'half_open', 'closed']));
      expect(
        (await metrics.breakerState.get()).values.find((x) => x.labels.sink === 'clickhouse')?.value,
      ).toBe(0);
    });

    it('retries an insert whose reply was lost with the same token: no duplicate', async () => {
      lossy.state.lose = 2;
      const sink = durable(clickhouseMetricsSink(clientOver(lossy.connection), db));
      await sink.write(batch('lossy-'));
      expect(lossy.state.lostReplies).toBe(2);
      expect(
        Number(
          (await sql(`SELECT count() AS n FROM ${db}.metrics WHERE startsWith(event_id, 'lossy-')`))[0]!.n,
        ),
      ).toBe(200);
    });
  });
});
