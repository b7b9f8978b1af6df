import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { TidewatchError, errorMessage } from '../errors';
import { topicDifferences, type ActualTopic, type WantedTopic } from './topic-differences';

/** describeConfigs' configSource of a config set on the topic itself. */
const TOPIC_CONFIG = 1;

/**
 * Brings an existing topic to its settings where Kafka allows it (`kafka.alterTopics`): more
 * partitions, and the configured configs. AlterConfigs replaces a topic's whole set of overrides,
 * so the overrides it has are read first and kept. A replication factor or fewer partitions cannot
 * be changed this way; those differences are returned to be reported. Returns what it changed.
 */
export async function alignTopic(
  admin: Admin,
  topic: string,
  wanted: WantedTopic,
  actual: ActualTopic,
): Promise<{ changed: string[]; left: string[] }> {
  const changed: string[] = [];
  const left = topicDifferences(topic, { ...wanted, config: {} }, actual).filter(
    (line) => !(actual.partitions < wanted.partitions && line.includes(' partitions, ')),
  );
  try {
    if (actual.partitions < wanted.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic, count: wanted.partitions }] });
      changed.push(`topic ${topic}: partitions ${actual.partitions} → ${wanted.partitions}`);
    }
    const differing = Object.entries(wanted.config).filter(([name, value]) => actual.config[name] !== value);
    if (differing.length === 0) return { changed, left };
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const overrides = (described.resources[0]?.configEntries ?? []).filter(
      (e) => e.configSource === TOPIC_CONFIG,
    );
    if (overrides.some((e) => e.isSensitive)) {
      left.push(
        `topic ${topic} has a sensitive config override that cannot be kept: its configs are left as they are`,
      );
      return { changed, left };
    }
    const next = new Map(overrides.map((e) => [e.configName, e.configValue]));
    for (const [name, value] of differing) next.set(name, value);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [...next].map(([name, value]) => ({ name, value })),
        },
      ],
    });
    for (const [name, value] of differing)
      changed.push(`topic ${topic}: ${name} ${actual.config[name] ?? '(unset)'} → ${value}`);
    return { changed, left };
  } catch (err) {
    throw new TidewatchError(
      'TW_ERR_TOPIC_SETUP',
      `changing ${topic} to its settings: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
}
