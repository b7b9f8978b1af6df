import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { startInstance, type Instance } from '../../cli/instance';
import { detectCommand } from '../../cli/commands/detect';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { loadSchema, type Anomaly, type MetricSample } from '../../schemas';
import { seeded } from '../../bench/detect/random';
import { createClickHouse } from '../../sinks/clickhouse';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';
import { collectingClient, type CollectingClient } from '../helpers/ws-client';

/**
 * One CPU series with an injected spike goes through the real broker, registry and processor:
 * the incident must come out on all three surfaces (topic, ClickHouse, WebSocket), and its scores
 * must be exactly those `tidewatch detect` computes offline for the same series.
 */
describe('anomaly detection in the stream', () => {
  const host = uniqueName('anomalous');
  const config = testConfig('anomalies', {}, { agent: { enabled: false } });
  const topics = topicNames(config.kafka.topicPrefix);
  const db = config.clickhouse.database;
  const MINUTE = 60_000;
  const start = Math.floor(Date.now() / MINUTE) * MINUTE - 400 * MINUTE;
  const r = seeded(11);
  const SPIKE = 300;
  const samples: MetricSample[] = Array.from({ length: 360 }, (_, i) => ({
    event_id: `${host}:1:${i}`,
    host,
    ts: start + i * MINUTE,
    metric: 'system.cpu.utilization',
    value: i === SPIKE ? 0.97 : Math.round((0.3 + 0.02 * r.normal()) * 1e4) / 1e4,
    unit: '1',
    attributes: {},
  }));
  let instance: Instance;
  let client: CollectingClient;

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('warn', process.stderr));
    client = await collectingClient(`${instance.url.replace('http', 'ws')}/ws`, instance.token);
    const kafka = createKafka(testEndpoints().brokers, 'anomalies-test', silentLogger);
    const producer = createProducer(kafka);
    await producer.connect();
    const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const id = await serde.register(topics.metrics, loadSchema('metric-sample'));
    await producer.send({
      topic: topics.metrics,
      messages: samples.map((s) => ({ key: s.host, value: serde.encode(id, s) })),
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    client?.close();
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  const offlineScores = async () => {
    const csv = path.join(config.dataDir, 'series.csv');
    fs.writeFileSync(
      csv,
      `timestamp,value\n${samples.map((s) => `${new Date(s.ts).toISOString()},${s.value}`).join('\n')}\n`,
    );
    await detectCommand(
      { input: csv, output: `${csv}.out`, detector: undefined, explain: false },
      new PassThrough(),
    );
    return fs
      .readFileSync(`${csv}.out`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[2]));
  };

  it('opens an incident for the spike on the topic, in ClickHouse and over the WebSocket, with the offline scores', async () => {
    const row = await waitFor('the incident in tidewatch.anomalies', async () => {
      const rs = await instance.clickhouse.query({
        query: `SELECT id, status, toUnixTimestamp64Milli(started_at) AS started_at, score, value, detector, reason, severity
                FROM ${db}.anomalies WHERE host = {host:String}`,
        query_params: { host },
        format: 'JSONEachRow',
      });
      const rows = await rs.json<Anomaly>();
      return rows.length > 0 ? rows : undefined;
    });
    expect(row).toHaveLength(1);
    const incident = row[0]!;
    expect(Number(incident.started_at)).toBe(samples[SPIKE]!.ts);
    expect(incident.reason).toMatch(/^CPU utilization 0\.97 is far above its usual 0\.2\d*–0\.3\d*/);
    expect(incident.severity).toBe('critical');

    const live = await waitFor('the incident over the WebSocket', () =>
      client.messages
        .filter((m) => m.type === 'anomalies')
        .flatMap((m) => m.anomalies as Anomaly[])
        .find((a) => a.host === host),
    );
    expect(live.id).toBe(incident.id);

    const kafka = createKafka(testEndpoints().brokers, 'anomalies-reader', silentLogger);
    const consumer = kafka.consumer({ groupId: uniqueName('anomalies-reader') });
    const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
    const published: Anomaly[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topics.anomalies, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        await serde.prepare([message.value]);
        published.push(serde.decode<Anomaly>(message.value));
      },
    });
    const opened = await waitFor('the incident on the anomalies topic', () =>
      published.find((a) => a.host === host && a.status === 'open'),
    );
    await consumer.disconnect();
    expect(opened.id).toBe(incident.id);

    // The stream scored exactly what the offline runner scores, sample by sample.
    const scores = await offlineScores();
    expect(scores.findIndex((s) => s >= 0.5)).toBe(SPIKE);
    expect(opened.score).toBeCloseTo(scores[SPIKE]!, 6);
    expect(opened.version).toBe(1);
  });

  it('saves the series baseline so a restart does not start cold', async () => {
    await instance.close();
    const rs = createClickHouse({ ...config.clickhouse, dataDir: config.dataDir });
    try {
      const saved = await (
        await rs.query({
          query: `SELECT count() AS n FROM ${db}.detector_state WHERE host = {host:String}`,
          query_params: { host },
          format: 'JSONEachRow',
        })
      ).json<{ n: string }>();
      expect(Number(saved[0]!.n)).toBe(1);
    } finally {
      await rs.close();
    }
  });
});
