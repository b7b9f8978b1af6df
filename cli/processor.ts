import type { Kafka, Producer } from 'kafkajs';
import type { Config } from '../core/config';
import type { Topics } from '../core/kafka';
import type { Logger } from '../core/logger';
import type { PipelineMetrics } from '../core/metrics';
import type { RetryOptions } from '../core/retry';
import type { AvroSerde } from '../core/serde';
import type { Sink } from '../core/stream';
import { metricsPipeline } from '../processors/pipelines';
import { kafkaSource } from '../processors/sources';
import type { DeadLetter, MetricAggregate, MetricSample } from '../schemas';
import type { TopicSchemaIds } from '../schemas/register';
import { clickhouseAggregatesSink, clickhouseMetricsSink, type ClickHouseClient } from '../sinks/clickhouse';
import { kafkaTopicSink } from '../sinks/kafka';

export interface ProcessorParts {
  kafka: Kafka;
  producer: Producer;
  serde: AvroSerde;
  schemaIds: Pick<TopicSchemaIds, 'dlq' | 'aggregates'>;
  clickhouse: ClickHouseClient;
  database: string;
  topics: Topics;
  settings: Config['processor'];
  live: Sink<MetricSample>;
  metrics: PipelineMetrics;
  logger: Logger;
  retry: RetryOptions;
}

/** The processor from real parts: a consumer-group source on the metrics topic and its sinks. */
export function createProcessor(parts: ProcessorParts) {
  const s = parts.settings;
  const consumer = parts.kafka.consumer({
    groupId: s.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
  });
  const source = kafkaSource(consumer, {
    topics: [parts.topics.metrics],
    logger: parts.logger,
    maxInFlightEvents: s.maxInFlightEvents,
    maxInFlightBytes: s.maxInFlightBytes,
  });
  const pipeline = metricsPipeline({
    source,
    sourceHolding: () => source.budget.holding,
    serde: parts.serde,
    sinks: {
      store: clickhouseMetricsSink(parts.clickhouse, parts.database),
      aggregates: [
        clickhouseAggregatesSink(parts.clickhouse, parts.database),
        kafkaTopicSink<MetricAggregate>(parts.producer, parts.serde, {
          name: 'aggregates-topic',
          topic: parts.topics.aggregates,
          schemaId: parts.schemaIds.aggregates,
          key: (a) => a.host,
        }),
      ],
      deadLetters: kafkaTopicSink<DeadLetter>(parts.producer, parts.serde, {
        name: 'dlq',
        topic: parts.topics.dlq,
        schemaId: parts.schemaIds.dlq,
        key: (d) => d.original_key,
      }),
      live: parts.live,
    },
    stages: {
      validate: { maxSeriesPerHost: s.maxSeriesPerHost, maxFutureSkewMs: s.maxFutureSkewMs },
      dedupe: { maxEntries: s.dedupeMaxEntries, maxAgeMs: s.dedupeMaxAgeMs },
      windows: {
        windowsMs: s.windowsMs,
        allowedLatenessMs: s.allowedLatenessMs,
        idleTimeoutMs: s.idleTimeoutMs,
        maxOpenWindows: s.maxOpenWindows,
      },
      coalesce: { maxRecords: s.insertMaxRows, maxWaitMs: s.insertMaxWaitMs },
    },
    metrics: parts.metrics,
    logger: parts.logger,
    retry: parts.retry,
  });
  return { source, pipeline };
}
