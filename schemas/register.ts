import type { Topics } from '../core/kafka';
import type { AvroSerde } from '../core/serde';
import { loadSchema } from '.';

export interface TopicSchemaIds {
  metrics: number;
  processes: number;
  dlq: number;
  aggregates: number;
  anomalies: number;
}

/** Registers each topic's value schema (subject `<topic>-value`) and returns the registry's ids. */
export async function registerTopicSchemas(serde: AvroSerde, topics: Topics): Promise<TopicSchemaIds> {
  return {
    metrics: await serde.register(topics.metrics, loadSchema('metric-sample')),
    processes: await serde.register(topics.processes, loadSchema('process-event')),
    dlq: await serde.register(topics.dlq, loadSchema('dead-letter')),
    aggregates: await serde.register(topics.aggregates, loadSchema('metric-aggregate')),
    anomalies: await serde.register(topics.anomalies, loadSchema('anomaly')),
  };
}
