import fs from 'node:fs';
import path from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { createProcessor } from '../../processors';
import { createKafka, createProducer, ensureTopics, topicNames } from '../../core/kafka';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import type { MetricSample } from '../../schemas';
import { registerTopicSchemas } from '../../schemas/register';
import { clientOver, embeddedConnection, migrate } from '../../sinks/clickhouse';
import { committedOffsets } from '../helpers/committed-offsets';
import { stallingConnection } from '../helpers/faulty-connection';
import { check, Ledger } from '../helpers/ledger';
import { holdRawMerges, rawIdCounts } from '../helpers/raw-rows';
import { testConfig, testEndpoints } from '../helpers/test-stack';
import { pollUntil, waitFor } from '../helpers/wait-for';

const MAX_IN_FLIGHT = 20_000;
const TOTAL = 200_000;
const STALL_MS = 30_000;

describe('backpressure: ClickHouse stalls for 30 s while the topic holds a large backlog', () => {
  const config = testConfig(
    'backpressure',
    { TIDEWATCH_PARTITIONS: '6' },
    {
      processor: {
        windowsMs: [10_000],
        allowedLatenessMs: 0,
        idleTimeoutMs: 2000,
        maxInFlightEvents: MAX_IN_FLIGHT,
      },
    },
  );
  const topics = topicNames(config.kafka.topicPrefix);
  const db = config.clickhouse.database;
  const stall = stallingConnection(embeddedConnection(config.dataDir), `${db}.metrics`);
  const clickhouse = clientOver(stall.connection);
  const ledger = new Ledger(10_000);
  let producer: Producer;
  let admin: Admin;
  let close: (() => Promise<void>) | undefined;

  afterAll(async () => {
    stall.state.release();
    try {
      await close?.();
      await Promise.all([producer?.disconnect(), admin?.disconnect()]);
    } finally {
      await clickhouse.close();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    }
  });

  it('holds consumption at its budget, commits nothing during the stall, and loses nothing after it', async () => {
    const kafka = createKafka(testEndpoints().brokers, 'backpressure-test', silentLogger);
    admin = kafka.admin();
    producer = createProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
    await ensureTopics(admin, Object.values(topics), 6);
    const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const ids = await registerTopicSchemas(serde, topics);
    await migrate(clickhouse, db);
    await holdRawMerges(clickhouse, db); // a sample stored twice stays two rows to count
    const base = Math.floor((Date.now() - 60 * 60_000) / 10_000) * 10_000;
    for (let i = 0; i < TOTAL; i += 5000) {
      const samples: MetricSample[] = Array.from({ length: 5000 }, (_, k) => {
        const n = i + k;
        return {
          event_id: `bp-${n % 20}:1:${n}`,
          host: `bp-${n % 20}`,
          ts: base + Math.floor(n / 20) * 100,
          metric: 'system.cpu.utilization',
          value: (n % 97) / 97,
          unit: '1',
          attributes: {},
        };
      });
      await producer.send({
        topic: topics.metrics,
        acks: -1,
        messages: samples.map((s) => ({ key: s.host, value: serde.encode(ids.metrics, s) })),
      });
      ledger.record(samples);
    }

    const {
      source,
      pipeline,
      close: closeProcessor,
    } = createProcessor({
      kafka,
      producer,
      serde,
      schemaIds: ids,
      clickhouse,
      database: db,
      topics,
      settings: config.processor,
      detect: config.detect,
      storage: config.clickhouse,
      avroInsertDir: path.join(config.dataDir, 'clickhouse-inserts'),
      metrics: createMetrics(),
      logger: silentLogger,
      retry: { initialMs: 100, maxMs: 2000, attempts: Infinity },
    });
    const subscription = pipeline.subscribe();
    close = async () => {
      await source.close();
      subscription.unsubscribe();
      await closeProcessor();
    };

    await waitFor('the writer to stall on its first insert', () => stall.state.waiting > 0);
    await new Promise((r) => setTimeout(r, STALL_MS));
    const pausesDuringStall = source.budget.pauses;
    const maxEvents = source.budget.peakEvents;
    const committedDuringStall = await committedOffsets(admin, config.processor.groupId, topics.metrics);
    stall.state.release();

    // Without the budget the source would have pulled the whole backlog (200 000 events) in.
    expect(pausesDuringStall).toBeGreaterThan(0);
    expect(maxEvents).toBeGreaterThanOrEqual(MAX_IN_FLIGHT);
    expect(maxEvents).toBeLessThan(MAX_IN_FLIGHT + 25_000);
    expect(committedDuringStall.every((o) => o === -1)).toBe(true);

    const stored = async () => {
      const idRows = await rawIdCounts(clickhouse, db); // raw rows, no FINAL
      const windows = await (
        await clickhouse.query({
          query: `SELECT host, toUnixTimestamp64Milli(window_start) AS window_start_ms, count, sum FROM ${db}.metrics_10s`,
          format: 'JSONEachRow',
        })
      ).json<{ host: string; window_start_ms: string; count: string; sum: number }>();
      return check(ledger, idRows, windows);
    };
    const clean = (r: Awaited<ReturnType<typeof stored>>) =>
      r.lost === 0 && r.duplicated === 0 && r.windowsMissing === 0 && r.windowsWrong === 0;
    const result = await pollUntil(stored, clean, 120_000);
    expect(result).toEqual({ lost: 0, duplicated: 0, windowsMissing: 0, windowsWrong: 0 });
  });
});
