/** /api/pipeline/stats: each metric with its labelled values. */
export type Stats = Record<string, { values: { labels: Record<string, string>; value: number }[] }>;

export interface PipelineSummary {
  /** Events per second into the processor (all topics) and into ClickHouse raw samples, since the last reading. */
  inPerSec?: number;
  storedPerSec?: number;
  received: number;
  stored: number;
  dropped: Record<string, number>;
  dedupeHits: number;
  lateEvents: number;
  /** Sinks whose circuit breaker is not closed, with its state. */
  breakers: Record<string, 'closed' | 'half-open' | 'open'>;
  wsClients: number;
  /** Records behind, per consumer group and partition, largest first. */
  lag: { group: string; topic: string; partition: string; lag: number }[];
  /** Per consumer group: events in flight and whether it holds its fetch loop (backpressure). */
  sources: { group: string; inFlight: number; holding: boolean }[];
}

const total = (stats: Stats, name: string, where: (l: Record<string, string>) => boolean = () => true) =>
  (stats[name]?.values ?? []).filter((v) => where(v.labels)).reduce((n, v) => n + v.value, 0);

const BREAKER = ['closed', 'half-open', 'open'] as const;

/** The numbers the pipeline panel shows; rates from the difference with the previous reading. */
export function summarize(
  stats: Stats,
  previous?: { at: number; summary: PipelineSummary },
  at = 0,
): PipelineSummary {
  const dropped: Record<string, number> = {};
  for (const v of stats.tidewatch_events_dropped_total?.values ?? [])
    dropped[v.labels.reason ?? 'unknown'] = (dropped[v.labels.reason ?? 'unknown'] ?? 0) + v.value;
  const breakers: PipelineSummary['breakers'] = {};
  for (const v of stats.tidewatch_sink_breaker_state?.values ?? [])
    breakers[v.labels.sink ?? '?'] = BREAKER[Math.min(2, Math.max(0, Math.round(v.value)))]!;
  const summary: PipelineSummary = {
    received: total(stats, 'tidewatch_events_received_total'),
    stored: total(stats, 'tidewatch_events_written_total', (l) => l.sink === 'clickhouse'),
    dropped,
    dedupeHits: total(stats, 'tidewatch_dedupe_hits_total'),
    lateEvents: total(stats, 'tidewatch_late_events_total'),
    breakers,
    wsClients: total(stats, 'tidewatch_gateway_clients'),
    lag: (stats.tidewatch_consumer_lag?.values ?? [])
      .map((v) => ({
        group: v.labels.group ?? '?',
        topic: v.labels.topic ?? '?',
        partition: v.labels.partition ?? '?',
        lag: v.value,
      }))
      .sort(
        (a, b) =>
          b.lag - a.lag || a.topic.localeCompare(b.topic) || Number(a.partition) - Number(b.partition),
      ),
    sources: (stats.tidewatch_source_in_flight_events?.values ?? []).map((v) => ({
      group: v.labels.group ?? '?',
      inFlight: v.value,
      holding:
        (stats.tidewatch_source_backpressure?.values ?? []).find((h) => h.labels.group === v.labels.group)
          ?.value === 1,
    })),
  };
  const dt = previous ? (at - previous.at) / 1000 : 0;
  if (previous && dt > 0) {
    summary.inPerSec = Math.max(0, (summary.received - previous.summary.received) / dt);
    summary.storedPerSec = Math.max(0, (summary.stored - previous.summary.stored) / dt);
  }
  return summary;
}
