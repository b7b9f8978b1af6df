import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syntheticSamples } from '../producers/loadgen';
import type { MetricSample } from '../schemas';
import {
  clickhouseMetricsSink,
  createClickHouse,
  migrate,
  MIGRATIONS,
  type ClickHouseClient,
} from '../sinks/clickhouse';

export interface StorageBenchOptions {
  hosts: number;
  /** Hours of history at a 5 s interval. */
  hours: number;
  /** Rows per insert (the processor coalesces to about this many). */
  batchRows: number;
  /** Timed runs of each history query. */
  queryRuns: number;
}

const INTERVAL_MS = 5000;
const SERIES_PER_HOST = 6; // the load generator's shapes

/** The dashboard's history reads, over the last hour of `hosts` hosts. */
const HISTORY_QUERIES = (db: string): Record<string, string> => ({
  // One host's chart: every sample of its CPU for the hour.
  host_cpu_hour: `SELECT toUnixTimestamp64Milli(ts) AS t, value FROM ${db}.metrics
    WHERE metric = 'system.cpu.utilization' AND host = {host:String} AND ts > {from:DateTime64(3)} ORDER BY ts`,
  // The overview's sparklines: every host's CPU in 1-minute buckets for the hour.
  fleet_cpu_sparklines: `SELECT host, toStartOfMinute(ts) AS t, avg(value) AS v FROM ${db}.metrics
    WHERE metric = 'system.cpu.utilization' AND ts > {from:DateTime64(3)} GROUP BY host, t ORDER BY host, t`,
  // The overview's tiles: every host's latest CPU and memory.
  fleet_latest: `SELECT host, metric, argMax(value, ts) AS v, max(ts) AS at FROM ${db}.metrics
    WHERE metric IN ('system.cpu.utilization', 'system.memory.utilization') AND ts > {from:DateTime64(3)}
    GROUP BY host, metric`,
  // A host view's network chart, filtered on a promoted attribute column where there is one.
  host_network_hour: `SELECT toUnixTimestamp64Milli(ts) AS t, value FROM ${db}.metrics
    WHERE metric = 'system.network.io' AND host = {host:String} AND ts > {from:DateTime64(3)} ORDER BY ts`,
});

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function bytesOnDisk(client: ClickHouseClient, db: string) {
  const rs = await client.query({
    query: `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
            WHERE database = {db:String} AND table = 'metrics' AND active`,
    query_params: { db },
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<{ rows: string; bytes: string }>();
  return { rows: Number(r!.rows), bytes: Number(r!.bytes) };
}

async function columnBytes(client: ClickHouseClient, db: string, rows: number) {
  const rs = await client.query({
    query: `SELECT name, data_compressed_bytes AS b FROM system.columns
            WHERE database = {db:String} AND table = 'metrics' ORDER BY b DESC`,
    query_params: { db },
    format: 'JSONEachRow',
  });
  return Object.fromEntries(
    (await rs.json<{ name: string; b: string }>()).map((c) => [c.name, round(Number(c.b) / rows, 3)]),
  );
}

/** Inserts `batches` through the raw writer; rows per second of wall time. */
async function insertAll(client: ClickHouseClient, db: string, batches: MetricSample[][], valueBits: number) {
  const sink = clickhouseMetricsSink(client, db, { valueBits });
  const start = performance.now();
  for (const batch of batches) await sink.write(batch);
  const seconds = (performance.now() - start) / 1000;
  return batches.reduce((n, b) => n + b.length, 0) / seconds;
}

async function historyLatency(client: ClickHouseClient, db: string, o: StorageBenchOptions, from: number) {
  const out: Record<string, { p50_ms: number; p95_ms: number }> = {};
  const all: number[] = [];
  for (const [name, query] of Object.entries(HISTORY_QUERIES(db))) {
    const times: number[] = [];
    for (let i = 0; i < o.queryRuns; i++) {
      const host = `loadgen-${String(i % o.hosts).padStart(4, '0')}`;
      const start = performance.now();
      const rs = await client.query({
        query,
        query_params: { host, from: from / 1000 },
        format: 'JSONCompact',
      });
      await rs.json();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    out[name] = { p50_ms: round(percentile(times, 0.5)), p95_ms: round(percentile(times, 0.95)) };
  }
  all.sort((a, b) => a - b);
  return { p95: round(percentile(all, 0.95)), byQuery: out };
}

/**
 * `npm run bench -- storage`: the raw table on the embedded engine. The same synthetic history
 * (hosts × 6 series × hours at 5 s, the load generator's shapes) goes through the raw writer into
 * the current schema (values at the default 30 mantissa bits, and exactly) and, in the same run,
 * into the previous layout (migrations 1–4), so the ratios compare like with like. Reports insert rows/s, on-disk bytes per sample after merges
 * (per column too) and p50/p95 of the dashboard's history queries over the last hour.
 */
export async function storageBench(o: StorageBenchOptions): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-bench-storage-'));
  const client = createClickHouse({ username: 'default', password: '', dataDir });
  try {
    const perTick = o.hosts * SERIES_PER_HOST;
    const ticks = Math.round((o.hours * 3_600_000) / INTERVAL_MS);
    const end = Math.floor(Date.now() / INTERVAL_MS) * INTERVAL_MS;
    const generate = syntheticSamples(o.hosts, end - ticks * INTERVAL_MS);
    const batches: MetricSample[][] = [];
    let current: MetricSample[] = [];
    for (let k = 0; k < ticks; k++) {
      for (const s of generate(perTick, end - (ticks - k) * INTERVAL_MS)) current.push(s);
      if (current.length >= o.batchRows) {
        batches.push(current);
        current = [];
      }
    }
    if (current.length) batches.push(current);
    const rows = batches.reduce((n, b) => n + b.length, 0);

    // The product's default (values at 30 mantissa bits), the same schema storing values exactly,
    // and the previous layout (migrations 1–4, exact values, as it was written before).
    const layouts = [
      { name: 'current', db: 'bench_now', migrations: MIGRATIONS, valueBits: 30 },
      { name: 'current_lossless', db: 'bench_exact', migrations: MIGRATIONS, valueBits: 52 },
      { name: 'previous', db: 'bench_v4', migrations: MIGRATIONS.slice(0, 4), valueBits: 52 },
    ];
    // Warm-up (JIT, the engine's first parts and merges), so the first layout measured is not penalised.
    await migrate(client, 'bench_warmup');
    await insertAll(client, 'bench_warmup', batches.slice(0, 5), 30);
    await client.command({ query: 'DROP DATABASE bench_warmup' });
    const result: Record<string, Record<string, unknown>> = {};
    for (const { name, db, migrations, valueBits } of layouts) {
      await migrate(client, db, migrations);
      const rowsPerSec = await insertAll(client, db, batches, valueBits);
      await client.command({ query: `OPTIMIZE TABLE ${db}.metrics FINAL` });
      const disk = await bytesOnDisk(client, db);
      const history = await historyLatency(client, db, o, end - 3_600_000);
      result[name] = {
        value_bits: valueBits,
        rows_per_sec: Math.round(rowsPerSec),
        bytes_per_sample: round(disk.bytes / disk.rows, 3),
        stored_rows: disk.rows,
        history_query_p95_ms: history.p95,
        history_queries: history.byQuery,
        column_bytes_per_sample: await columnBytes(client, db, disk.rows),
      };
    }
    const now = result.current!;
    const before = result.previous!;
    const exact = result.current_lossless!;
    return {
      scenario: 'storage',
      rows,
      hosts: o.hosts,
      hours: o.hours,
      batch_rows: o.batchRows,
      rows_per_sec: now.rows_per_sec,
      bytes_per_sample: now.bytes_per_sample,
      history_query_p95_ms: now.history_query_p95_ms,
      vs_previous_layout: {
        rows_per_sec_ratio: round(Number(now.rows_per_sec) / Number(before.rows_per_sec)),
        bytes_per_sample_ratio: round(Number(now.bytes_per_sample) / Number(before.bytes_per_sample)),
        history_query_p95_ratio: round(
          Number(now.history_query_p95_ms) / Number(before.history_query_p95_ms),
        ),
      },
      lossless_bytes_per_sample: exact.bytes_per_sample,
      lossless_vs_previous_bytes_ratio: round(
        Number(exact.bytes_per_sample) / Number(before.bytes_per_sample),
      ),
      current: now,
      current_lossless: exact,
      previous: before,
    };
  } finally {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
