import type { Kafka, Producer } from 'kafkajs';
import { systemClock } from '../core/clock';
import type { Config } from '../core/config';
import { groupConsumer, type Topics } from '../core/kafka';
import type { Logger } from '../core/logger';
import type { PipelineMetrics } from '../core/metrics';
import type { RetryOptions } from '../core/retry';
import type { AvroSerde } from '../core/serde';
import type { LiveOutlet } from '../core/stream';
import type { Anomaly, MetricAggregate, MetricSample } from '../schemas';
import type { TopicSchemaIds } from '../schemas/register';
import {
  clickhouseAggregatesSink,
  clickhouseAnomaliesSink,
  clickhouseMetricsStore,
  hourSealer,
  type ClickHouseClient,
} from '../sinks/clickhouse';
import { deadLetterTopicSink, kafkaTopicSink, topicProduceLimits } from '../sinks/kafka';
import { coalesceOptions, metricsDelivery } from './delivery';
import { createDetection, detectorBaselines } from './detection';
import { metricsPipeline } from './pipelines';
import { kafkaSource } from './sources';

export interface ProcessorParts {
  kafka: Kafka;
  producer: Producer;
  serde: AvroSerde;
  schemaIds: Pick<TopicSchemaIds, 'dlq' | 'aggregates' | 'anomalies'>;
  clickhouse: ClickHouseClient;
  database: string;
  topics: Topics;
  settings: Config['processor'];
  detect: Config['detect'];
  live?: LiveOutlet<MetricSample, MetricAggregate, Anomaly>;
  metrics: PipelineMetrics;
  logger: Logger;
  retry: RetryOptions;
  /** How raw values are stored and how failing writes are held (`clickhouse.*`). */
  storage: Pick<Config['clickhouse'], 'valuePrecisionBits' | 'breaker' | 'sealing'>;
  /**
   * A folder of this processor's own that the embedded engine reads raw inserts from, as Avro
   * files (`clickhouseMetricsStore`'s `avro`); unset (a server): raw inserts go as JSON rows.
   */
  avroInsertDir?: string;
}

/**
 * The processor from real parts, the one place it is assembled (`tidewatch start`, the benches and
 * the tests all call this): a consumer-group source on the metrics topic → the stages
 * (`metricsPipeline`) → the delivery to its sinks (`metricsDelivery`), with anomaly detection
 * (`createDetection`: on its own thread when enabled) and its baselines in ClickHouse, and the
 * sealer of closed hours' percentiles (`hourSealer`, every `clickhouse.sealing.intervalMs`). Returns the
 * source (close it to stop), the pipeline (subscribe to run it: one outcome per delivery), the
 * detection, its baselines (`start` before subscribing when detection is on, `stop` after the
 * source closes) and `close`, which ends what runs beside the pipeline.
 */
