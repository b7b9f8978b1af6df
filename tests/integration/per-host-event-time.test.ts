import fs from 'node:fs';
import type { Admin, Producer } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde, type AvroSerde } from '../../core/serde';
import { loadSchema, type MetricSample } from '../../schemas';
import { committedOffsets } from '../helpers/committed-offsets';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

/**
 * Event time per host through the real broker, registry and embedded ClickHouse: every sample
 * goes to partition 0, so all hosts share one partition (as hosts do in a fleet).
 */
describe('processor: each host’s windows close on its own event time', () => {
  const config = testConfig(
    'per-host',
    {},
    {
      agent: { enabled: false },
      processor: { windowsMs: [10_000, 60_000], allowedLatenessMs: 2000, idleTimeoutMs: 2000 },
    },
  );
  const topics = topicNames(config.kafka.topicPrefix);
  const db = config.clickhouse.database;
  const tag = uniqueName('ph');
  let instance: Instance;
  let producer: Producer;
  let admin: Admin;
  let serde: AvroSerde;
  let schemaId: number;
  let produced = 0;

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('error', process.stderr));
    const kafka = createKafka(testEndpoints().brokers, 'per-host-test', silentLogger);
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

  const sample = (host: string, ts: number, value: number): MetricSample => ({
    event_id: `${host}:1:${ts}`,
    host,
    ts,
    metric: 'system.cpu.utilization',
    value,
    unit: '1',
    attributes: { 'cpu.mode': 'user' },
  });
  const send = async (samples: MetricSample[]) => {
    produced += samples.length;
    await producer.send({
      topic: topics.metrics,
      acks: -1,
      messages: samples.map((s) => ({ key: s.host, partition: 0, value: serde.encode(schemaId, s) })),
    });
  };
  const query = async <T>(sql: string) =>
    await (
      await instance.clickhouse.query({ query: sql, query_params: { tag }, format: 'JSONEachRow' })
    ).json<T>();
  /** Per host and minute: the raw table's count (no FINAL) next to metrics_1m's. */
  const minutes = (hosts: string[]) =>
    query<{ host: string; minute: string; raw: string; windowed: string | null }>(
      `SELECT r.host AS host, toString(r.minute) AS minute, r.n AS raw, w.count AS windowed
       FROM (SELECT host, toStartOfMinute(ts) AS minute, count() AS n FROM ${db}.metrics
             WHERE startsWith(host, {tag:String}) GROUP BY host, minute) AS r
       LEFT JOIN (SELECT host, window_start AS minute, count FROM ${db}.metrics_1m
                  WHERE startsWith(host, {tag:String})) AS w
       ON r.host = w.host AND r.minute = w.minute
       WHERE r.host IN (${hosts.map((h) => `'${h}'`).join(', ')})
       ORDER BY host, minute`,
    );

  it('keeps every normal host’s windows complete beside a clock 270 s fast, and aggregates a replayed spool', async () => {
    const base = Math.floor((Date.now() - 15 * 60_000) / 60_000) * 60_000;
    const normal = [1, 2, 3].map((i) => `${tag}-normal-${i}`);
    const fast = `${tag}-fast`;
    const replay = `${tag}-replay`;
    // Three minutes at 5 s, all hosts interleaved as they arrive; the fast host's clock is 270 s ahead.
    // The replaying host sends minute 0 and then, cut off from Kafka, spools minutes 1–3.
    const spooled: MetricSample[] = [];
    for (let t = 0; t < 180_000; t += 5000) {
      const tick = [...normal, fast].map((h, i) =>
        sample(h, base + t + (h === fast ? 270_000 : 0), i + t / 5000),
      );
      const own = sample(replay, base + t, t / 1000);
      if (t < 60_000) tick.push(own);
      else spooled.push(own);
      await send(tick);
    }
    spooled.push(...[0, 5000, 10_000].map((t) => sample(replay, base + 180_000 + t, 7))); // minute 3
    // Back online: newer samples go out directly first, then the spool drains (late for this host).
    await send([0, 5000].map((t) => sample(replay, base + 240_000 + t, 9)));
    await send(spooled.slice(0, 10));
    await send(spooled.slice(10));

    const hosts = [...normal, replay];
    const rows = await waitFor('every minute of the normal and replaying hosts in metrics_1m', async () => {
      const found = await minutes(hosts);
      const complete = found.length === 3 * 3 + 5 && found.every((r) => Number(r.windowed) === Number(r.raw));
      return complete ? found : undefined;
    });
    // Normal hosts: 12 samples in each of their 3 minutes; the replaying host: minutes 0–4.
    expect(rows.map((r) => [r.host, Number(r.raw), Number(r.windowed)])).toEqual([
      ...normal.flatMap((h) => [0, 1, 2].map(() => [h, 12, 12])),
      [replay, 12, 12],
      [replay, 12, 12],
      [replay, 12, 12],
      [replay, 3, 3],
      [replay, 2, 2],
    ]);
    // Raw rows without FINAL: nothing stored twice.
    const [dup] = await query<{ n: string; ids: string }>(
      `SELECT count() AS n, uniqExact(event_id) AS ids FROM ${db}.metrics WHERE startsWith(host, {tag:String})`,
    );
    expect(Number(dup!.n)).toBe(produced);
    expect(Number(dup!.n) - Number(dup!.ids)).toBe(0);
    // The normal hosts' 10 s windows are complete too: 6 per minute, 2 samples each, none late.
    const tens = await query<{ n: string; partial: string }>(
      `SELECT count() AS n, countIf(count != 2) AS partial FROM ${db}.metrics_10s
       WHERE host IN (${normal.map((h) => `'${h}'`).join(', ')})`,
    );
    expect([Number(tens[0]!.n), Number(tens[0]!.partial)]).toEqual([3 * 18, 0]);
    expect((await instance.metrics.windowsCorrected.get()).values[0]?.value).toBeGreaterThan(0);
    expect((await instance.metrics.lateUnaggregated.get()).values[0]?.value ?? 0).toBe(0);

    // The partition went quiet: the idle close acknowledges past every window, and the commit
    // reaches the end of the log without another record arriving.
    await waitFor(
      'the idle partition committed to its end',
      async () => (await committedOffsets(admin, config.processor.groupId, topics.metrics))[0] === produced,
    );
  });
});
