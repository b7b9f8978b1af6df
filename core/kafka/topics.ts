import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { TidewatchError, errorMessage } from '../errors';
import { alignTopic } from './align-topic';
import { topicDifferences, type WantedTopic } from './topic-differences';

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

/** One topic's own settings (`kafka.topics.<name>`). */
export interface TopicOverrides {
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
}

export interface EnsureTopicsOptions {
  /** Replicas of each created topic; unset: the cluster's `default.replication.factor`. */
  replicationFactor?: number;
  /** Settings of single topics, by full topic name. */
  topics?: Record<string, TopicOverrides>;
  /** Told how an existing topic differs from its settings (it is left as it is). */
  warn?: (message: string) => void;
  /** Bring existing topics to their settings where Kafka allows (`kafka.alterTopics`). */
  alter?: boolean;
  /** Told what was changed when `alter` is on. */
  notice?: (message: string) => void;
}

/** The `ensureTopics` options from the `kafka` settings, their per-topic keys turned into names. */
export function topicOptions(
  kafka: {
    replicationFactor?: number;
    alterTopics?: boolean;
    topics?: Partial<Record<keyof Topics, TopicOverrides>>;
  },
  names: Topics,
  warn?: (message: string) => void,
  notice?: (message: string) => void,
): EnsureTopicsOptions {
  const topics: Record<string, TopicOverrides> = {};
  for (const [key, overrides] of Object.entries(kafka.topics ?? {}))
    if (overrides) topics[names[key as keyof Topics]] = overrides;
  return { replicationFactor: kafka.replicationFactor, topics, warn, alter: kafka.alterTopics, notice };
}

/** The broker's `default.replication.factor` (what `replicationFactor: -1` means to newer clients). */
async function clusterReplicationFactor(admin: Admin): Promise<number> {
  const { brokers } = await admin.describeCluster();
  const broker = String(brokers[0]?.nodeId ?? 1);
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.BROKER, name: broker, configNames: ['default.replication.factor'] },
    ],
  });
  const value = Number(described.resources[0]?.configEntries[0]?.configValue);
  return Number.isInteger(value) && value > 0 ? value : 1;
}

/**
 * Creates the topics that do not exist yet (auto-creation stays off on the broker), with the
 * cluster's default replication factor unless one is configured and each topic's own configs
 * (retention.ms, min.insync.replicas, …). Existing topics are compared with their settings and
 * every difference is reported through `warn`; they are changed only with `alter` (more
 * partitions, configs; never the replication factor). Returns the topics created.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const wanted = (topic: string): WantedTopic => {
    const own = options.topics?.[topic] ?? {};
    return {
      partitions: own.partitions ?? partitions,
      replicationFactor: own.replicationFactor ?? options.replicationFactor,
      config: own.config ?? {},
    };
  };
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (options.warn || options.alter)
    await reportDifferences(
      admin,
      topics.filter((t) => existing.has(t)),
      wanted,
      options,
    );
  if (missing.length === 0) return [];
  const needsDefault = missing.some((t) => wanted(t).replicationFactor === undefined);
  const fallback = needsDefault ? await clusterReplicationFactor(admin) : 1;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => {
        const w = wanted(topic);
        return {
          topic,
          numPartitions: w.partitions,
          replicationFactor: w.replicationFactor ?? fallback,
          configEntries: Object.entries(w.config).map(([name, value]) => ({ name, value })),
        };
      }),
    });
  } catch (err) {
    throw new TidewatchError('TW_ERR_TOPIC_SETUP', `creating ${missing.join(', ')}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  return missing;
}

async function reportDifferences(
  admin: Admin,
  topics: string[],
  wanted: (topic: string) => WantedTopic,
  options: EnsureTopicsOptions,
): Promise<void> {
  const warn = options.warn ?? (() => {});
  if (topics.length === 0) return;
  const metadata = await admin.fetchTopicMetadata({ topics });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: Object.keys(wanted(name).config),
    })),
  });
  for (const topic of metadata.topics) {
    const entries = described.resources.find((r) => r.resourceName === topic.name)?.configEntries ?? [];
    const config = Object.fromEntries(entries.map((e) => [e.configName, e.configValue]));
    const actual = {
      partitions: topic.partitions.length,
      replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
      config,
    };
    if (options.alter) {
      const { changed, left } = await alignTopic(admin, topic.name, wanted(topic.name), actual);
      for (const line of changed) options.notice?.(line);
      for (const line of left) warn(line);
    } else for (const line of topicDifferences(topic.name, wanted(topic.name), actual)) warn(line);
  }
}
