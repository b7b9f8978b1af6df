export { kafkaSource } from './kafka-source';
export type { KafkaSourceOptions } from './kafka-source';
export type { KafkaRecord } from './kafka-record';
