import fs from 'node:fs';
import path from 'node:path';
import inspector from 'node:inspector/promises';
import { filter, firstValueFrom, from, lastValueFrom, takeUntil, tap } from 'rxjs';
import { createProcessor } from '../processors';
import { systemClock } from '../core/clock';
import { loadConfig } from '../core/config';
import { limitHeapGrowth } from '../core/heap-growth';
import { createKafka, createProducer, type Topics } from '../core/kafka';
import { silentLogger } from '../core/logger';
import { createMetrics } from '../core/metrics';
import { confluentRegistry, createAvroSerde } from '../core/serde';
import { REPEATED_FIELDS } from '../schemas';
import { registerTopicSchemas } from '../schemas/register';
import { createClickHouse, migrate } from '../sinks/clickhouse';
import { rssSampler } from './bench-stack';
import { groupMember } from './group-member';
import { PipelineProgress } from './pipeline-progress';
import { cpuPerEvent, ownCpuSeconds, statusKb } from './process-usage';
import { exportStored } from './stored-exports';

/** What the pipeline bench hands its processor process. */
export interface ProcessingJob {
  events: number;
  detect: boolean;
  cpuProfile?: string;
  /** Processor settings over the defaults, validated like a config file's. */
  processor: Record<string, unknown>;
  rawInserts: 'avro' | 'json';
  run: string;
  brokers: string[];
  registryUrl: string;
  topics: Topics;
  /** The embedded engine's folder (its own: a folder is bound to one process), migrated here. */
  dataDir: string;
  /**
   * One of several processors in one group (the fleet bench, `processor-group.ts`): starts on the
   * bench's word, reports the events it has done and ends on the bench's word (`events` is the
   * whole group's); measures the state it keeps once the group has done every event (JS heap of
   * the main thread and anonymous RSS, after a full collection, over what it held before the
   * first) and exports what it stored into `exportDir` for the bench to check across members.
   */
  member?: { exportDir: string };
}

/** What it reports back. */
export interface ProcessingResult {
  /** From the first batch fetched to the Nth event delivered. */
  seconds: number;
  /** The events delivered after the first delivery, and the time they took. */
  steady?: { events: number; seconds: number };
  /** From the first batch fetched to the first delivery (the pipeline filling up, cold). */
  fillSeconds?: number;
  aggregates: number;
  rowsStored: number;
  peakRssMb: number;
  peakRssAnonMb: number;
  peakHeapMb: number;
  cpu: ReturnType<typeof cpuPerEvent>;
  stageLatencyMs: Record<string, { p50: number; p99: number }>;
  /**
   * Where events went: every counter of the processor's registry that is not zero, by name and
   * labels (`tidewatch_events_dropped_total{reason="…"}`, dedupe hits, replay inserts, …).
   */
  counters: Record<string, number>;
  /** Times the processor's consumer joined its group (more than 1: rebalances, and re-reads). */
  groupJoins: number;
  /** Records dropped as already seen: read more than once (they do not count as events done). */
  duplicates: number;
  /** Events this process wrote or dead-lettered (the group's share; duplicates not counted). */
  events: number;
  /** As a member: bytes kept once every event is in, over what the processor held at its start. */
  stateBytes?: { heap: number; rssAnon: number };
  /** As a member: series (host, metric, attributes) in its raw table. */
  seriesStored?: number;
}

/**
 * The processing phase of the pipeline bench, in a process of its own as the processor runs in
 * production, so its memory is the processor's alone (not the load generator's and the bare
 * consumer's leftovers): reads the topic from the beginning through the full processor (decode,
 * validate, dedupe, detection, windows; raw samples and aggregates to the embedded ClickHouse,
 * aggregates and incidents to their topics; commits) and times first record → Nth record.
 */
