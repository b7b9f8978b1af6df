/** What Tidewatch wants of one topic. */
export interface WantedTopic {
  partitions: number;
  /** Undefined: whatever the cluster chose. */
  replicationFactor?: number;
  config: Record<string, string>;
}

/** What the cluster has: partition count, replicas of each partition, and the configs asked about. */
export interface ActualTopic {
  partitions: number;
  replicationFactor: number;
  config: Record<string, string | undefined>;
}

/**
 * How an existing topic differs from its settings, one sentence each, for a warning: Tidewatch
 * does not change a topic it did not create (partitions cannot shrink; configs are the operator's).
 */
export function topicDifferences(topic: string, wanted: WantedTopic, actual: ActualTopic): string[] {
  const out: string[] = [];
  if (actual.partitions !== wanted.partitions)
    out.push(
      `topic ${topic} has ${actual.partitions} partitions, the settings ask for ${wanted.partitions} ` +
        `(processors beyond ${actual.partitions} stay idle; add partitions with kafka-topics --alter)`,
    );
  if (wanted.replicationFactor !== undefined && actual.replicationFactor !== wanted.replicationFactor)
    out.push(
      `topic ${topic} has replication factor ${actual.replicationFactor}, the settings ask for ${wanted.replicationFactor}`,
    );
  for (const [name, value] of Object.entries(wanted.config)) {
    const current = actual.config[name];
    if (current !== value)
      out.push(`topic ${topic} has ${name}=${current ?? '(unset)'}, the settings ask for ${name}=${value}`);
  }
  return out;
}
