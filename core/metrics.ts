import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, Summary } from 'prom-client';

/**
 * The pipeline's Prometheus metrics. One registry per process (or per test), passed to the
 * components that record into it; counters are incremented per batch, never per event.
 */
export interface PipelineMetrics {
  registry: Registry;
  eventsReceived: Counter<'topic'>;
  eventsWritten: Counter<'sink'>;
  eventsDropped: Counter<'reason'>;
  batchesFlushed: Counter<'sink'>;
  sinkWriteFailures: Counter<'sink'>;
  /** 0 closed, 1 half-open, 2 open. */
  breakerState: Gauge<'sink'>;
  breakerTransitions: Counter<'sink' | 'to'>;
  sinkLastFailure: Gauge<'sink'>;
  gatewayRequestsRefused: Counter<'reason'>;
  sinkWriteSeconds: Histogram<'sink'>;
  stageSeconds: Summary<'stage'>;
  dedupeHits: Counter;
  internResets: Counter;
  /** Raw inserts that may re-store samples (a replay) and so left out the ids already stored. */
  replayInserts: Counter;
  /** Times the raw writer's memory of hosts' stored time was full and started over. */
  replayGuardResets: Counter;
  lateEvents: Counter;
  windowsForceClosed: Counter;
  /** Late samples left out of aggregates (beyond the correction horizon, or their window forgotten). */
  lateUnaggregated: Counter;
  /** Closed windows emitted again with late samples added. */
  windowsCorrected: Counter;
  /** Hosts whose window watermark was dropped at the hosts-per-partition cap. */
  windowHostsEvicted: Counter;
  rereadSkipped: Counter;
  aggregatesEmitted: Counter;
  anomaliesPublished: Counter<'status'>;
  detectorSeriesEvicted: Counter;
  detectorStatesSaved: Counter;
  /** Host-hours whose percentiles the hour sealer computed (again, when late samples came). */
  hoursSealed: Counter;
  /** Hour-sealing passes that failed (retried at the next pass). */
  hourSealFailures: Counter;
  /** Dead letters cut to fit the dead-letter topic's request limit (metadata kept). */
  deadLettersTruncated: Counter;
  gatewayClients: Gauge;
  gatewayMessagesDropped: Counter<'reason'>;
  /** Records behind the group's committed offset, per partition (sampled). */
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  /** Events handed downstream and not yet acknowledged, per consumer group (sampled). */
  sourceInFlight: Gauge<'group'>;
  /** 1 while the source holds its fetch loop because downstream is behind (sampled). */
  sourceHolding: Gauge<'group'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): PipelineMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'tidewatch_' });
  const registers = [registry];
  return {
    registry,
    eventsReceived: new Counter({
      name: 'tidewatch_events_received_total',
      help: 'Records read from Kafka by the processor',
      labelNames: ['topic'],
      registers,
    }),
    eventsWritten: new Counter({
      name: 'tidewatch_events_written_total',
      help: 'Events acknowledged by a sink',
      labelNames: ['sink'],
      registers,
    }),
    eventsDropped: new Counter({
      name: 'tidewatch_events_dropped_total',
      help: 'Events not processed, by reason (every one also goes to the dead-letter topic)',
      labelNames: ['reason'],
      registers,
    }),
    batchesFlushed: new Counter({
      name: 'tidewatch_batches_flushed_total',
      help: 'Batches a sink acknowledged',
      labelNames: ['sink'],
      registers,
    }),
    sinkWriteFailures: new Counter({
      name: 'tidewatch_sink_write_failures_total',
      help: 'Failed batch writes (each is retried)',
      labelNames: ['sink'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'tidewatch_sink_breaker_state',
      help: 'Circuit breaker of a sink: 0 closed, 1 half-open (one trial write), 2 open (writes held)',
      labelNames: ['sink'],
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'tidewatch_sink_breaker_transitions_total',
      help: 'Circuit breaker state changes, by the state entered',
      labelNames: ['sink', 'to'],
      registers,
    }),
    sinkLastFailure: new Gauge({
      name: 'tidewatch_sink_last_failure_timestamp_seconds',
      help: 'When a sink last failed a write (the log has the error)',
      labelNames: ['sink'],
      registers,
    }),
    gatewayRequestsRefused: new Counter({
      name: 'tidewatch_gateway_requests_refused_total',
      help: 'Per-IP limits at work, by reason: API requests over the rate (rate_limit), WebSocket upgrades over the per-IP cap (connections_per_ip), IPs forgotten from a full rate-limit table (rate_limit_table_full); requests from an IP over its failed-authentication budget, on any route (auth_failures; auth_failure_table_full when the table forgot one), cookie-authenticated requests refused by the CSRF check (cross_origin), requests Node could not parse (malformed_request), WebSocket protocol errors (protocol_error) and messages over a client’s rate (client_message_rate)',
      labelNames: ['reason'],
      registers,
    }),
    stageSeconds: new Summary({
      name: 'tidewatch_stage_batch_seconds',
      help: 'Time one batch spends in a processing stage (its added latency)',
      labelNames: ['stage'],
      percentiles: [0.5, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers,
    }),
    sinkWriteSeconds: new Histogram({
      name: 'tidewatch_sink_write_seconds',
      help: 'Time to write one batch to a sink',
      labelNames: ['sink'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
      registers,
    }),
    dedupeHits: new Counter({
      name: 'tidewatch_dedupe_hits_total',
      help: 'Samples dropped because their event_id was already seen',
      registers,
    }),
    internResets: new Counter({
      name: 'tidewatch_decode_intern_resets_total',
      help: 'Times a table of shared decoded values (hosts, metrics, attributes) was full and started over',
      registers,
    }),
    replayInserts: new Counter({
      name: 'tidewatch_raw_replay_inserts_total',
      help: 'Raw inserts that reached back into stored event time (a re-read) and left out the ids already stored',
      registers,
    }),
    replayGuardResets: new Counter({
      name: 'tidewatch_raw_replay_guard_resets_total',
      help: "Times the raw writer's memory of each host's newest stored event time was full and started over",
      registers,
    }),
    lateEvents: new Counter({
      name: 'tidewatch_late_events_total',
      help: 'Samples that arrived after their window closed (corrected into it within the horizon, else raw only)',
      registers,
    }),
    windowsForceClosed: new Counter({
      name: 'tidewatch_windows_force_closed_total',
      help: 'Windows closed early because the open-window cap was reached',
      registers,
    }),
    lateUnaggregated: new Counter({
      name: 'tidewatch_late_events_unaggregated_total',
      help: 'Late samples stored raw only: beyond the correction horizon, or their closed window forgotten',
      registers,
    }),
    windowsCorrected: new Counter({
      name: 'tidewatch_windows_corrected_total',
      help: 'Closed windows emitted again with late samples added (superseding the earlier emission)',
      registers,
    }),
    windowHostsEvicted: new Counter({
      name: 'tidewatch_window_hosts_evicted_total',
      help: 'Hosts whose window watermark was dropped at the hosts-per-partition cap (their windows closed first)',
      registers,
    }),
    rereadSkipped: new Counter({
      name: 'tidewatch_reread_skipped_total',
      help: 'Records read again after a group join that this member had taken in already (dropped: not counted, scored or stored twice)',
      registers,
    }),
    aggregatesEmitted: new Counter({
      name: 'tidewatch_aggregates_emitted_total',
      help: 'Closed windows emitted',
      registers,
    }),
    anomaliesPublished: new Counter({
      name: 'tidewatch_anomalies_published_total',
      help: 'Incident states published (opened, escalated or closed)',
      labelNames: ['status'],
      registers,
    }),
    detectorSeriesEvicted: new Counter({
      name: 'tidewatch_detector_series_evicted_total',
      help: 'Series whose detector state was dropped to stay within detect.maxSeries',
      registers,
    }),
    detectorStatesSaved: new Counter({
      name: 'tidewatch_detector_states_saved_total',
      help: 'Series baselines snapshotted to ClickHouse (so a restart keeps them)',
      registers,
    }),
    hoursSealed: new Counter({
      name: 'tidewatch_hours_sealed_total',
      help: 'Host-hours whose p50/p95/p99 in metrics_1h were computed from their stored samples',
      registers,
    }),
    hourSealFailures: new Counter({
      name: 'tidewatch_hour_seal_failures_total',
      help: 'Hour-sealing passes that failed; the next pass retries what they left',
      registers,
    }),
    deadLettersTruncated: new Counter({
      name: 'tidewatch_dead_letters_truncated_total',
      help: 'Dead letters whose original record was cut so they fit the dead-letter topic (source topic, partition, offset and error kept)',
      registers,
    }),
    gatewayClients: new Gauge({
      name: 'tidewatch_gateway_clients',
      help: 'Connected WebSocket clients',
      registers,
    }),
    gatewayMessagesDropped: new Counter({
      name: 'tidewatch_gateway_messages_dropped_total',
      help: 'WebSocket messages not sent to a client, by reason',
      labelNames: ['reason'],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'tidewatch_consumer_lag',
      help: "Records between the group's committed offset and the end of the partition (sampled)",
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    sourceInFlight: new Gauge({
      name: 'tidewatch_source_in_flight_events',
      help: 'Events fetched and not yet acknowledged by the pipeline (sampled)',
      labelNames: ['group'],
      registers,
    }),
    sourceHolding: new Gauge({
      name: 'tidewatch_source_backpressure',
      help: '1 while the source holds its fetch loop because the pipeline is behind (sampled)',
      labelNames: ['group'],
      registers,
    }),
  };
}
