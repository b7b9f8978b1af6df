import fs from 'node:fs';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { systemClock } from '../core/clock';
import { loadConfig } from '../core/config';
import { samplePublisher } from '../producers/host-agent';
import { fleetSamples } from '../producers/loadgen';
import { windowLabel } from '../sinks/clickhouse/window-label';
import { timeBareConsumer } from './bare-consumer';
import { benchRun, rssSampler } from './bench-stack';
import type { ProcessingJob, ProcessingResult } from './pipeline-processor';
import { inProcessorGroup } from './processor-group';
import { attachExports, storedCounts } from './stored-exports';
import { windowCompleteness } from './window-completeness';

export interface FleetBenchOptions {
  hosts: number;
  seriesPerHost: number;
  intervalS: number;
  minutes: number;
  /** Processors in one consumer group on the topic, each a process of its own (default 1). */
  processors?: number;
  /** Processor settings over the defaults (`--processor '{"windowsMs":[60000]}'`), to compare. */
  processor?: Record<string, unknown>;
  detect?: boolean;
  /** Writes a V8 CPU profile of the (first) processor's processing phase to this file. */
  cpuProfile?: string;
}

/** Samples per produce call: one agent's report is at most one call. */
const PUBLISH_CHUNK = 5000;

/** The database of views over the processors' exported rows, in the bench's own engine. */
const CHECK_DB = 'fleet_check';

/** The machine's load average (1, 5, 15 min), as /proc/loadavg gives it. */
const loadAverage = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

/**
 * `npm run bench -- fleet`: a fleet as it reports (`hosts` × `seriesPerHost` series, each sampled
 * every `intervalS` s for `minutes` of event time ending now; hosts at their own phase, clocks a
 * little off), published first; then the same topic read from the beginning by a bare consumer
 * (fetch + decode) and by `processors` full processors as `tidewatch start` runs them (detection
 * on), each in a process of its own (`pipeline-processor.ts`) and one consumer group
 * (`processor-group.ts`; the topic gets a partition per processor at least). Most windows hold one
 * or a few samples and there are about as many aggregates as samples. Reports pace against the
 * bare consumer, each processor's peak RSS and the state it keeps per series once every sample is
 * in, and over the whole group: every sample stored (raw rows counted as stored, duplicates
 * apart) and every closed 1-minute window's count equal to the raw table's. The embedded engine
 * binds its folder to one process, so each processor stores into its own and exports its rows;
 * the checks read the union of the exports (`stored-exports.ts`).
 */
