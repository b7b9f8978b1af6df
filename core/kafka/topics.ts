import type { Admin } from 'kafkajs';

/** Our topics. A deployment may put a prefix in front of each (`kafka.topicPrefix`) to share a cluster. */
export const TOPICS = {
  metrics: 'tidewatch.metrics.v1',
  processes: 'tidewatch.processes.v1',
  aggregates: 'tidewatch.aggregates.v1',
  anomalies: 'tidewatch.anomalies.v1',
  dlq: 'tidewatch.dlq.v1',
} as const;

export type Topics = { -readonly [K in keyof typeof TOPICS]: string };

export function topicNames(prefix: string): Topics {
  const out = {} as Topics;
  for (const [key, name] of Object.entries(TOPICS)) out[key as keyof Topics] = `${prefix}${name}`;
  return out;
}

/** Creates the topics that do not exist yet (auto-creation stays off on the broker). */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
  });
  return missing;
}
