import avro from 'avsc';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKafka, createProducer, ensureTopics } from '../../core/kafka';
import { silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde, frame } from '../../core/serde';
import type { Sink } from '../../core/stream';
import { loadSchema, type MetricAggregate, type MetricSample } from '../../schemas';
import {
  clickhouseAggregatesSink,
  clickhouseMetricsSink,
  clickhouseMetricsStore,
  createClickHouse,
  migrate,
} from '../../sinks/clickhouse';
import { kafkaTopicSink } from '../../sinks/kafka';
import { holdRawMerges, rawRowsAndIds } from '../helpers/raw-rows';
import { testEndpoints, uniqueName } from '../helpers/test-stack';
import { describeSinkConformance, type SinkUnderTest } from './sink-conformance';

const now = Date.now();
const sample = (i: number, round: number): MetricSample => ({
  event_id: `conf:${round}:${i}`,
  host: `conf-${i % 5}`,
  ts: now - 60_000 + i,
  metric: 'system.cpu.utilization',
  value: i / 250,
  unit: '1',
  attributes: {},
});

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-conformance-'));
const clickhouse = createClickHouse({ username: 'default', password: '', dataDir });
afterAll(async () => {
  await clickhouse.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Raw rows of `db.metrics`, read without FINAL (which would collapse a duplicate before the count). */
const rawRows = async (db: string) => (await rawRowsAndIds(clickhouse, db)).rows;

/** A raw-samples subject over its own database, its merges held so a duplicate stays countable. */
async function rawSubject(db: string, sink: () => Sink<MetricSample>): Promise<SinkUnderTest<MetricSample>> {
  await migrate(clickhouse, db);
  await holdRawMerges(clickhouse, db);
  return { sink: sink(), stored: () => rawRows(db), restart: sink, cleanup: async () => undefined };
}

describeSinkConformance<MetricSample>('ClickHouse raw samples (JSON rows, as to a server)', {
  idempotent: true,
  restartable: true,
  records: (n, round) => Array.from({ length: n }, (_, i) => sample(i, round)),
  create: () => rawSubject('conf_metrics', () => clickhouseMetricsSink(clickhouse, 'conf_metrics')),
});

/**
 * The embedded engine's raw inserts, as the processor makes them: each batch's Kafka values
 * (Confluent-framed Avro) kept as their bodies and read by the engine from an Avro file.
 */
const type = avro.Type.forSchema(loadSchema('metric-sample') as avro.Schema);
const SCHEMA_ID = 11;
const writerSchema = JSON.stringify(type.schema({ exportAttrs: true }));
function avroFileSink(db: string): Sink<MetricSample> {
  const store = clickhouseMetricsStore(clickhouse, db, {
    avro: {
      dir: path.join(dataDir, 'inserts'),
      writerSchema: (id) => (id === SCHEMA_ID ? writerSchema : undefined),
    },
  });
  return {
    ...store.sink,
    write: async (batch) => {
      const chunk = store.encode(
        batch,
        batch.map((s) => frame(SCHEMA_ID, type.toBuffer(s))),
      );
      if (batch.length > 0 && !('schemaId' in chunk)) throw new Error('the batch did not go as an Avro file');
      await store.sink.write([chunk]);
    },
  };
}

describeSinkConformance<MetricSample>('ClickHouse raw samples (Avro files, the embedded default)', {
  idempotent: true,
  restartable: true,
  records: (n, round) => Array.from({ length: n }, (_, i) => sample(i, round)),
  create: () => rawSubject('conf_avro', () => avroFileSink('conf_avro')),
});

describeSinkConformance<MetricAggregate>('ClickHouse aggregates', {
  idempotent: true,
  records: (n) =>
    Array.from({ length: n }, (_, i) => ({
      host: `conf-${i}`,
      metric: 'm',
      unit: '1',
      attributes: {},
      window_start: now - (now % 10_000),
      window_ms: 10_000,
      count: 3,
      sum: 3,
      min: 1,
      max: 1,
      mean: 1,
      last: 1,
      p50: 1,
      p95: 1,
      p99: 1,
    })),
  async create() {
    const db = 'conf_aggregates';
    await migrate(clickhouse, db);
    return {
      sink: clickhouseAggregatesSink(clickhouse, db),
      stored: async () =>
        Number(
          (
            await (
              await clickhouse.query({
                query: `SELECT count() AS n FROM ${db}.metrics_10s`,
                format: 'JSONEachRow',
              })
            ).json<{ n: string }>()
          )[0]!.n,
        ),
      cleanup: async () => undefined,
    };
  },
});

describeSinkConformance<MetricSample>('Kafka topic (Avro)', {
  idempotent: false,
  records: (n, round) => Array.from({ length: n }, (_, i) => sample(i, round)),
  async create() {
    const topic = uniqueName('conformance');
    const kafka = createKafka(testEndpoints().brokers, 'conformance', silentLogger);
    const admin = kafka.admin();
    const producer = createProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
    await ensureTopics(admin, [topic], 2);
    const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const schemaId = await serde.register(topic, loadSchema('metric-sample'));
    return {
      sink: kafkaTopicSink<MetricSample>(producer, serde, {
        name: 'topic',
        topic,
        schemaId,
        key: (s) => s.host,
      }),
      stored: async () =>
        (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
      cleanup: async () => {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await Promise.all([admin.disconnect(), producer.disconnect()]);
      },
    };
  },
});
