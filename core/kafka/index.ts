export { createKafka, createProducer } from './client';
export { TOPICS, topicNames, ensureTopics } from './topics';
export type { Topics } from './topics';
export { consumerLag } from './consumer-lag';
export { groupConsumer } from './group-consumer';
export type { PartitionLag } from './consumer-lag';
export { releaseRecords } from './lazy-records';
