export { createKafka, createProducer } from './client';
export { TOPICS, topicNames, ensureTopics } from './topics';
export type { Topics } from './topics';
