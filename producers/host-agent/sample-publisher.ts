import type { Producer } from 'kafkajs';
import type { AvroSerde } from '../../core/serde';
import type { MetricSample } from '../../schemas';
import { kafkaTopicSink } from '../../sinks/kafka';
import type { Sink } from '../../core/stream';

/** Samples to the metrics topic (tidewatch.metrics.v1), Avro in the Confluent wire format, keyed by host. */
export function samplePublisher(
  producer: Producer,
  serde: AvroSerde,
  schemaId: number,
  topic: string,
): Sink<MetricSample> {
  return kafkaTopicSink<MetricSample>(producer, serde, {
    name: 'metrics-topic',
    topic,
    schemaId,
    key: (s) => s.host,
  });
}
