import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { createMetrics, type PipelineMetrics } from '../../core/metrics';
import { confluentRegistry, createAvroSerde, type AvroSerde } from '../../core/serde';
import type { Sink } from '../../core/stream';
import { loadSchema, type DeadLetter, type MetricAggregate, type MetricSample } from '../../schemas';
import { deadLetterTopicSink, kafkaTopicSink, topicProduceLimits } from '../../sinks/kafka';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

/** What the topics in this test accept: 64 KiB per record batch. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** Random text: compression cannot make a record of it fit after all. */
const noise = (chars: number) => crypto.randomBytes(chars).toString('base64').slice(0, chars);

const aggregate = (i: number, padding = 100): MetricAggregate => ({
  host: `big-host-${i % 7}`,
  metric: 'system.filesystem.utilization',
  unit: '1',
  attributes: { 'system.device': `/dev/disk${i}`, mountpoint: `/srv/${noise(padding)}/${i}` },
  window_start: 1_765_000_000_000,
  window_ms: 60_000,
  count: 6,
  sum: i,
  min: 0,
  max: i,
  mean: i / 6,
  last: i,
  p50: i / 2,
  p95: i,
  p99: i,
});

/** Every producer request and whether the broker took it (the real producer, observed). */
function observed(producer: Producer) {
  const requests: { records: number; ok: boolean }[] = [];
  const send: Producer['send'] = async (record) => {
    try {
      const result = await producer.send(record);
      requests.push({ records: record.messages.length, ok: true });
      return result;
    } catch (err) {
      requests.push({ records: record.messages.length, ok: false });
      throw err;
    }
  };
  return { producer: { ...producer, send } as Producer, requests };
}

async function readAll<T>(kafka: Kafka, serde: AvroSerde, topic: string, count: number): Promise<T[]> {
  const out: T[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('oversized-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await serde.prepare(batch.messages.map((m) => m.value));
      for (const m of batch.messages) out.push(serde.decode<T>(m.value));
    },
  });
  try {
    await waitFor(`${count} records on ${topic}`, () => out.length >= count);
    return out;
  } finally {
    await consumer.disconnect();
  }
}

describe('Kafka writes bounded by the topic’s max.message.bytes', () => {
  let kafka: Kafka;
  let admin: Admin;
  let rawProducer: Producer;
  let serde: AvroSerde;
  let aggregateSchema: number;
  let dlqSchema: number;
  const created: string[] = [];

  const topic = async (label: string) => {
    const name = uniqueName(`oversized-${label}`);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: name,
          numPartitions: 2,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
        },
      ],
    });
    created.push(name);
    return name;
  };

  /** The aggregates sink and its dead-letter topic, as the processor builds them, on fresh topics. */
  const sinks = async () => {
    const [aggregates, dlq] = [await topic('aggregates'), await topic('dlq')];
    const metrics: PipelineMetrics = createMetrics();
    const { producer, requests } = observed(rawProducer);
    const deadLetters: Sink<DeadLetter> = deadLetterTopicSink(producer, serde, {
      name: 'dlq',
      topic: dlq,
      schemaId: dlqSchema,
      limits: topicProduceLimits(kafka, dlq),
      metrics,
      logger: silentLogger,
    });
    const sink = kafkaTopicSink<MetricAggregate>(producer, serde, {
      name: 'aggregates-topic',
      topic: aggregates,
      schemaId: aggregateSchema,
      key: (a) => a.host,
      limits: topicProduceLimits(kafka, aggregates),
      deadLetters,
      metrics,
      logger: silentLogger,
    });
    const dropped = async () =>
      Object.fromEntries((await metrics.eventsDropped.get()).values.map((v) => [v.labels.reason, v.value]));
    const truncated = async () => (await metrics.deadLettersTruncated.get()).values[0]?.value ?? 0;
    return { aggregates, dlq, sink, requests, dropped, truncated };
  };

  beforeAll(async () => {
    kafka = createKafka(testEndpoints().brokers, 'oversized-produce', silentLogger);
    admin = kafka.admin();
    rawProducer = createProducer(kafka);
    await Promise.all([admin.connect(), rawProducer.connect()]);
    serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    aggregateSchema = await serde.register(
      uniqueName('oversized-aggregates'),
      loadSchema('metric-aggregate'),
    );
    dlqSchema = await serde.register(uniqueName('oversized-dlq'), loadSchema('dead-letter'));
  });

  afterAll(async () => {
    await admin?.deleteTopics({ topics: created }).catch(() => undefined);
    await Promise.all([admin?.disconnect(), rawProducer?.disconnect()]);
  });

  it('writes a batch of several MB in requests the broker takes, every record once', async () => {
    const s = await sinks();
    const batch = Array.from({ length: 12_000 }, (_, i) => aggregate(i, 200));
    const bytes = batch.reduce((n, a) => n + serde.encode(aggregateSchema, a).length, 0);
    expect(bytes).toBeGreaterThan(3 * 1024 * 1024);

    await s.sink.write(batch);

    expect(s.requests.filter((r) => !r.ok)).toEqual([]); // none refused: each was under the limit
    expect(s.requests.length).toBeGreaterThan(bytes / MAX_MESSAGE_BYTES);
    expect(s.requests.reduce((n, r) => n + r.records, 0)).toBe(batch.length);
    const landed = await readAll<MetricAggregate>(kafka, serde, s.aggregates, batch.length);
    expect(landed).toHaveLength(batch.length);
    expect(new Set(landed.map((a) => a.sum)).size).toBe(batch.length);
    expect(await s.dropped()).toEqual({});
  });

  it('dead-letters a record larger than the topic accepts, cut to fit the dead-letter topic; the rest land', async () => {
    const s = await sinks();
    const huge = aggregate(3, 200_000);
    const batch = [aggregate(0), aggregate(1), aggregate(2), huge, aggregate(4), aggregate(5)];

    await s.sink.write(batch);

    const landed = await readAll<MetricAggregate>(kafka, serde, s.aggregates, 5);
    expect(landed.map((a) => a.sum).sort()).toEqual([0, 1, 2, 4, 5]);
    const [letter, ...more] = await readAll<DeadLetter>(kafka, serde, s.dlq, 1);
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      source_topic: s.aggregates,
      source_partition: -1,
      source_offset: '-1',
      error_code: 'TW_ERR_RECORD_TOO_LARGE',
    });
    expect(letter!.original_key!.toString()).toBe(huge.host);
    expect(letter!.reason).toMatch(
      /larger than .* accepts .*\[cut to fit \d+ bytes: original_value \d+ → \d+ bytes\]/,
    );
    const full = serde.encode(aggregateSchema, huge);
    const kept = letter!.original_value!;
    expect(kept.length).toBeGreaterThan(MAX_MESSAGE_BYTES / 2);
    expect(kept.equals(full.subarray(0, kept.length))).toBe(true);
    expect(await s.dropped()).toEqual({ TW_ERR_RECORD_TOO_LARGE: 1 });
    expect(await s.truncated()).toBe(1);
  });

  it('dead-letters a record that is not valid Avro for the topic’s schema; the rest land', async () => {
    const s = await sinks();
    const broken = { ...aggregate(2), count: 'many' } as unknown as MetricAggregate;
    const batch = [aggregate(0), aggregate(1), broken, aggregate(3)];

    await s.sink.write(batch);

    const landed = await readAll<MetricAggregate>(kafka, serde, s.aggregates, 3);
    expect(landed.map((a) => a.sum).sort()).toEqual([0, 1, 3]);
    const [letter, ...more] = await readAll<DeadLetter>(kafka, serde, s.dlq, 1);
    expect(more).toEqual([]);
    expect(letter).toMatchObject({ source_topic: s.aggregates, error_code: 'TW_ERR_AVRO_ENCODE' });
    expect(JSON.parse(letter!.original_value!.toString())).toMatchObject({ count: 'many', sum: 2 });
    expect(await s.dropped()).toEqual({ TW_ERR_AVRO_ENCODE: 1 });
  });
});

