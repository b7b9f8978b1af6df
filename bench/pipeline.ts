import { fork } from 'node:child_process';
import path from 'node:path';
import { systemClock } from '../core/clock';
import { PROCESSOR_NODE_FLAGS } from '../core/node-flags';
import { samplePublisher } from '../producers/host-agent';
import { runLoadgen } from '../producers/loadgen';
import { benchRun, rssSampler } from './bench-stack';
import type { ProcessingJob, ProcessingResult } from './pipeline-processor';
import { timeBareConsumer } from './bare-consumer';

export interface PipelineBenchOptions {
  events: number;
  hosts: number;
  /** Anomaly detection on every sample (`--detect off` measures the pipeline without it). */
  detect: boolean;
  /** Writes a V8 CPU profile of the processing phase alone to this file (`--cpu-profile F`). */
  cpuProfile?: string;
  /** Processor settings over the defaults (`--processor '{"maxInFlightEvents":50000}'`), to compare. */
  processor?: Record<string, unknown>;
  /**
   * How raw samples reach the embedded engine: as Avro files (`avro`, as `tidewatch start` does)
   * or as JSON rows (`--raw-inserts json`, as to a server), to compare.
   */
  rawInserts?: 'avro' | 'json';
}

/**
 * Publishes N synthetic samples once, then reads the same topic twice from the beginning, each
 * time timing first record → Nth record: (a) a bare kafkajs consumer that only decodes, (b) the
 * full processor (decode, validate, dedupe, windows; raw samples and aggregates to ClickHouse on
 * the embedded engine, aggregates to their topic; commits), in a process of its own so its peak
 * RSS is the processor's (`driver_peak_rss_mb` is this process's: load generator and bare
 * consumer). Ratio = b / a, both timed from their first fetched batch: the processor's time
 * then includes filling the pipeline (its first batches go through cold code, and the first
 * delivery waits for the first insert into each table), reported as `fill_seconds`; `steady_events_per_sec` is its pace
 * after the first delivery (`steady_ratio` against the bare consumer). Each phase's CPU per event
 * is split into the JS main thread, the runtime's helper threads, the embedded engine's threads
 * and the whole machine (which adds the broker): steadier than rates on a noisy machine.
 */
export async function pipelineBench(options: PipelineBenchOptions): Promise<Record<string, unknown>> {
  const rss = rssSampler();
  const { run, topics, kafka, producer, serde, ids, clickhouse, endpoints, dataDir, close } =
    await benchRun('pipeline');
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
    // Records the topic holds: more than the events published means the producer wrote some twice.
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topics.metrics);
    await admin.disconnect();
    const recordsInTopic = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);

    // (a) bare consumer: fetch + decode only
    const raw = await timeBareConsumer(kafka, serde, topics.metrics, options.events, `bench-raw-${run}`);
    const rawSeconds = raw.seconds;
    const rawCpuPerEvent = raw.cpu;

    // (b) our processor, in a process of its own (it opens the embedded engine's folder itself)
    await clickhouse.close();
    const processing = await inChildProcess({
      events: options.events,
      detect: options.detect,
      cpuProfile: options.cpuProfile,
      processor: options.processor ?? {},
      rawInserts: options.rawInserts ?? 'avro',
      run,
      brokers: endpoints.brokers,
      registryUrl: endpoints.registryUrl,
      topics,
      dataDir,
    });
    const eventsPerSec = Math.round(options.events / processing.seconds);
    const rawPerSec = Math.round(options.events / rawSeconds);
    const steadyPerSec = processing.steady
      ? Math.round(processing.steady.events / processing.steady.seconds)
      : undefined;
    return {
      scenario: 'pipeline',
      events: options.events,
      hosts: options.hosts,
      detect: options.detect,
      raw_inserts: options.rawInserts ?? 'avro',
      events_per_sec: eventsPerSec,
      raw_consumer_events_per_sec: rawPerSec,
      ratio: Number((eventsPerSec / rawPerSec).toFixed(3)),
      steady_events_per_sec: steadyPerSec,
      steady_ratio: steadyPerSec && Number((steadyPerSec / rawPerSec).toFixed(3)),
      fill_seconds: processing.fillSeconds,
      rows_stored: processing.rowsStored,
      aggregates_emitted: processing.aggregates,
      records_in_topic: recordsInTopic,
      publish_events_per_sec: Math.round(options.events / publishSeconds),
      driver_peak_rss_mb: rss.peakMb(),
      processing_peak_rss_mb: processing.peakRssMb,
      processing_peak_rss_anon_mb: processing.peakRssAnonMb,
      processing_peak_heap_mb: processing.peakHeapMb,
      cpu_us_per_event: { raw_consumer: rawCpuPerEvent, processing: processing.cpu },
      stage_latency_ms: processing.stageLatencyMs,
      counters: processing.counters,
      group_joins: processing.groupJoins,
      duplicates: processing.duplicates,
    };
  } finally {
    rss.stop();
    await close();
  }
}

/** Runs the processing phase in a child process (`pipeline-processor.ts`) and returns its report. */
export function inChildProcess(job: ProcessingJob): Promise<ProcessingResult> {
  const child = fork(path.join(__dirname, 'pipeline-processor.js'), [], {
    // As `tidewatch start` runs (package.json, bin/tidewatch.js).
    execArgv: ['--expose-gc', ...PROCESSOR_NODE_FLAGS],
  });
  return new Promise((resolve, reject) => {
    let reply: { result?: ProcessingResult; error?: string } | undefined;
    child.once('message', (message: typeof reply) => (reply = message));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (reply?.result) resolve(reply.result);
      else reject(new Error(`the processor process failed (exit ${code}): ${reply?.error ?? 'no report'}`));
    });
    child.send(job);
  });
}
