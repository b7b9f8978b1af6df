import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import { filter, firstValueFrom, scan } from 'rxjs';
import { systemClock } from '../core/clock';
import { silentLogger } from '../core/logger';
import { createMetrics } from '../core/metrics';
import { createProcessor } from '../cli/processor';
import { loadConfig } from '../core/config';
import { samplePublisher } from '../producers/host-agent';
import { runLoadgen } from '../producers/loadgen';
import type { MetricSample } from '../schemas';
import { benchRun, rssSampler } from './bench-stack';
import { cpuPerEvent, ownCpuSeconds } from './process-usage';

export interface PipelineBenchOptions {
  events: number;
  hosts: number;
  /** Anomaly detection on every sample (`--detect off` measures the pipeline without it). */
  detect: boolean;
  /** Writes a V8 CPU profile of the processing phase alone to this file (`--cpu-profile F`). */
  cpuProfile?: string;
  /** Processor settings over the defaults (`--processor '{"maxInFlightEvents":50000}'`), to compare. */
  processor?: Record<string, unknown>;
}

/**
 * Publishes N synthetic samples once, then reads the same topic twice from the beginning, each
 * time timing first record → Nth record: (a) a bare kafkajs consumer that only decodes, (b) the
 * full processor (decode, validate, dedupe, windows; raw samples and aggregates to ClickHouse on
 * the embedded engine, aggregates to their topic; commits). Ratio = b / a. Each phase's CPU per
 * event is split into the JS main thread, the runtime's helper threads, the embedded engine's
 * threads and the whole machine (which adds the broker): steadier than rates on a noisy machine.
 */
export async function pipelineBench(options: PipelineBenchOptions): Promise<Record<string, unknown>> {
  const rss = rssSampler();
  const { run, topics, kafka, producer, serde, ids, clickhouse, close } = await benchRun('pipeline');
  try {
    const publishStart = systemClock();
    // Event time advances 1 s per 5000-sample batch and ends now, so windows open and close.
    let eventTime = systemClock() - Math.ceil(options.events / 5000) * 1000;
    await runLoadgen({
      hosts: options.hosts,
      rate: 0,
      total: options.events,
      batchSize: 5000,
      publisher: samplePublisher(producer, serde, ids.metrics, topics.metrics),
      clock: systemClock,
      eventClock: () => (eventTime += 1000),
    });
    const publishSeconds = (systemClock() - publishStart) / 1000;

    // (a) bare consumer: fetch + decode only
    const raw = kafka.consumer({ groupId: `bench-raw-${run}` });
    await raw.connect();
    await raw.subscribe({ topic: topics.metrics, fromBeginning: true });
    let decoded = 0;
    let rawFirst = 0;
    const rawCpu = ownCpuSeconds();
    const rawDone = new Promise<number>((resolve) => {
      void raw.run({
        eachBatch: async ({ batch }) => {
          if (!rawFirst) rawFirst = systemClock();
          await serde.prepare(batch.messages.map((m) => m.value));
          for (const m of batch.messages) serde.decode<MetricSample>(m.value);
          decoded += batch.messages.length;
          if (decoded >= options.events) resolve(systemClock());
        },
      });
    });
    const rawSeconds = ((await rawDone) - rawFirst) / 1000;
    const rawCpuPerEvent = cpuPerEvent(rawCpu, options.events);
    await raw.disconnect();

    // (b) our processor: decode → validate → dedupe → windows → ClickHouse raw + aggregates, topics → commit
    (globalThis as { gc?: () => void }).gc?.(); // what publishing and the bare consumer left behind
    const processing = rssSampler();
    const profiler = options.cpuProfile ? await startCpuProfile() : undefined;
    const procCpu = ownCpuSeconds();
    const defaults = loadConfig({ env: {} });
    const settings = { ...defaults.processor, ...options.processor };
    const metrics = createMetrics();
    const { source, pipeline } = createProcessor({
      kafka,
      producer,
      serde,
      schemaIds: ids,
      clickhouse,
      database: 'tidewatch',
      topics,
      settings: { ...settings, groupId: `bench-processor-${run}` },
      detect: { ...defaults.detect, enabled: options.detect },
      storage: defaults.clickhouse,
      metrics,
      logger: silentLogger,
      retry: { initialMs: 100, maxMs: 5000, attempts: 20 },
    });
    let procFirst = 0;
    let aggregates = 0;
    await firstValueFrom(
      pipeline.pipe(
        scan((n, outcome) => {
          if (!procFirst) procFirst = systemClock();
          aggregates += outcome.aggregates;
          return n + outcome.received;
        }, 0),
        filter((n) => n >= options.events),
      ),
    );
    const procSeconds = (systemClock() - procFirst) / 1000;
    const procCpuPerEvent = cpuPerEvent(procCpu, options.events);
    await source.close();
    processing.stop();
    if (profiler && options.cpuProfile) await profiler.stopInto(options.cpuProfile);

    const stored = await (
      await clickhouse.query({ query: 'SELECT count() AS n FROM tidewatch.metrics', format: 'JSONEachRow' })
    ).json<{ n: string }>();
    const eventsPerSec = Math.round(options.events / procSeconds);
    const rawPerSec = Math.round(options.events / rawSeconds);
    return {
      scenario: 'pipeline',
      events: options.events,
      hosts: options.hosts,
      detect: options.detect,
      events_per_sec: eventsPerSec,
      raw_consumer_events_per_sec: rawPerSec,
      ratio: Number((eventsPerSec / rawPerSec).toFixed(3)),
      rows_stored: Number(stored[0]!.n),
      aggregates_emitted: aggregates,
      publish_events_per_sec: Math.round(options.events / publishSeconds),
      peak_rss_mb: rss.peakMb(),
      processing_peak_rss_mb: processing.peakMb(),
      processing_peak_rss_anon_mb: processing.peakAnonMb(),
      processing_peak_heap_mb: processing.peakHeapMb(),
      cpu_us_per_event: { raw_consumer: rawCpuPerEvent, processing: procCpuPerEvent },
      stage_latency_ms: await stageLatencies(metrics),
    };
  } finally {
    rss.stop();
    await close();
  }
}

/** A V8 CPU profile of this process from now until `stopInto(file)`. */
async function startCpuProfile() {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stopInto: async (file: string) => {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** p50 and p99 of the time a batch spends in each stage and sink write, in ms. */
async function stageLatencies(metrics: ReturnType<typeof createMetrics>) {
  const out: Record<string, { p50: number; p99: number }> = {};
  for (const v of (await metrics.stageSeconds.get()).values) {
    const stage = String(v.labels.stage);
    const q = (v.labels as Record<string, unknown>).quantile;
    if (q !== 0.5 && q !== 0.99) continue;
    out[stage] ??= { p50: 0, p99: 0 };
    out[stage][q === 0.5 ? 'p50' : 'p99'] = Math.round(v.value * 1e5) / 100;
  }
  return out;
}
