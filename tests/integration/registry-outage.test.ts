import fs from 'node:fs';
import type { Producer } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { loadSchema, type MetricSample } from '../../schemas';
import { switchableProxy } from '../helpers/switchable-proxy';
import { testConfig, testEndpoints } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const sample = (id: string): MetricSample => ({
  event_id: id,
  host: 'outage-host',
  ts: Date.now() - 60_000,
  metric: 'system.cpu.utilization',
  value: 0.25,
  unit: '1',
  attributes: {},
});

/** The metric-sample schema plus an optional field: a BACKWARD-compatible new version. */
const evolved = () => {
  const schema = loadSchema('metric-sample') as { fields: object[] };
  return {
    ...schema,
    fields: [...schema.fields, { name: 'agent_version', type: ['null', 'string'], default: null }],
  };
};

describe('schema registry outage', () => {
  let proxy: Awaited<ReturnType<typeof switchableProxy>>;
  let config: ReturnType<typeof testConfig>;
  let instance: Instance;
  let producer: Producer;
  let topics: ReturnType<typeof topicNames>;

  beforeAll(async () => {
    proxy = await switchableProxy(testEndpoints().registryUrl);
    config = testConfig('outage', { SCHEMA_REGISTRY_URL: proxy.url }, { agent: { enabled: false } });
    topics = topicNames(config.kafka.topicPrefix);
    instance = await startInstance(config, createLogger('fatal', process.stderr));
    producer = createProducer(createKafka(testEndpoints().brokers, 'outage-test', silentLogger));
    await producer.connect();
  });

  afterAll(async () => {
    proxy?.up();
    await producer?.disconnect();
    await instance?.close();
    await proxy?.close();
    if (config) fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  const stored = async (id: string) => {
    const rs = await instance.clickhouse.query({
      query: `SELECT count() AS n FROM ${config.clickhouse.database}.metrics WHERE event_id = {id:String}`,
      query_params: { id },
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]!.n);
  };
  const send = (value: Buffer) =>
    producer.send({ topic: topics.metrics, acks: -1, messages: [{ key: 'outage-host', value }] });

  it('keeps flowing on cached schemas, holds records of an unknown id until the registry is back, and asks for each id once', async () => {
    const direct = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const v1 = await direct.register(topics.metrics, loadSchema('metric-sample'));
    await send(direct.encode(v1, sample('before')));
    await waitFor('a record while the registry is up', async () => (await stored('before')) === 1);

    proxy.down();
    await send(direct.encode(v1, sample('during')));
    await waitFor(
      'a record with a cached schema while the registry is down',
      async () => (await stored('during')) === 1,
    );

    // A producer moves to a new (compatible) schema version the processor has never seen.
    const v2 = await direct.register(topics.metrics, evolved());
    expect(v2).not.toBe(v1);
    await send(direct.encode(v2, { ...sample('new-version'), agent_version: '2.0' }));
    await send(direct.encode(v1, sample('behind-it')));
    // The processor keeps asking for the new id, with backoff, while nothing gets past it.
    await waitFor(
      'the processor asking for the unknown id again',
      () => proxy.cutCount(`/schemas/ids/${v2}`) >= 2,
    );
    expect(await stored('new-version')).toBe(0); // held, not dropped and not dead-lettered
    expect(await stored('behind-it')).toBe(0); // and in order
    expect((await instance.metrics.eventsDropped.get()).values).toEqual([]);

    proxy.up();
    await waitFor(
      'the held records once the registry is back',
      async () => (await stored('new-version')) === 1 && (await stored('behind-it')) === 1,
    );
    expect(proxy.count(`/schemas/ids/${v2}`)).toBe(1);
    expect(proxy.count(`/schemas/ids/${v1}`)).toBeLessThanOrEqual(1);
    expect((await instance.metrics.eventsDropped.get()).values).toEqual([]);
  });
});
