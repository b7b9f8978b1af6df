import { processesPipeline } from '../processors/pipelines';
import { groupConsumer } from '../core/kafka';
import { kafkaSource } from '../processors/sources';
import { clickhouseProcessesSink } from '../sinks/clickhouse';
import { deadLetterSink, type ProcessorParts } from '../processors';

/**
 * The processes topic into ClickHouse `processes`, in a consumer group of its own
 * (`<processor.groupId>-processes`), so its lag and its commits are independent of the samples'.
 */
export function createProcessesProcessor(parts: Omit<ProcessorParts, 'detect' | 'live'>) {
  const groupId = `${parts.settings.groupId}-processes`;
  const consumer = groupConsumer(parts.kafka, {
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    maxBytesPerPartition: parts.settings.fetchMaxBytesPerPartition,
  });
  const source = kafkaSource(consumer, {
    topics: [parts.topics.processes],
    logger: parts.logger,
    maxInFlightEvents: parts.settings.maxInFlightEvents,
    maxInFlightBytes: parts.settings.maxInFlightBytes,
  });
  const pipeline = processesPipeline({
    source,
    serde: parts.serde,
    sinks: {
      store: clickhouseProcessesSink(parts.clickhouse, parts.database),
      deadLetters: deadLetterSink(parts),
    },
    metrics: parts.metrics,
    logger: parts.logger,
    retry: parts.retry,
    breaker: parts.storage.breaker,
  });
  return { source, pipeline, groupId };
}
