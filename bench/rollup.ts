import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fleetSamples } from '../producers/loadgen';
import type { MetricSample } from '../schemas';
import {
  clickhouseMetricsSink,
  createClickHouse,
  DEFAULT_SEALING,
  migrate,
  MIGRATIONS,
  sealHours,
  type ClickHouseClient,
} from '../sinks/clickhouse';
import { ownCpuSeconds } from './process-usage';

export interface RollupBenchOptions {
  hosts: number;
  seriesPerHost: number;
  intervalS: number;
  /** Minutes of the hour sampled (at most 60). */
  minutes: number;
  /** Rows per insert (the processor's coalesced raw inserts hold about this many). */
  batchRows: number;
  /** Share of hosts that send late samples of the hour after it is sealed (a spool replayed). */
  lateHostShare: number;
}

const HOUR_MS = 3_600_000;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Until the database's merges have finished (at most a minute), so their CPU lands in its phase. */
async function settle(client: ClickHouseClient, db: string) {
  for (let i = 0; i < 600; i++) {
    const rs = await client.query({
      query: 'SELECT count() AS n FROM system.merges WHERE database = {db:String}',
      query_params: { db },
      format: 'JSONEachRow',
    });
    if (Number((await rs.json<{ n: string }>())[0]!.n) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Engine CPU µs per sample over `phase` (the embedded engine's threads, merges it caused included). */
async function engineUs(samples: number, phase: () => Promise<void>) {
  const before = ownCpuSeconds();
  await phase();
  const after = ownCpuSeconds();
  return {
    engine: round(((after.engine - before.engine) * 1e6) / samples),
    all: round(
      ((after.engine + after.main + after.runtime - before.engine - before.main - before.runtime) * 1e6) /
        samples,
    ),
  };
}

/**
 * `npm run bench -- rollup`: what the hourly rollup's percentiles cost the engine at fleet
 * cardinality. One hour of a fleet (`hosts` × `seriesPerHost` series every `intervalS` s, the
 * fleet bench's series) goes through the raw writer, in inserts of `batchRows` (in a fleet about
 * one sample per series each), into two databases of one embedded engine in the same run: the
 * schema before sealing (migrations 1–12, a t-digest state made per inserted sample) and the
 * current one; then the current one's hour is sealed (`sealHours`), and sealed again after
 * `lateHostShare` of the hosts send a late sample per series. Reports engine CPU per sample of
 * each (inserts with their merges, the sealing) and how long one sealing query holds the engine.
 */
export async function rollupBench(o: RollupBenchOptions): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-bench-rollup-'));
  const client = createClickHouse({ username: 'default', password: '', dataDir });
  try {
    const intervalMs = o.intervalS * 1000;
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
    const fleet = fleetSamples({ hosts: o.hosts, seriesPerHost: o.seriesPerHost, intervalMs, start: hour });
    const rounds = Math.min(
      Math.floor((o.minutes * 60_000) / intervalMs),
      Math.floor(HOUR_MS / intervalMs) - 1,
    );
    /** The hour's samples in inserts of `batchRows`, generated afresh for each database. */
    function* batches(limit = Infinity): Generator<MetricSample[]> {
      let current: MetricSample[] = [];
      let n = 0;
      for (let r = 0; r < rounds; r++)
        for (const s of fleet.round(r)) {
          if (s.ts >= hour + HOUR_MS) continue;
          current.push(s);
          if (current.length === o.batchRows) {
            yield current;
            current = [];
            if (++n >= limit) return;
          }
        }
      if (current.length) yield current;
    }
    let samples = 0;
    for (const b of batches()) samples += b.length;
    const insert = async (db: string, of: Iterable<MetricSample[]>) => {
      const sink = clickhouseMetricsSink(client, db);
      for (const b of of) await sink.write(b);
      await settle(client, db);
    };

    await migrate(client, 'rollup_warmup');
    await insert('rollup_warmup', batches(3));
    await client.command({ query: 'DROP DATABASE rollup_warmup' });
    await migrate(client, 'rollup_digest', MIGRATIONS.slice(0, 12));
    await migrate(client, 'rollup_sealed');
    const digestInsert = await engineUs(samples, () => insert('rollup_digest', batches()));
    const sealedInsert = await engineUs(samples, () => insert('rollup_sealed', batches()));

    const queries: { rows: number; ms: number }[] = [];
    const limits = { ...DEFAULT_SEALING };
    // As the sealer would see it once the hour's samples have been quiet for the grace.
    const later = () => Date.now() + limits.graceMs + 1000;
    let pass = { hostHours: 0, queries: 0, rows: 0 };
    const seal = await engineUs(samples, async () => {
      pass = await sealHours(client, 'rollup_sealed', limits, later(), (rows, ms) =>
        queries.push({ rows, ms }),
      );
      await settle(client, 'rollup_sealed');
    });

    // A share of hosts, spread over the fleet, replays a spool: one more sample per series, late,
    // in the sealed hour.
    const every = Math.max(1, Math.round(1 / o.lateHostShare));
    const late = fleet
      .round(rounds)
      .filter((s) => Number(s.host.slice(s.host.lastIndexOf('-') + 1)) % every === 0)
      .map((s) => ({ ...s, ts: Math.min(s.ts, hour + HOUR_MS - 1) }));
    const lateHosts = new Set(late.map((s) => s.host)).size;
    await insert('rollup_sealed', [late]);
    const resealQueries: { rows: number; ms: number }[] = [];
    let reseal = { hostHours: 0, queries: 0, rows: 0 };
    const resealCost = await engineUs(samples, async () => {
      reseal = await sealHours(client, 'rollup_sealed', limits, later(), (rows, ms) =>
        resealQueries.push({ rows, ms }),
      );
    });

    const ms = queries.map((q) => q.ms).sort((a, b) => a - b);
    const sealedEngine = round(sealedInsert.engine + seal.engine);
    return {
      scenario: 'rollup',
      hosts: o.hosts,
      series: fleet.perRound,
      samples,
      batch_rows: o.batchRows,
      engine_us_per_sample: {
        digest_per_sample_schema: digestInsert.engine,
        sealed_schema_insert: sealedInsert.engine,
        sealing: seal.engine,
        sealed_schema_total: sealedEngine,
      },
      // Process CPU (the writer's JSON encoding included, the same for both).
      process_us_per_sample: {
        digest_per_sample_schema: digestInsert.all,
        sealed_schema_total: round(sealedInsert.all + seal.all),
      },
      engine_ratio_sealed_vs_digest: round(sealedEngine / digestInsert.engine, 3),
      seal_pass: pass,
      seal_query_ms: {
        p50: round(ms[Math.floor(ms.length / 2)] ?? 0),
        max: round(ms.at(-1) ?? 0),
        rows_per_query_max: Math.max(0, ...queries.map((q) => q.rows)),
      },
      late_hosts: lateHosts,
      reseal_pass: reseal,
      reseal_engine_us_per_sample_of_hour: resealCost.engine,
    };
  } finally {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
