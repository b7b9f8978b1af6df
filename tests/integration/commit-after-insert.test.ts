import fs from 'node:fs';
import type { Admin, Producer } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { samplePublisher, sampleStamper } from '../../producers/host-agent';
import { loadSchema } from '../../schemas';
import { clientOver, embeddedConnection } from '../../sinks/clickhouse';
import { committedOffsets, committedTotal } from '../helpers/committed-offsets';
import { faultyConnection } from '../helpers/faulty-connection';
import { testConfig, testEndpoints } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

describe('offsets follow ClickHouse inserts', () => {
  const config = testConfig(
    'commit',
    {},
    {
      agent: { enabled: false },
      processor: { windowsMs: [10_000], idleTimeoutMs: 1000, allowedLatenessMs: 0 },
    },
  );
  const topics = topicNames(config.kafka.topicPrefix);
  const db = config.clickhouse.database;
  const fault = faultyConnection(embeddedConnection(config.dataDir), `${db}.metrics`);
  let instance: Instance;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('error', process.stderr), {
      clickhouse: clientOver(fault.connection),
    });
    const kafka = createKafka(testEndpoints().brokers, 'commit-test', silentLogger);
    admin = kafka.admin();
    producer = createProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()]);
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('commits nothing while the insert fails, then delivers and commits once it succeeds', async () => {
    const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const schemaId = await serde.register(topics.metrics, loadSchema('metric-sample'));
    const stamp = sampleStamper('commit-host', Date.now());
    const publisher = samplePublisher(producer, serde, schemaId, topics.metrics);
    await publisher.write(stamp([{ metric: 'system.cpu.utilization', value: 0.25, unit: '1' }], Date.now()));

    await waitFor('three failed insert attempts', () => fault.state.failedInserts >= 3);
    expect(
      (await committedOffsets(admin, config.processor.groupId, topics.metrics)).every((o) => o === -1),
    ).toBe(true);
    const count = async () => {
      const rs = await instance.clickhouse.query({
        query: `SELECT count() AS n FROM ${db}.metrics WHERE host = 'commit-host'`,
        format: 'JSONEachRow',
      });
      return Number((await rs.json<{ n: string }>())[0]!.n);
    };
    expect(await count()).toBe(0);
    const failures = (await instance.metrics.sinkWriteFailures.get()).values.find(
      (v) => v.labels.sink === 'clickhouse',
    );
    expect(failures?.value).toBeGreaterThanOrEqual(3);

    fault.state.failing = false;
    await waitFor('the sample in ClickHouse after the failure cleared', async () => (await count()) === 1);
    // Commits resume once the insert succeeds. The sample's 10 s window is open, so its offset is
    // held at 0 until the idle timeout (1 s) closes it, then moves past it: a poll on a busy
    // machine may only see the later commit, so either counts here.
    await waitFor('commits resumed', async () =>
      (await committedOffsets(admin, config.processor.groupId, topics.metrics)).some((o) => o >= 0),
    );
    await waitFor(
      'the windows closed by the idle timeout',
      async () => Number((await instance.metrics.aggregatesEmitted.get()).values[0]?.value ?? 0) >= 1,
    );
    // Windows closed by the idle timer move the commit past the sample that fed them.
    await waitFor(
      'the first sample committed',
      async () => (await committedTotal(admin, config.processor.groupId, topics.metrics)) >= 1,
    );
    await publisher.write(stamp([{ metric: 'system.cpu.utilization', value: 0.25, unit: '1' }], Date.now()));
    await waitFor(
      'the second sample committed',
      async () => (await committedTotal(admin, config.processor.groupId, topics.metrics)) >= 2,
    );
    expect(await count()).toBe(2);
  });
});
