import { systemClock } from '../core/clock';
import { samplePublisher } from '../producers/host-agent';
import { fleetSamples } from '../producers/loadgen';
import { timeBareConsumer } from './bare-consumer';
import { benchRun, rssSampler } from './bench-stack';
import { inChildProcess } from './pipeline';

export interface FleetBenchOptions {
  hosts: number;
  seriesPerHost: number;
  intervalS: number;
  minutes: number;
  /** Processor settings over the defaults (`--processor '{"windowsMs":[60000]}'`), to compare. */
  processor?: Record<string, unknown>;
  detect?: boolean;
}

/** Samples per produce call: one agent's report is at most one call. */
const PUBLISH_CHUNK = 5000;

/**
 * `npm run bench -- fleet`: a fleet as it reports (`hosts` × `seriesPerHost` series, each sampled
 * every `intervalS` s for `minutes` of event time ending now; hosts at their own phase, clocks a
 * little off), published first; then the same topic read from the beginning by a bare consumer
 * (fetch + decode) and by the full processor as `tidewatch start` runs it (detection on), in a
 * process of its own (`pipeline-processor.ts`). Most windows hold one or a few samples and there
 * are about as many aggregates as samples. Reports pace against the bare consumer, the
 * processor's peak RSS, the state it keeps per series once every sample is in, every sample
 * stored, and whether every closed 1-minute window's count equals the raw table's.
 */
export async function fleetBench(o: FleetBenchOptions): Promise<Record<string, unknown>> {
  const rss = rssSampler();
  const { run, topics, kafka, producer, serde, ids, clickhouse, endpoints, dataDir, close } =
    await benchRun('fleet');
  try {
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

    await clickhouse.close(); // the processor's process opens the folder itself
    const processing = await inChildProcess({
      events,
      detect: o.detect ?? true,
      processor: o.processor ?? {},
      rawInserts: 'avro',
      run,
      brokers: endpoints.brokers,
      registryUrl: endpoints.registryUrl,
      topics,
      dataDir,
      checks: true,
    });
    const series = fleet.perRound;
    const eventsPerSec = Math.round(events / processing.seconds);
    const rawPerSec = Math.round(events / raw.seconds);
    const steadyPerSec = processing.steady
      ? Math.round(processing.steady.events / processing.steady.seconds)
      : undefined;
    const perSeries = (bytes: number | undefined) => bytes !== undefined && Math.round(bytes / series);
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
      processing_peak_rss_mb: processing.peakRssMb,
      processing_peak_rss_anon_mb: processing.peakRssAnonMb,
      processing_peak_heap_mb: processing.peakHeapMb,
      // JS heap of the processor's main thread kept once every sample is in (open windows,
      // closed-window summaries, watermarks, dedupe ids, series tables), per series; the
      // detection thread's heap is in rss_anon (with the engine's caches).
      state_bytes_per_series: perSeries(processing.stateBytes?.heap),
      state_rss_anon_bytes_per_series: perSeries(processing.stateBytes?.rssAnon),
      rows_stored: processing.rowsStored,
      distinct_samples_stored: processing.distinctStored,
      every_sample_stored: processing.distinctStored === events,
      aggregates_emitted: processing.aggregates,
      aggregates_complete: processing.windows?.complete ?? false,
      windows_checked: processing.windows,
      publish_events_per_sec: Math.round(events / publishSeconds),
      driver_peak_rss_mb: rss.peakMb(),
      cpu_us_per_event: { raw_consumer: raw.cpu, processing: processing.cpu },
      stage_latency_ms: processing.stageLatencyMs,
    };
  } finally {
    rss.stop();
    await close();
  }
}
