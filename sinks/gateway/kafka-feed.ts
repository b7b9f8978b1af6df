import os from 'node:os';
import crypto from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { groupConsumer } from '../../core/kafka';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { AvroSerde } from '../../core/serde';
import type { LiveOutlet } from '../../core/stream';
import type { Anomaly, MetricAggregate, MetricSample } from '../../schemas';

export interface KafkaFeedOptions {
  kafka: Kafka;
  serde: AvroSerde;
  topics: { metrics: string; aggregates: string; anomalies: string };
  outlet: LiveOutlet<MetricSample, MetricAggregate, Anomaly>;
  metrics: PipelineMetrics;
  logger: Logger;
  /** Consumer group prefix; each gateway adds its host, pid and a random part, so every gateway gets every record. */
  groupPrefix?: string;
}

export interface KafkaFeed {
  readonly groupId: string;
  close(): Promise<void>;
}

/**
 * Feeds a gateway from Kafka instead of from a processor in the same process, so any number of
 * gateways can serve clients: each reads the samples topic and the derived aggregates and
 * anomalies topics from their end, in a consumer group of its own, and commits nothing (a
 * restarted gateway starts from the end again; what it missed is in ClickHouse and reaches its
 * clients through the snapshot). Records it cannot decode are skipped and counted; samples with a
 * non-finite value are left out, as the processor would dead-letter them.
 */
export async function kafkaFeed(options: KafkaFeedOptions): Promise<KafkaFeed> {
  const log = options.logger.child({ component: 'gateway', part: 'kafka-feed' });
  const groupId = `${options.groupPrefix ?? 'tidewatch-gateway'}-${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const { topics, outlet, serde } = options;
  const consumer = groupConsumer(options.kafka, { groupId, sessionTimeout: 30_000, heartbeatInterval: 3000 });
  await consumer.connect();
  await consumer.subscribe({
    topics: [topics.metrics, topics.aggregates, topics.anomalies],
    fromBeginning: false,
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      await serde.prepare(batch.messages.map((m) => m.value));
      const decoded: unknown[] = [];
      let bad = 0;
      for (const m of batch.messages) {
        try {
          decoded.push(serde.decode(m.value));
        } catch {
          bad++;
        }
      }
      if (bad) options.metrics.gatewayMessagesDropped.inc({ reason: 'undecodable_record' }, bad);
      if (batch.topic === topics.metrics)
        outlet.samples((decoded as MetricSample[]).filter((s) => Number.isFinite(s.value)));
      else if (batch.topic === topics.aggregates) outlet.aggregates(decoded as MetricAggregate[]);
      else outlet.anomalies(decoded as Anomaly[]);
    },
  });
  log.info({ groupId }, 'gateway reads the live topics');
  return { groupId, close: () => consumer.disconnect() };
}
