import type { Admin } from 'kafkajs';
import { TidewatchError } from '../errors';
import { topicDifferences } from './topic-differences';
import { ensureTopics, topicNames, topicOptions } from './topics';

interface FakeTopic {
  partitions: number;
  replicas: number;
  config: Record<string, string>;
}

/** An admin over an in-memory cluster (one stage's fake: the real broker is in the integration test). */
function fakeAdmin(existing: Record<string, FakeTopic>, defaultReplicationFactor = '3') {
  const created: unknown[] = [];
  const admin = {
    listTopics: async () => Object.keys(existing),
    describeCluster: async () => ({
      brokers: [{ nodeId: 7, host: 'k', port: 1 }],
      controller: 7,
      clusterId: 'c',
    }),
    describeConfigs: async ({
      resources,
    }: {
      resources: { type: number; name: string; configNames?: string[] }[];
    }) => ({
      resources: resources.map((r) => ({
        resourceName: r.name,
        configEntries:
          r.type === 4
            ? [{ configName: 'default.replication.factor', configValue: defaultReplicationFactor }]
            : (r.configNames ?? Object.keys(existing[r.name]!.config)).map((n) => ({
                configName: n,
                configValue: existing[r.name]!.config[n],
                configSource: n in existing[r.name]!.config ? 1 : 5,
                isSensitive: false,
              })),
      })),
    }),
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: existing[name]!.partitions }, (_, i) => ({
          partitionId: i,
          replicas: Array.from({ length: existing[name]!.replicas }, (_, r) => r),
        })),
      })),
    }),
    createPartitions: async ({
      topicPartitions,
    }: {
      topicPartitions: { topic: string; count: number }[];
    }) => {
      for (const { topic, count } of topicPartitions) existing[topic]!.partitions = count;
      return true;
    },
    alterConfigs: async ({
      resources,
    }: {
      resources: { name: string; configEntries: { name: string; value: string }[] }[];
    }) => {
      for (const r of resources)
        existing[r.name]!.config = Object.fromEntries(r.configEntries.map((e) => [e.name, e.value]));
    },
    createTopics: async (request: { topics: unknown[] }) => {
      created.push(...request.topics);
      return true;
    },
  };
  return { admin: admin as unknown as Admin, created };
}

describe('topics as operators configure them', () => {
  it("creates missing topics with the cluster's default replication factor", async () => {
    const { admin, created } = fakeAdmin({ b: { partitions: 6, replicas: 3, config: {} } });
    expect(await ensureTopics(admin, ['a', 'b'], 6)).toEqual(['a']);
    expect(created).toEqual([{ topic: 'a', numPartitions: 6, replicationFactor: 3, configEntries: [] }]);
  });

  it('uses the configured replication factor and each topic’s own partitions and configs', async () => {
    const names = topicNames('p.');
    const { admin, created } = fakeAdmin({});
    const options = topicOptions(
      { replicationFactor: 2, topics: { metrics: { partitions: 12, config: { 'retention.ms': '60000' } } } },
      names,
    );
    await ensureTopics(admin, [names.metrics, names.dlq], 6, options);
    expect(created).toEqual([
      {
        topic: names.metrics,
        numPartitions: 12,
        replicationFactor: 2,
        configEntries: [{ name: 'retention.ms', value: '60000' }],
      },
      { topic: names.dlq, numPartitions: 6, replicationFactor: 2, configEntries: [] },
    ]);
  });

  it('reports how an existing topic differs and leaves it alone', async () => {
    const { admin, created } = fakeAdmin({
      t: { partitions: 2, replicas: 1, config: { 'retention.ms': '1000' } },
    });
    const warnings: string[] = [];
    await ensureTopics(admin, ['t'], 6, {
      replicationFactor: 3,
      topics: { t: { config: { 'retention.ms': '1000', 'min.insync.replicas': '2' } } },
      warn: (m) => warnings.push(m),
    });
    expect(created).toEqual([]);
    expect(warnings).toEqual([
      'topic t has 2 partitions, the settings ask for 6 (processors beyond 2 stay idle; add partitions with kafka-topics --alter)',
      'topic t has replication factor 1, the settings ask for 3',
      'topic t has min.insync.replicas=(unset), the settings ask for min.insync.replicas=2',
    ]);
  });

  it('a refused creation says which topics and why', async () => {
    const { admin } = fakeAdmin({});
    (admin as unknown as { createTopics: () => Promise<never> }).createTopics = async () => {
      throw new Error('Replication factor: 3 larger than available brokers: 1.');
    };
    const failure = ensureTopics(admin, ['x'], 1);
    await expect(failure).rejects.toBeInstanceOf(TidewatchError);
    await expect(failure).rejects.toMatchObject({
      code: 'TW_ERR_TOPIC_SETUP',
      message: 'creating x: Replication factor: 3 larger than available brokers: 1.',
    });
  });

  it('finds no difference in a topic as configured', () => {
    const wanted = { partitions: 6, replicationFactor: 3, config: { 'retention.ms': '5' } };
    expect(
      topicDifferences('t', wanted, { partitions: 6, replicationFactor: 3, config: { 'retention.ms': '5' } }),
    ).toEqual([]);
    expect(
      topicDifferences(
        't',
        { ...wanted, replicationFactor: undefined },
        { partitions: 6, replicationFactor: 1, config: { 'retention.ms': '5' } },
      ),
    ).toEqual([]);
  });

  it('with alter on, adds partitions and sets configs, keeping the topic’s other overrides, and still warns about replicas', async () => {
    const cluster = {
      t: { partitions: 2, replicas: 1, config: { 'cleanup.policy': 'delete', 'retention.ms': '1000' } },
    };
    const { admin } = fakeAdmin(cluster);
    const warnings: string[] = [];
    const notices: string[] = [];
    await ensureTopics(admin, ['t'], 6, {
      replicationFactor: 3,
      topics: { t: { config: { 'retention.ms': '5000' } } },
      alter: true,
      warn: (m) => warnings.push(m),
      notice: (m) => notices.push(m),
    });
    expect(cluster.t).toEqual({
      partitions: 6,
      replicas: 1,
      config: { 'cleanup.policy': 'delete', 'retention.ms': '5000' },
    });
    expect(notices).toEqual(['topic t: partitions 2 → 6', 'topic t: retention.ms 1000 → 5000']);
    expect(warnings).toEqual(['topic t has replication factor 1, the settings ask for 3']);
  });
});