describe('the processor, when one host closes more windows than one request to the aggregates topic carries', () => {
  const config = testConfig(
    'oversized-pipeline',
    {},
    { agent: { enabled: false }, processor: { windowsMs: [10_000], allowedLatenessMs: 0 } },
  );
  const topics = topicNames(config.kafka.topicPrefix);
  const host = uniqueName('storage-server');
  const SERIES = 3000;
  let instance: Instance;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    kafka = createKafka(testEndpoints().brokers, 'oversized-pipeline', silentLogger);
    admin = kafka.admin();
    producer = createProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
    // The instance creates only missing topics: this one accepts 64 KiB per record batch.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topics.aggregates,
          numPartitions: 2,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
        },
      ],
    });
    instance = await startInstance(config, createLogger('error', process.stderr));
  });

  afterAll(async () => {
    await Promise.all([admin?.disconnect(), producer?.disconnect()]);
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('publishes every aggregate in requests the topic takes, and keeps storing samples', async () => {
    const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const schemaId = await serde.register(topics.metrics, loadSchema('metric-sample'));
    const base = Math.floor((Date.now() - 120_000) / 10_000) * 10_000;
    const sample = (seq: number, ts: number, device: string): MetricSample => ({
      event_id: `${host}:1:${seq}`,
      host,
      ts,
      metric: 'system.disk.io',
      value: seq,
      unit: 'By/s',
      attributes: { 'system.device': device, 'disk.io.direction': 'read' },
    });
    const send = (samples: MetricSample[]) =>
      producer.send({
        topic: topics.metrics,
        acks: -1,
        messages: samples.map((s) => ({ key: host, value: serde.encode(schemaId, s) })),
      });
    // One window of 3 000 series (~600 KB of aggregates), then a sample that closes it.
    for (let from = 0; from < SERIES; from += 1000) {
      await send(Array.from({ length: 1000 }, (_, i) => sample(from + i, base + 1000, `/dev/${noise(24)}`)));
    }
    await send([sample(SERIES, base + 25_000, 'closer')]);

    const aggregates = await waitFor('the closed window’s aggregates on the topic', async () => {
      const offsets = await admin.fetchTopicOffsets(topics.aggregates);
      const n = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      return n >= SERIES ? n : undefined;
    });
    expect(aggregates).toBe(SERIES);
    const stored = await waitFor('every sample in ClickHouse', async () => {
      const rs = await instance.clickhouse.query({
        query: `SELECT count() AS n FROM ${config.clickhouse.database}.metrics WHERE host = {host:String}`,
        query_params: { host },
        format: 'JSONEachRow',
      });
      const n = Number((await rs.json<{ n: string }>())[0]!.n);
      return n >= SERIES + 1 ? n : undefined;
    });
    expect(stored).toBe(SERIES + 1);
    const breaker = (await instance.metrics.breakerState.get()).values.find(
      (v) => v.labels.sink === 'aggregates-topic',
    );
    expect(breaker?.value).toBe(0);
    const dropped = (await instance.metrics.eventsDropped.get()).values.filter((v) => v.value > 0);
    expect(dropped).toEqual([]);
  });
});
