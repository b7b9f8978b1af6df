export { kafkaTopicSink } from './kafka-topic-sink';
export type { KafkaTopicSinkOptions } from './kafka-topic-sink';
