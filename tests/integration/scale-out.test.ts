import fs from 'node:fs';
import path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { createProcessor } from '../../processors';
import type { Config } from '../../core/config';
import { createKafka, createProducer, ensureTopics, groupConsumer, topicNames } from '../../core/kafka';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import { confluentRegistry, createAvroSerde, type AvroSerde } from '../../core/serde';
import type { MetricAggregate, MetricSample } from '../../schemas';
import { registerTopicSchemas, type TopicSchemaIds } from '../../schemas/register';
import { createClickHouse, migrate, type ClickHouseClient } from '../../sinks/clickhouse';
import { check, Ledger } from '../helpers/ledger';
import { holdRawMerges, rawIdCounts } from '../helpers/raw-rows';
import { testConfig, testEndpoints } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const WINDOW = 10_000;

describe('scale-out: processors in one consumer group with a rolling restart', () => {
  const config = testConfig(
    'scale',
    { TIDEWATCH_PARTITIONS: '6' },
    {
      processor: { windowsMs: [WINDOW], allowedLatenessMs: 0, idleTimeoutMs: 2000 },
    },
  );
  const topics = topicNames(config.kafka.topicPrefix);
  const db = config.clickhouse.database;
  const ledger = new Ledger(WINDOW);
  let kafka: Kafka;
  let producer: Producer;
  let serde: AvroSerde;
  let clickhouse: ClickHouseClient;
  let ids: TopicSchemaIds;
  const running = new Map<string, { close: () => Promise<void> }>();

  beforeAll(async () => {
    kafka = createKafka(testEndpoints().brokers, 'scale-test', silentLogger);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, Object.values(topics), 6);
    await admin.disconnect();
    producer = createProducer(kafka);
    await producer.connect();
    serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    ids = await registerTopicSchemas(serde, topics);
    clickhouse = createClickHouse({ ...config.clickhouse, dataDir: config.dataDir });
    await migrate(clickhouse, db);
    await holdRawMerges(clickhouse, db); // a sample stored twice stays two rows to count
  });

  afterAll(async () => {
    for (const p of running.values()) await p.close();
    await producer?.disconnect();
    await clickhouse?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  const start = (name: string, settings: Config['processor'] = config.processor) => {
    const {
      source,
      pipeline,
      close: closeProcessor,
    } = createProcessor({
      kafka: createKafka(testEndpoints().brokers, `scale-${name}`, silentLogger),
      producer,
      serde,
      schemaIds: ids,
      clickhouse,
      database: db,
      topics,
      settings,
      detect: config.detect,
      storage: config.clickhouse,
      avroInsertDir: path.join(config.dataDir, 'clickhouse-inserts'),
      metrics: createMetrics(),
      logger: silentLogger,
      retry: { initialMs: 100, maxMs: 2000, attempts: Infinity },
    });
    const subscription = pipeline.subscribe({
      error: (err) => process.stderr.write(`processor ${name} failed: ${String(err)}\n`),
    });
    running.set(name, {
      close: async () => {
        await source.close();
        subscription.unsubscribe();
        await closeProcessor();
      },
    });
  };
  const stop = async (name: string) => {
    await running.get(name)!.close();
    running.delete(name);
  };

  let seq = 0;
  const base = Math.floor((Date.now() - 10 * 60_000) / WINDOW) * WINDOW;
  /** 12 hosts × `perHost` samples, 250 ms of event time apart, continuing where the last call ended. */
  const produce = async (perHost: number) => {
    const samples: MetricSample[] = [];
    const first = seq;
    for (let i = 0; i < perHost; i++, seq++) {
      for (let h = 0; h < 12; h++) {
        samples.push({
          event_id: `scale-${h}:1:${seq}`,
          host: `scale-${h}`,
          ts: base + seq * 250,
          metric: 'system.cpu.utilization',
          value: ((seq * 7 + h) % 100) / 100,
          unit: '1',
          attributes: {},
        });
      }
    }
    for (let i = 0; i < samples.length; i += 1000) {
      const chunk = samples.slice(i, i + 1000);
      await producer.send({
        topic: topics.metrics,
        acks: -1,
        messages: chunk.map((s) => ({ key: s.host, value: serde.encode(ids.metrics, s) })),
      });
    }
    ledger.record(samples);
    return seq - first;
  };
  const stored = async () => {
    const idRows = await rawIdCounts(clickhouse, db, `host LIKE 'scale-%'`); // raw rows, no FINAL
    const windows = await (
      await clickhouse.query({
        query: `SELECT host, toUnixTimestamp64Milli(window_start) AS window_start_ms, count, sum FROM ${db}.metrics_10s WHERE host LIKE 'scale-%'`,
        format: 'JSONEachRow',
      })
    ).json<{ host: string; window_start_ms: string; count: string; sum: number }>();
    return { idRows, windows };
  };

  it('stores every sample once and every window once, with correct counts, across 2 → 3 → 2 processors', async () => {
    start('a');
    start('b');
    await produce(400);
    await waitFor('the first processors to make progress', async () => (await stored()).idRows.length > 0);
    // Members join and leave while samples keep arriving, so partitions move with windows open.
    const more = produce(400);
    start('c'); // 2 → 3
    await more;
    const evenMore = produce(400);
    await stop('a'); // 3 → 2 (rolling restart: a leaves, d joins)
    start('d');
    await evenMore;
    await stop('b');

    let last: unknown;
    const result = await waitFor(
      'storage to match the ledger',
      async () => {
        const { idRows, windows } = await stored();
        const r = check(ledger, idRows, windows);
        last = { ...r, examples: differences(windows) };
        return r.lost === 0 && r.windowsMissing === 0 && r.windowsWrong === 0 ? r : undefined;
      },
      120_000,
      1000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last check: ${JSON.stringify(last)}`);
    });
    expect(result).toEqual({ lost: 0, duplicated: 0, windowsMissing: 0, windowsWrong: 0 });
    const { windows } = await stored();
    expect(windows.length).toBe(ledger.windows.size);
    expect(windows.reduce((n, w) => n + Number(w.count), 0)).toBe(ledger.ids.size);

    // The aggregates topic never carries a partial window: a revoked partition's open windows
    // leave with it, and only complete windows are published (possibly twice, identical).
    const published = await aggregatesOnTopic();
    const partial = published.filter(
      (a) => a.count !== ledger.windows.get(`${a.host}|${a.window_start}`)?.count,
    );
    expect(published.length).toBeGreaterThanOrEqual(ledger.windows.size);
    expect(partial).toEqual([]);
  });

  /** A few windows stored unlike the ledger, to read in a failure. */
  const differences = (windows: { host: string; window_start_ms: string; count: string }[]) => {
    const got = new Map(windows.map((w) => [`${w.host}|${w.window_start_ms}`, Number(w.count)]));
    return [...ledger.windows]
      .filter(([key, want]) => got.get(key) !== want.count)
      .slice(0, 8)
      .map(([key, want]) => `${key}: ${got.get(key) ?? 'missing'} of ${want.count}`);
  };

  const aggregatesOnTopic = async () => {
    const consumer = groupConsumer(kafka, { groupId: `${config.processor.groupId}-reader` });
    const out: MetricAggregate[] = [];
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topics.aggregates);
    await admin.disconnect();
    const total = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    await consumer.connect();
    await consumer.subscribe({ topic: topics.aggregates, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await serde.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) out.push(serde.decode<MetricAggregate>(m.value));
      },
    });
    try {
      await waitFor('the whole aggregates topic', () => out.length >= total || undefined, 60_000);
    } finally {
      await consumer.disconnect();
    }
    return out.filter((a) => a.host.startsWith('scale-'));
  };
});