export async function fleetBench(o: FleetBenchOptions): Promise<Record<string, unknown>> {
  const rss = rssSampler();
  const processors = o.processors ?? 1;
  if (!Number.isInteger(processors) || processors < 1 || processors > 64)
    throw new Error(`--processors must be an integer from 1 to 64, not ${o.processors}`);
  const settings = loadConfig({ env: {}, overrides: { processor: o.processor ?? {} } }).processor;
  const loadAtStart = loadAverage();
  const { run, topics, kafka, producer, serde, ids, clickhouse, endpoints, dataDir, close } =
    await benchRun('fleet');
  try {
    await partitionsAtLeast(kafka, topics.metrics, processors);
    const intervalMs = o.intervalS * 1000;
    const rounds = Math.max(1, Math.round((o.minutes * 60_000) / intervalMs));
    const fleet = fleetSamples({
      hosts: o.hosts,
      seriesPerHost: o.seriesPerHost,
      intervalMs,
      start: systemClock() - (rounds + 1) * intervalMs,
    });
    const events = rounds * fleet.perRound;
    const publisher = samplePublisher(producer, serde, ids.metrics, topics.metrics);
    const publishStart = systemClock();
    for (let r = 0; r < rounds; r++) {
      const round = fleet.round(r);
      for (let i = 0; i < round.length; i += PUBLISH_CHUNK)
        await publisher.write(round.slice(i, i + PUBLISH_CHUNK));
    }
    const publishSeconds = (systemClock() - publishStart) / 1000;

    const raw = await timeBareConsumer(kafka, serde, topics.metrics, events, `bench-raw-${run}`);

    const exportDirs = Array.from({ length: processors }, (_, i) => path.join(dataDir, 'exports', `p${i}`));
    const jobs: ProcessingJob[] = exportDirs.map((exportDir, i) => ({
      events,
      detect: o.detect ?? true,
      processor: o.processor ?? {},
      rawInserts: 'avro',
      run,
      brokers: endpoints.brokers,
      registryUrl: endpoints.registryUrl,
      topics,
      dataDir: path.join(dataDir, `processor-${i}`),
      member: { exportDir },
      cpuProfile: i === 0 ? o.cpuProfile : undefined,
    }));
    // Every sample stored by some processor, read afresh from their exports.
    const stored = async () => {
      await attachExports(clickhouse, CHECK_DB, exportDirs);
      return storedCounts(clickhouse, CHECK_DB);
    };
    const group = await inProcessorGroup(jobs, events, async () => (await stored()).distinct >= events);
    const loadAtEnd = loadAverage();
    const counts = await stored(); // the final exports, written after each processor closed
    const longest = Math.max(...settings.windowsMs);
    const windows = {
      window: windowLabel(longest),
      ...(await windowCompleteness(
        clickhouse,
        CHECK_DB,
        longest,
        windowLabel(longest),
        settings.allowedLatenessMs,
      )),
    };
    const members = group.members;
    const series = fleet.perRound;
    const eventsPerSec = Math.round(events / group.seconds);
    const rawPerSec = Math.round(events / raw.seconds);
    const steadyPerSec = group.steady ? Math.round(group.steady.events / group.steady.seconds) : undefined;
    const sum = (f: (m: ProcessingResult) => number) => members.reduce((a, m) => a + f(m), 0);
    const max = (f: (m: ProcessingResult) => number) => Math.max(...members.map(f));
    // Each member's CPU is per event of the whole run, so the group's is their sum.
    const cpu = (k: 'main' | 'runtime' | 'engine') => Math.round(sum((m) => m.cpu[k]) * 10) / 10;
    return {
      scenario: 'fleet',
      hosts: o.hosts,
      series,
      interval_s: o.intervalS,
      minutes: o.minutes,
      events,
      events_per_sec: eventsPerSec,
      raw_consumer_events_per_sec: rawPerSec,
      ratio: Number((eventsPerSec / rawPerSec).toFixed(3)),
      steady_events_per_sec: steadyPerSec,
      steady_ratio: steadyPerSec && Number((steadyPerSec / rawPerSec).toFixed(3)),
      // The largest of the processors' (with one, its own).
      processing_peak_rss_mb: max((m) => m.peakRssMb),
      processing_peak_rss_anon_mb: max((m) => m.peakRssAnonMb),
      processing_peak_heap_mb: max((m) => m.peakHeapMb),
      // JS heap of the processors' main threads kept once every sample is in (open windows,
      // closed-window summaries, watermarks, dedupe ids, series tables), all processors together,
      // per series of the fleet; the detection thread's heap is in rss_anon (with the engine's caches).
      state_bytes_per_series: Math.round(sum((m) => m.stateBytes?.heap ?? 0) / series),
      state_rss_anon_bytes_per_series: Math.round(sum((m) => m.stateBytes?.rssAnon ?? 0) / series),
      // Raw rows as stored over every processor's table (no FINAL): a sample two processors
      // stored (read again after a rebalance) is two rows and one distinct sample.
      rows_stored: counts.rows,
      distinct_samples_stored: counts.distinct,
      samples_stored_more_than_once: counts.rows - counts.distinct,
      every_sample_stored: counts.distinct === events,
      aggregates_emitted: sum((m) => m.aggregates),
      // A run too short for any 1-minute window to close checks nothing: not complete.
      aggregates_complete: windows.complete && windows.expected > 0,
      windows_checked: windows,
      publish_events_per_sec: Math.round(events / publishSeconds),
      driver_peak_rss_mb: rss.peakMb(),
      cpu_us_per_event: {
        raw_consumer: raw.cpu,
        processing: {
          main: cpu('main'),
          runtime: cpu('runtime'),
          engine: cpu('engine'),
          machine: group.machineUsPerEvent,
        },
      },
      stage_latency_ms: processors === 1 ? members[0]!.stageLatencyMs : undefined,
      processors: members.map((m) => ({
        rss_mb: m.peakRssMb,
        rss_anon_mb: m.peakRssAnonMb,
        heap_mb: m.peakHeapMb,
        events: m.events,
        duplicates: m.duplicates,
        series: m.seriesStored,
        state_mb: m.stateBytes && Math.round(m.stateBytes.heap / 2 ** 20),
        state_bytes_per_series:
          m.stateBytes && m.seriesStored && Math.round(m.stateBytes.heap / m.seriesStored),
        rows_stored: m.rowsStored,
        aggregates: m.aggregates,
        group_joins: m.groupJoins,
        cpu_us_per_group_event: { main: m.cpu.main, runtime: m.cpu.runtime, engine: m.cpu.engine },
        counters: m.counters,
        stage_latency_ms: processors > 1 ? m.stageLatencyMs : undefined,
      })),
      export_rounds: group.exportRounds,
      loadavg: { start: loadAtStart, end: loadAtEnd },
    };
  } finally {
    rss.stop();
    await close();
  }
}

/** At least `count` partitions on `topic` (processors in one group beyond its partitions would idle). */
async function partitionsAtLeast(kafka: Kafka, topic: string, count: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    if (meta.topics[0]!.partitions.length < count)
      await admin.createPartitions({ topicPartitions: [{ topic, count }] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * `npm run bench -- fleet --series-sweep 10000,100000,300000`: the fleet bench once per series
 * count (hosts = series / `seriesPerHost`, the other options as given), one after the other, each
 * on a fresh stack; returns each run's line and then the scaling table: per series count, the
 * processing cost per event (the processors' own threads, and the whole machine beside the bare
 * consumer's), peak RSS, state per series, pace against the bare consumer of the same run, and
 * the load average over the run (the machine is shared).
 */
export async function fleetSweep(
  o: Omit<FleetBenchOptions, 'hosts'>,
  seriesCounts: number[],
): Promise<Record<string, unknown>[]> {
  if (seriesCounts.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--series-sweep takes series counts separated by commas, not ${seriesCounts.join(',')}`);
  const lines: Record<string, unknown>[] = [];
  for (const series of seriesCounts)
    lines.push(await fleetBench({ ...o, hosts: Math.max(1, Math.round(series / o.seriesPerHost)) }));
  const table = lines.map((l) => {
    const cpu = l.cpu_us_per_event as {
      raw_consumer: { machine: number };
      processing: { main: number; runtime: number; engine: number; machine: number };
    };
    return {
      series: l.series,
      events: l.events,
      cpu_us_per_event:
        Math.round((cpu.processing.main + cpu.processing.runtime + cpu.processing.engine) * 10) / 10,
      machine_cpu_us_per_event: cpu.processing.machine,
      raw_consumer_machine_cpu_us_per_event: cpu.raw_consumer.machine,
      ratio: l.ratio,
      processing_peak_rss_mb: l.processing_peak_rss_mb,
      state_bytes_per_series: l.state_bytes_per_series,
      complete: l.every_sample_stored === true && l.aggregates_complete === true,
      loadavg: l.loadavg,
    };
  });
  return [...lines, { scenario: 'fleet-sweep', processors: o.processors ?? 1, table }];
}