export async function processingPhase(job: ProcessingJob): Promise<ProcessingResult> {
  const config = loadConfig({ env: {}, overrides: { processor: job.processor } });
  const settings = config.processor;
  limitHeapGrowth(settings.heapGrowthPercent); // as `tidewatch start` does
  const kafka = createKafka(job.brokers, 'bench-pipeline-processor', silentLogger);
  const producer = createProducer(kafka);
  const clickhouse = createClickHouse({ username: 'default', password: '', dataDir: job.dataDir });
  try {
    await producer.connect();
    const serde = createAvroSerde(confluentRegistry(job.registryUrl), { internedFields: REPEATED_FIELDS });
    const ids = await registerTopicSchemas(serde, job.topics); // the ids the bench registered, now known here
    // As `tidewatch start` does before its processor starts (cli/instance.ts): the schema checked
    // (which attaches the engine's tables) and, further down, the saved baselines loaded. Else the
    // first insert would pay the engine's start-up (~1 s) inside the timed phase.
    await migrate(clickhouse, 'tidewatch');
    global.gc?.(); // start from what the process needs, not what connecting left behind
    const rss = rssSampler();
    const profiler = job.cpuProfile ? await startCpuProfile() : undefined;
    const cpuBefore = ownCpuSeconds();
    const metrics = createMetrics();
    const {
      source,
      pipeline,
      baselines,
      close: closeProcessor,
    } = createProcessor({
      kafka,
      producer,
      serde,
      schemaIds: ids,
      clickhouse,
      database: 'tidewatch',
      topics: job.topics,
      settings: { ...settings, groupId: `bench-processor-${job.run}` },
      detect: { ...config.detect, enabled: job.detect },
      storage: config.clickhouse,
      avroInsertDir: job.rawInserts === 'avro' ? path.join(job.dataDir, 'clickhouse-inserts') : undefined,
      metrics,
      logger: silentLogger,
      retry: { initialMs: 100, maxMs: 5000, attempts: 20 },
    });
    if (job.detect) await baselines.start();
    const held = () => {
      global.gc?.();
      return { heap: process.memoryUsage().heapUsed, rssAnon: statusKb('self', 'RssAnon') * 1024 };
    };
    const before = job.member ? held() : undefined;
    let aggregates = 0;
    let firstDelivery: { at: number; events: number } | undefined;
    // Done when every event is written or dead-lettered; records read again (duplicates) are not progress.
    const progress = new PipelineProgress(job.events);
    // As a member: the group's timing ends on the bench's word; the figures are taken then.
    let timed:
      { end: number; cpu: ReturnType<typeof cpuPerEvent>; after: ReturnType<typeof held> } | undefined;
    const exportDir = job.member?.exportDir;
    // A member's CPU from the group's start (not its own set-up), per event of the whole group.
    let memberCpuBefore = cpuBefore;
    let mark: { end: number; cpu: ReturnType<typeof cpuPerEvent> } | undefined;
    const member =
      exportDir !== undefined
        ? groupMember({
            // The bench's last export request before `timed` is where the run ended.
            timed: () => {
              const at = mark ?? { end: systemClock(), cpu: cpuPerEvent(memberCpuBefore, job.events) };
              timed = { ...at, after: held() };
            },
            export: () => {
              mark = { end: systemClock(), cpu: cpuPerEvent(memberCpuBefore, job.events) };
              return exportStored(clickhouse, 'tidewatch', exportDir);
            },
          })
        : undefined;
    if (member) {
      await member.ready(); // every member set up: they join the group together
      memberCpuBefore = ownCpuSeconds();
    }
    // The clock starts when the first fetched batch enters the pipeline, as the bare consumer's
    // starts at its first batch (not at the first batch delivered, which would leave out one
    // batch's whole trip through the stages and the inserts).
    let first = 0;
    const acquire = source.budget.acquire.bind(source.budget);
    source.budget.acquire = (events, bytes) => {
      if (!first) first = systemClock();
      return acquire(events, bytes);
    };
    const outcomes = pipeline.pipe(
      tap((outcome) => {
        aggregates += outcome.aggregates;
        progress.add(outcome);
        firstDelivery ??= { at: systemClock(), events: progress.done };
      }),
    );
    if (member)
      await lastValueFrom(
        outcomes.pipe(
          tap(() => member.progress(progress.done, first, systemClock())),
          takeUntil(from(member.stopped)),
        ),
        { defaultValue: undefined },
      );
    else await firstValueFrom(outcomes.pipe(filter(() => progress.complete)));
    const end = timed?.end ?? systemClock();
    const seconds = (end - first) / 1000;
    // After the first delivery: the pipeline is full and warm, so this is its steady pace.
    const steady = firstDelivery && {
      events: job.events - firstDelivery.events,
      seconds: (end - firstDelivery.at) / 1000,
    };
    const cpu = timed?.cpu ?? cpuPerEvent(cpuBefore, job.events);
    const groupJoins = source.assignment.version;
    const duplicates = progress.duplicates;
    await source.close();
    if (job.detect) await baselines.stop();
    await closeProcessor();
    rss.stop();
    if (profiler && job.cpuProfile) await profiler.stopInto(job.cpuProfile);
    const stored = await (
      await clickhouse.query({ query: 'SELECT count() AS n FROM tidewatch.metrics', format: 'JSONEachRow' })
    ).json<{ n: string }>();
    if (exportDir !== undefined) await exportStored(clickhouse, 'tidewatch', exportDir);
    const after = timed?.after;
    return {
      events: progress.done,
      stateBytes: before &&
        after && { heap: after.heap - before.heap, rssAnon: after.rssAnon - before.rssAnon },
      seriesStored: member ? await seriesStored(clickhouse) : undefined,
      seconds,
      steady,
      fillSeconds: firstDelivery ? (firstDelivery.at - first) / 1000 : undefined,
      aggregates,
      rowsStored: Number(stored[0]!.n),
      peakRssMb: rss.peakMb(),
      peakRssAnonMb: rss.peakAnonMb(),
      peakHeapMb: rss.peakHeapMb(),
      cpu,
      stageLatencyMs: await stageLatencies(metrics),
      counters: await countersOf(metrics),
      groupJoins,
      duplicates,
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await clickhouse.close();
  }
}

/** Series (host, metric, attributes) in the raw table. */
async function seriesStored(clickhouse: ReturnType<typeof createClickHouse>): Promise<number> {
  const rs = await clickhouse.query({
    query: 'SELECT uniqExact(host, metric, attributes) AS n FROM tidewatch.metrics',
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}

/**
 * A V8 CPU profile of this process from now until `stopInto(file)`, and beside it (`file` +
 * `.heapprofile`) a sampling of what its main thread allocated, objects the garbage collector has
 * already taken included: where the young generation's collections come from.
 */
async function startCpuProfile() {
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 64 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    stopInto: async (file: string) => {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(file, JSON.stringify(profile));
      const sampled = await session.post('HeapProfiler.stopSampling');
      fs.writeFileSync(`${file}.heapprofile`, JSON.stringify(sampled.profile));
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

/** Every counter of the registry that is not zero, keyed `name{label="value",…}`. */
async function countersOf(metrics: ReturnType<typeof createMetrics>) {
  const out: Record<string, number> = {};
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    if (String(metric.type) !== 'counter') continue;
    for (const v of metric.values) {
      if (!v.value) continue;
      const labels = Object.entries(v.labels)
        .map(([k, l]) => `${k}="${String(l)}"`)
        .join(',');
      out[labels ? `${metric.name}{${labels}}` : metric.name] = v.value;
    }
  }
  return out;
}

// Started by the pipeline bench (`fork`): one job in, one result (or error) out.
if (require.main === module) {
  process.once('message', (job: ProcessingJob) => {
    processingPhase(job).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (err: unknown) => process.send!({ error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
    );
  });
}
