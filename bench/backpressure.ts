import path from 'node:path';
import { systemClock } from '../core/clock';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { createMetrics } from '../core/metrics';
import { createProcessor } from '../processors';
import { samplePublisher } from '../producers/host-agent';
import { runLoadgen } from '../producers/loadgen';
import { rowCount, type ClickHouseClient } from '../sinks/clickhouse';
import { benchRun } from './bench-stack';
import { slopePerMinute } from './slope';

export interface BackpressureBenchOptions {
  /** Samples per second published for the whole run. */
  rate: number;
  seconds: number;
  hosts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DEDUPE_CAP = 50_000;

/** Rows of an insert: its values, or for the raw store's `INSERT … SELECT` of a file, its comment. */
const rowsOf = (params: { values?: unknown; clickhouse_settings?: { log_comment?: string } }) =>
  params.values !== undefined
    ? rowCount(params.values)
    : Number(/^(\d+) rows$/.exec(params.clickhouse_settings?.log_comment ?? '')?.[1] ?? 0);

/**
 * `client` with inserts into `table` held to `rowsPerSec` together: each insert ends no sooner
 * than its rows' turn at that rate after the previous one's, however many run at once. Inserts
 * with rows and `INSERT … SELECT` commands (the raw store's Avro files) alike.
 */
function throttled(client: ClickHouseClient, table: string, rowsPerSec: number): ClickHouseClient {
  let free = Date.now();
  const hold = async <R>(rows: number, run: () => Promise<R>): Promise<R> => {
    const started = Date.now();
    const result = await run();
    free = Math.max(free, started) + (rows / rowsPerSec) * 1000;
    await sleep(free - Date.now());
    return result;
  };
  const insert: ClickHouseClient['insert'] = (params) =>
    params.table === table ? hold(rowsOf(params), () => client.insert(params)) : client.insert(params);
  const into = new RegExp(`^INSERT INTO ${table.replace('.', '\\.')}[\\s(]`);
  const command: ClickHouseClient['command'] = (params) =>
    into.test(params.query) ? hold(rowsOf(params), () => client.command(params)) : client.command(params);
  return new Proxy(client, {
    get: (t, p, r) => (p === 'insert' ? insert : p === 'command' ? command : Reflect.get(t, p, r)),
  });
}

/**
 * `npm run bench -- backpressure`: samples arrive at `rate` per second for `seconds` while the
 * raw-samples table accepts a tenth of that. The source must hold (pause) instead of buffering:
 * reports the process RSS over the run (first and last quarter, peak, slope over the second half),
 * the in-flight peak against its budget, how often the source held, and the backlog left in Kafka.
 */
export async function backpressureBench(o: BackpressureBenchOptions): Promise<Record<string, unknown>> {
  const { run, topics, kafka, producer, serde, ids, clickhouse, dataDir, close } = await benchRun('bp');
  const samples: Array<[number, number]> = [];
  const heap: number[] = [];
  const external: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const sampler = setInterval(() => {
    gc?.(); // with --expose-gc, measure live memory rather than garbage awaiting collection
    const m = process.memoryUsage();
    samples.push([Date.now(), m.rss / 2 ** 20]);
    heap.push(m.heapUsed / 2 ** 20);
    external.push(m.external / 2 ** 20);
  }, 1000);
  try {
    const config = loadConfig({ env: {} });
    const {
      source,
      pipeline,
      close: closeProcessor,
    } = createProcessor({
      kafka,
      producer,
      serde,
      schemaIds: ids,
      clickhouse: throttled(clickhouse, 'tidewatch.metrics', o.rate / 10),
      database: 'tidewatch',
      topics,
      // Dedupe memory grows with what is processed until its cap: a smaller cap reaches its
      // plateau within the run, so what is left to see is whether the backlog costs memory.
      settings: { ...config.processor, groupId: `bench-bp-${run}`, dedupeMaxEntries: DEDUPE_CAP },
      detect: config.detect,
      storage: config.clickhouse,
      avroInsertDir: path.join(dataDir, 'clickhouse-inserts'), // as `tidewatch start` does
      metrics: createMetrics(),
      logger: silentLogger,
      retry: { initialMs: 100, maxMs: 5000, attempts: 20 },
    });
    let processed = 0;
    const subscription = pipeline.subscribe({ next: (outcome) => (processed += outcome.received) });
    const started = systemClock();
    const produced = await runLoadgen({
      hosts: o.hosts,
      rate: o.rate,
      total: o.rate * o.seconds,
      batchSize: 1000,
      publisher: samplePublisher(producer, serde, ids.metrics, topics.metrics),
      clock: systemClock,
    });
    const seconds = (systemClock() - started) / 1000;
    clearInterval(sampler);
    subscription.unsubscribe();
    await source.close().catch(() => undefined);
    await closeProcessor();

    const rss = samples.map((s) => s[1]);
    const quarter = Math.max(1, Math.floor(rss.length / 4));
    const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
    return {
      scenario: 'backpressure',
      seconds: Math.round(seconds),
      input_events_per_sec: Math.round(produced / seconds),
      clickhouse_rows_per_sec_allowed: o.rate / 10,
      events_processed: processed,
      backlog_left: produced - processed,
      rss_mb_first_quarter: mean(rss.slice(0, quarter)),
      rss_mb_last_quarter: mean(rss.slice(-quarter)),
      rss_mb_peak: Math.round(Math.max(...rss)),
      heap_mb_first_quarter: mean(heap.slice(0, quarter)),
      heap_mb_last_quarter: mean(heap.slice(-quarter)),
      external_mb_first_quarter: mean(external.slice(0, quarter)),
      external_mb_last_quarter: mean(external.slice(-quarter)),
      rss_slope_mb_per_min_second_half: Number(
        slopePerMinute(samples.slice(Math.floor(samples.length / 2))).toFixed(1),
      ),
      dedupe_max_entries: DEDUPE_CAP,
      gc_before_samples: gc !== undefined,
      in_flight_peak_events: source.budget.peakEvents,
      in_flight_limit_events: source.budget.maxEvents,
      source_holds: source.budget.pauses,
    };
  } finally {
    clearInterval(sampler);
    await close();
  }
}
