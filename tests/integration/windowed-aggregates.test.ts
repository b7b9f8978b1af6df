import fs from 'node:fs';
import type { Admin, Producer } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde, type AvroSerde } from '../../core/serde';
import { loadSchema, type DeadLetter, type MetricAggregate, type MetricSample } from '../../schemas';
import { committedTotal } from '../helpers/committed-offsets';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

describe('processor: validate, dedupe and event-time windows on the real broker', () => {
  const config = testConfig(
    'windows',
    {},
    {
      agent: { enabled: false },
      processor: { windowsMs: [10_000], allowedLatenessMs: 0, idleTimeoutMs: 2000 },
    },
  );
  const topics = topicNames(config.kafka.topicPrefix);
  const db = config.clickhouse.database;
  const host = uniqueName('agg-host');
  let instance: Instance;
  let producer: Producer;
  let admin: Admin;
  let serde: AvroSerde;
  let schemaId: number;

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('error', process.stderr));
    const kafka = createKafka(testEndpoints().brokers, 'windows-test', silentLogger);
    producer = createProducer(kafka);
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    schemaId = await serde.register(topics.metrics, loadSchema('metric-sample'));
  });

  afterAll(async () => {
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  const send = (samples: MetricSample[]) =>
    producer.send({
      topic: topics.metrics,
      acks: -1,
      messages: samples.map((s) => ({ key: host, value: serde.encode(schemaId, s) })),
    });
  const sample = (id: string, ts: number, value: number): MetricSample => ({
    event_id: `${host}:1:${id}`,
    host,
    ts,
    metric: 'system.cpu.utilization',
    value,
    unit: '1',
    attributes: { 'cpu.mode': 'user' },
  });
  const query = async <T>(sql: string) =>
    await (
      await instance.clickhouse.query({ query: sql, query_params: { host }, format: 'JSONEachRow' })
    ).json<T>();

  it('aggregates a closed window once, to ClickHouse and the aggregates topic, holding commits for open windows', async () => {
    const base = Math.floor((Date.now() - 120_000) / 10_000) * 10_000;
    await send([
      ...[1, 2, 3, 4, 5].map((v) => sample(String(v), base + v * 1000, v)),
      sample('3', base + 3000, 3),
      sample('nan', base + 6000, NaN),
      sample('next', base + 25_000, 9),
    ]);

    const rows = await waitFor('the closed window in metrics_10s', async () => {
      const found = await query<Record<string, number | string>>(
        `SELECT * FROM ${db}.metrics_10s WHERE host = {host:String} ORDER BY window_start`,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(rows[0]).toMatchObject({
      count: 5,
      sum: 15,
      min: 1,
      max: 5,
      mean: 3,
      last: 5,
      attributes: { 'cpu.mode': 'user' },
    });
    expect(new Date(`${rows[0]!.window_start}Z`).getTime()).toBe(base);
    expect(Math.abs(Number(rows[0]!.p50) - 3) / 3).toBeLessThan(0.02);

    // Raw rows, no FINAL: a sample stored twice would count twice.
    const raw = await query<{ n: string }>(
      `SELECT count() AS n FROM ${db}.metrics WHERE host = {host:String}`,
    );
    expect(Number(raw[0]!.n)).toBe(6);
    expect((await instance.metrics.dedupeHits.get()).values[0]?.value).toBe(1);
    const dropped = (await instance.metrics.eventsDropped.get()).values;
    expect(dropped.find((v) => v.labels.reason === 'TW_ERR_INVALID_VALUE')?.value).toBe(1);

    // The window [base+20s, base+30s) is still open and holds offset 7 (the 8th record): the commit waits there.
    await waitFor(
      'the commit held at the open window',
      async () => (await committedTotal(admin, config.processor.groupId, topics.metrics)) === 7,
    );

    // Idle timeout closes that window by processing time; the next batch then commits past it.
    await waitFor('the idle partition’s window closed', async () => {
      const found = await query<{ n: string }>(
        `SELECT count() AS n FROM ${db}.metrics_10s WHERE host = {host:String}`,
      );
      return Number(found[0]!.n) === 2;
    });
    await send([sample('later', Date.now(), 1)]);
    await waitFor(
      'the commit past the closed window',
      async () => (await committedTotal(admin, config.processor.groupId, topics.metrics)) === 8,
    );
    expect(await committedTotal(admin, config.processor.groupId, topics.metrics)).toBe(8);

    const published: MetricAggregate[] = [];
    const letters: DeadLetter[] = [];
    const consumer = createKafka(testEndpoints().brokers, 'windows-reader', silentLogger).consumer({
      groupId: uniqueName('windows-reader'),
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.aggregates, topics.dlq], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await serde.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) {
          if (batch.topic === topics.dlq) letters.push(serde.decode<DeadLetter>(m.value));
          else published.push(serde.decode<MetricAggregate>(m.value));
        }
      },
    });
    try {
      await waitFor(
        'two aggregates and one dead letter on the topics',
        () => published.length >= 2 && letters.length >= 1,
      );
    } finally {
      await consumer.disconnect();
    }
    expect(published.find((a) => a.window_start === base)).toMatchObject({
      host,
      count: 5,
      sum: 15,
      window_ms: 10_000,
      last: 5,
    });
    expect(letters).toEqual([
      expect.objectContaining({ error_code: 'TW_ERR_INVALID_VALUE', source_offset: '6' }),
    ]);
  });
});