export function createProcessor(parts: ProcessorParts) {
  const s = parts.settings;
  const d = parts.detect;
  const detection = createDetection(d, (seconds) =>
    parts.metrics.stageSeconds.observe({ stage: 'detect' }, seconds),
  );
  const baselines = detectorBaselines({
    clickhouse: parts.clickhouse,
    database: parts.database,
    snapshotMs: d.stateSnapshotMs,
    metrics: parts.metrics,
    logger: parts.logger,
    store: detection,
    clock: systemClock,
  });
  const { intervalMs, ...sealLimits } = parts.storage.sealing;
  const sealer = hourSealer({
    clickhouse: parts.clickhouse,
    database: parts.database,
    intervalMs,
    limits: sealLimits,
    metrics: parts.metrics,
    logger: parts.logger,
    clock: systemClock,
  });
  sealer.start();
  const consumer = groupConsumer(parts.kafka, {
    groupId: s.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    // A batch's records are objects from decode to encode: a smaller one has fewer of them alive
    // when the young generation is collected, so fewer are copied and promoted.
    maxBytesPerPartition: s.fetchMaxBytesPerPartition,
  });
  const source = kafkaSource(consumer, {
    topics: [parts.topics.metrics],
    logger: parts.logger,
    maxInFlightEvents: s.maxInFlightEvents,
    maxInFlightBytes: s.maxInFlightBytes,
  });
  // Every derived-topic write is cut under its topic's limits; what can never be written is dead-lettered.
  const deadLetters = deadLetterSink(parts);
  const derived = (topic: string) => ({
    limits: topicProduceLimits(parts.kafka, topic),
    deadLetters,
    metrics: parts.metrics,
    logger: parts.logger,
  });
  const stages = metricsPipeline({
    source,
    sourceHolding: () => source.budget.holding,
    assignment: source.assignment,
    serde: parts.serde,
    detection,
    stages: {
      validate: {
        maxSeriesPerHost: s.maxSeriesPerHost,
        maxFutureSkewMs: s.maxFutureSkewMs,
        ...s.fieldLimits,
      },
      dedupe: { maxEntries: s.dedupeMaxEntries, maxAgeMs: s.dedupeMaxAgeMs },
      windows: {
        windowsMs: s.windowsMs,
        allowedLatenessMs: s.allowedLatenessMs,
        idleTimeoutMs: s.idleTimeoutMs,
        maxOpenWindows: s.maxOpenWindows,
        maxHostsPerPartition: s.maxHostsPerPartition,
        correctionHorizonMs: s.correctionHorizonMs,
        maxClosedWindows: s.maxClosedWindows,
      },
    },
    metrics: parts.metrics,
    logger: parts.logger,
    retry: parts.retry,
  });
  const pipeline = stages.pipe(
    metricsDelivery({
      sinks: {
        store: clickhouseMetricsStore(parts.clickhouse, parts.database, {
          valueBits: parts.storage.valuePrecisionBits,
          avro: parts.avroInsertDir
            ? { dir: parts.avroInsertDir, writerSchema: (id) => parts.serde.writerSchema(id) }
            : undefined,
          assignment: source.assignment,
          onReplayInsert: () => parts.metrics.replayInserts.inc(),
          onReplayGuardReset: () => parts.metrics.replayGuardResets.inc(),
        }),
        aggregates: [
          clickhouseAggregatesSink(parts.clickhouse, parts.database),
          kafkaTopicSink<MetricAggregate>(parts.producer, parts.serde, {
            ...derived(parts.topics.aggregates),
            name: 'aggregates-topic',
            topic: parts.topics.aggregates,
            schemaId: parts.schemaIds.aggregates,
            key: (a) => a.host,
          }),
        ],
        anomalies: d.enabled
          ? [
              clickhouseAnomaliesSink(parts.clickhouse, parts.database),
              kafkaTopicSink<Anomaly>(parts.producer, parts.serde, {
                ...derived(parts.topics.anomalies),
                name: 'anomalies-topic',
                topic: parts.topics.anomalies,
                schemaId: parts.schemaIds.anomalies,
                key: (a) => a.host,
              }),
            ]
          : [],
        deadLetters,
        live: parts.live,
      },
      detection,
      coalesce: coalesceOptions(s),
      metrics: parts.metrics,
      logger: parts.logger,
      retry: parts.retry,
      breaker: parts.storage.breaker,
    }),
  );
  // The first join follows `baselines.start()`, which has loaded them already.
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (joined && d.enabled) void baselines.load();
    joined = true;
  });
  /**
   * Ends what runs beside the pipeline (the hour sealer, the detection thread), after
   * `source.close()` and `baselines.stop()`.
   */
  const close = async () => {
    await sealer.stop();
    await detection.close();
  };
  return { source, pipeline, detection, baselines, sealer, close };
}

/** The dead-letter topic as a sink: requests under its limits, a dead letter too large for it cut to fit. */
export function deadLetterSink(
  parts: Pick<ProcessorParts, 'kafka' | 'producer' | 'serde' | 'topics' | 'schemaIds' | 'metrics' | 'logger'>,
) {
  return deadLetterTopicSink(parts.producer, parts.serde, {
    name: 'dlq',
    topic: parts.topics.dlq,
    schemaId: parts.schemaIds.dlq,
    limits: topicProduceLimits(parts.kafka, parts.topics.dlq),
    metrics: parts.metrics,
    logger: parts.logger,
  });
}
