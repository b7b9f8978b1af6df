import fs from 'node:fs';
import type { Producer } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde, frame } from '../../core/serde';
import { loadSchema, type DeadLetter, type MetricSample } from '../../schemas';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const sampleTs = Date.now() - 60_000;
const sample = (id: string): MetricSample => ({
  event_id: id,
  host: 'dlq-host',
  ts: sampleTs,
  metric: 'system.memory.usage',
  value: 123456789.5,
  unit: 'By',
  attributes: { 'system.memory.state': 'used' },
});

describe('schema registry round trip and the dead-letter topic', () => {
  const config = testConfig('dlq', {}, { agent: { enabled: false } });
  const topics = topicNames(config.kafka.topicPrefix);
  let instance: Instance;
  let producer: Producer;

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('error', process.stderr));
    producer = createProducer(createKafka(testEndpoints().brokers, 'dlq-test', silentLogger));
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('encodes with a registered schema and decodes by id in a fresh client', async () => {
    const writer = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const id = await writer.register(topics.metrics, loadSchema('metric-sample'));
    const bytes = writer.encode(id, sample('round-trip'));
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(id);
    const reader = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    await reader.prepare([bytes]);
    expect(reader.decode(bytes)).toEqual({ ...sample('round-trip'), labels: {} }); // the reader's default
  });

  it('dead-letters bad records with their reason and position, counts them, and keeps going', async () => {
    const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const id = await serde.register(topics.metrics, loadSchema('metric-sample'));
    const good = serde.encode(id, sample('after-poison'));
    const poison = {
      TW_ERR_BAD_MAGIC: Buffer.from([7, 0, 0, 0, 1, 2, 3]),
      TW_ERR_UNKNOWN_SCHEMA: frame(987_654, Buffer.from([2, 4, 6])),
      TW_ERR_AVRO_DECODE: good.subarray(0, good.length - 6),
    };
    await producer.send({
      topic: topics.metrics,
      acks: -1,
      messages: [
        ...Object.values(poison).map((value) => ({ key: 'dlq-host', value })),
        { key: 'dlq-host', value: good },
      ],
    });

    await waitFor('the good record after the poison in ClickHouse', async () => {
      const rs = await instance.clickhouse.query({
        query: `SELECT count() AS n FROM ${config.clickhouse.database}.metrics WHERE event_id = 'after-poison'`,
        format: 'JSONEachRow',
      });
      return Number((await rs.json<{ n: string }>())[0]!.n) === 1;
    });

    const letters: DeadLetter[] = [];
    const consumer = createKafka(testEndpoints().brokers, 'dlq-reader', silentLogger).consumer({
      groupId: uniqueName('dlq-reader'),
    });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await serde.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) letters.push(serde.decode<DeadLetter>(m.value));
      },
    });
    try {
      await waitFor('three dead letters', () => letters.length >= 3);
    } finally {
      await consumer.disconnect();
    }
    expect(letters).toHaveLength(3);
    for (const [code, bytes] of Object.entries(poison)) {
      const letter = letters.find((l) => l.error_code === code);
      expect(letter).toMatchObject({ source_topic: topics.metrics, reason: expect.any(String) });
      expect(letter!.reason.length).toBeGreaterThan(10);
      expect(Buffer.compare(letter!.original_value!, bytes)).toBe(0);
      expect(letter!.original_key!.toString()).toBe('dlq-host');
    }
    const offsets = letters.map((l) => Number(l.source_offset)).sort();
    expect(new Set(offsets).size).toBe(3);

    const dropped = (await instance.metrics.eventsDropped.get()).values;
    for (const code of Object.keys(poison))
      expect(dropped.find((v) => v.labels.reason === code)?.value).toBe(1);
  });
});
