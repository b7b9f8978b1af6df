import fs from 'node:fs';
import avro from 'avsc';
import { CompressionTypes, Kafka, logLevel, type Producer } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { loadSchema, type DeadLetter, type MetricAggregate } from '../../schemas';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

/**
 * Records written by a producer that is not Tidewatch's: kafkajs with hand-framed Confluent bytes,
 * avsc bodies, schemas registered with plain HTTP calls to the registry. A poison record (a schema
 * under another subject, attributes of longs), a record in a schema under another subject that
 * would even resolve, a 200 KB host name and a 600 KB metric name each go to the dead-letter topic
 * with their reason, while the well-behaved hosts' samples land and their windows close.
 */
describe('poison records from a foreign producer', () => {
  const config = testConfig(
    'poison',
    {},
    {
      agent: { enabled: false },
      detect: { enabled: false },
      // A limit from the config, to show it reaches validation (the others keep their defaults).
      processor: {
        windowsMs: [10_000],
        allowedLatenessMs: 0,
        idleTimeoutMs: 2000,
        fieldLimits: { maxMetricBytes: 200 },
      },
    },
  );
  const prefix = config.kafka.topicPrefix;
  const metricsTopic = `${prefix}tidewatch.metrics.v1`;
  const subject = `${metricsTopic}-value`;
  const db = config.clickhouse.database;
  const registryUrl = testEndpoints().registryUrl;
  const [hostA, hostB] = [uniqueName('good-a'), uniqueName('good-b')];
  let instance: Instance;
  let producer: Producer;
  let kafka: Kafka;

  const registry = async (method: string, path: string, body?: object) => {
    const res = await fetch(`${registryUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const registerUnder = async (subjectName: string, schema: object) => {
    const res = await registry('POST', `/subjects/${encodeURIComponent(subjectName)}/versions`, {
      schema: JSON.stringify(schema),
    });
    expect(res.status).toBe(200);
    return res.body.id as number;
  };
  const framed = (id: number, schema: object, value: object) => {
    const body = avro.Type.forSchema(schema as avro.Schema).toBuffer(value);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(id, 1);
    return Buffer.concat([header, body]);
  };

  const sampleSchema = loadSchema('metric-sample') as { fields: { name: string }[] };
  // A doc naming this run makes each foreign schema new content, so its id is under this run's subject only.
  const withAttributes = (attributes: object) => ({
    ...sampleSchema,
    doc: prefix,
    fields: sampleSchema.fields.map((f) =>
      f.name === 'attributes' ? { name: 'attributes', type: attributes } : f,
    ),
  });
  /** The poison: attributes of longs. */
  const longAttributes = withAttributes({ type: 'map', values: 'long' });
  /** Resolvable to the reader schema (one defaulted field more), but registered under another subject only. */
  const extraField = {
    ...sampleSchema,
    doc: prefix,
    fields: [...sampleSchema.fields, { name: 'extra', type: 'string', default: '' }],
  };

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('error', process.stderr));
    kafka = new Kafka({
      clientId: 'poison-test',
      brokers: testEndpoints().brokers,
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('registers the topic’s subject with BACKWARD compatibility, and the real registry refuses an incompatible version', async () => {
    expect((await registry('GET', `/config/${encodeURIComponent(subject)}`)).body).toEqual({
      compatibilityLevel: 'BACKWARD',
    });
    const refused = await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema: JSON.stringify(longAttributes),
    });
    expect(refused.status).toBe(409);
    await expect(
      createAvroSerde(confluentRegistry(registryUrl)).register(metricsTopic, longAttributes),
    ).rejects.toMatchObject({ code: 'TW_ERR_SCHEMA_INCOMPATIBLE', retriable: false });

    // A subject another producer created first has the registry's global level (NONE here): it is set to BACKWARD.
    const topic = `${prefix}created-elsewhere`;
    const path = `/config/${encodeURIComponent(`${topic}-value`)}`;
    await registerUnder(`${topic}-value`, sampleSchema);
    expect((await registry('GET', path)).body).toEqual({ compatibilityLevel: 'NONE' });
    await createAvroSerde(confluentRegistry(registryUrl)).register(topic, sampleSchema);
    expect((await registry('GET', path)).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    const late = await registry('POST', `/subjects/${encodeURIComponent(`${topic}-value`)}/versions`, {
      schema: JSON.stringify(longAttributes),
    });
    expect(late.status).toBe(409);
  });

  it('dead-letters each poison record with its reason and keeps the well-behaved hosts flowing', async () => {
    const goodId = await registerUnder(subject, sampleSchema); // what the instance registered: the same id
    const foreignSubject = `${prefix}someone-else-value`;
    const poisonId = await registerUnder(foreignSubject, longAttributes);
    const extraId = await registerUnder(foreignSubject, extraField);
    const base = Math.floor((Date.now() - 120_000) / 10_000) * 10_000;
    const sample = (host: string, id: string, ts: number, value: number, over: object = {}) => ({
      event_id: `${host}:1:${id}`,
      host,
      ts,
      metric: 'system.cpu.utilization',
      value,
      unit: '1',
      attributes: { 'cpu.mode': 'user' },
      ...over,
    });
    const good = (host: string, id: string, ts: number, value: number) => ({
      key: host,
      value: framed(goodId, sampleSchema, sample(host, id, ts, value)),
    });
    const poison = {
      longs: framed(
        poisonId,
        longAttributes,
        sample(hostA, 'poison', base + 3000, 1, { attributes: { n: 5 } }),
      ),
      extra: framed(extraId, extraField, sample(hostA, 'extra', base + 3500, 1, { extra: 'x' })),
      host: framed(
        goodId,
        sampleSchema,
        sample('h'.repeat(200 * 1024), 'big-host', base + 4000, 1, { event_id: `${hostA}:1:big-host` }),
      ),
      metric: framed(
        goodId,
        sampleSchema,
        sample(hostA, 'big-metric', base + 4500, 1, { metric: 'm'.repeat(600 * 1024) }),
      ),
    };
    const send = (messages: { key: string; value: Buffer }[]) =>
      producer.send({ topic: metricsTopic, acks: -1, messages });
    await send([1, 2, 3, 4, 5].map((v) => good(hostB, String(v), base + v * 1000, v)));
    await send([1, 2, 3].map((v) => good(hostA, String(v), base + v * 1000, v)));
    for (const value of Object.values(poison)) await send([{ key: hostA, value }]); // the 600 KB one alone
    await send([4, 5, 6].map((v) => good(hostA, String(v), base + v * 1000, v)));
    await send([good(hostA, 'next', base + 25_000, 1), good(hostB, 'next', base + 25_000, 1)]);

    const query = async <T>(sql: string) =>
      (await (await instance.clickhouse.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
    const windows = await waitFor('both hosts’ first windows closed', async () => {
      const rows = await query<{ host: string; count: number; sum: number }>(
        `SELECT host, count, sum FROM ${db}.metrics_10s
         WHERE host IN ('${hostA}', '${hostB}') AND toUnixTimestamp(window_start) = ${base / 1000} ORDER BY host`,
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(windows).toEqual([
      { host: hostA, count: 6, sum: 21 },
      { host: hostB, count: 5, sum: 15 },
    ]);
    const stored = await waitFor('host A’s raw samples', async () => {
      const rows = await query<{ event_id: string }>(
        `SELECT event_id FROM ${db}.metrics WHERE host = '${hostA}' ORDER BY ts`, // raw rows, no FINAL
      );
      return rows.length >= 7 ? rows : undefined;
    });
    expect(stored.map((r) => r.event_id.split(':')[2])).toEqual(['1', '2', '3', '4', '5', '6', 'next']);
    const oversize = await query<{ n: string }>(
      `SELECT count() AS n FROM ${db}.metrics WHERE length(host) > 253 OR length(metric) > 255`,
    );
    expect(Number(oversize[0]!.n)).toBe(0);

    const reader = createAvroSerde(confluentRegistry(registryUrl));
    const letters: DeadLetter[] = [];
    const aggregates: MetricAggregate[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('poison-reader'), maxBytes: 8 << 20 });
    await consumer.connect();
    await consumer.subscribe({
      topics: [`${prefix}tidewatch.dlq.v1`, `${prefix}tidewatch.aggregates.v1`],
      fromBeginning: true,
    });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await reader.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) {
          if (batch.topic.endsWith('dlq.v1')) letters.push(reader.decode<DeadLetter>(m.value));
          else aggregates.push(reader.decode<MetricAggregate>(m.value));
        }
      },
    });
    try {
      await waitFor(
        'four dead letters and both hosts’ aggregates',
        () => letters.length >= 4 && aggregates.length >= 2,
      );
    } finally {
      await consumer.disconnect();
    }
    const letterOf = (bytes: Buffer) => letters.find((l) => l.original_value?.equals(bytes));
    expect(letters).toHaveLength(4);
    expect(letterOf(poison.longs)).toMatchObject({
      error_code: 'TW_ERR_FOREIGN_SCHEMA',
      reason: `schema id ${poisonId} is registered under "${foreignSubject}", not under ${subject}`,
      source_topic: metricsTopic,
    });
    expect(letterOf(poison.extra)).toMatchObject({
      error_code: 'TW_ERR_FOREIGN_SCHEMA',
      reason: `schema id ${extraId} is registered under "${foreignSubject}", not under ${subject}`,
    });
    expect(letterOf(poison.host)).toMatchObject({
      error_code: 'TW_ERR_OVERSIZE_FIELD',
      reason: expect.stringMatching(/^host "h{40}…" is 204800 bytes, longer than the 253-byte limit$/),
    });
    expect(letterOf(poison.metric)).toMatchObject({
      error_code: 'TW_ERR_OVERSIZE_FIELD',
      reason: expect.stringMatching(/^metric "m{40}…" is 614400 bytes, longer than the 200-byte limit$/),
    });
    expect(
      aggregates
        .filter((a) => a.window_start === base)
        .map((a) => [a.host, a.count])
        .sort(),
    ).toEqual([
      [hostA, 6],
      [hostB, 5],
    ]);
    const dropped = (await instance.metrics.eventsDropped.get()).values;
    expect(Object.fromEntries(dropped.map((v) => [v.labels.reason, v.value]))).toEqual({
      TW_ERR_FOREIGN_SCHEMA: 2,
      TW_ERR_OVERSIZE_FIELD: 2,
    });
  });

  it('passes a compressed batch that inflates past its bound: one dead letter, the partition flows on', async () => {
    const goodId = await registerUnder(subject, sampleSchema);
    const hostC = uniqueName('good-c');
    const base = Math.floor((Date.now() - 60_000) / 10_000) * 10_000;
    const good = (id: string, ts: number) => ({
      key: hostC,
      value: framed(goodId, sampleSchema, {
        event_id: `${hostC}:1:${id}`,
        host: hostC,
        ts,
        metric: 'system.cpu.utilization',
        value: 1,
        unit: '1',
        attributes: {},
      }),
    });
    // A batch the broker takes (about 300 KB compressed, its record valid) that inflates to 65 MiB:
    // kafkajs would hold it whole, and fail the fetch, and the partition, again at every retry.
    const bomb = { key: hostC, value: Buffer.alloc(65 * 1024 * 1024) };
    const send = (messages: { key: string; value: Buffer }[], compression = CompressionTypes.None) =>
      producer.send({ topic: metricsTopic, acks: -1, compression, messages });
    await send([good('1', base + 1000)]);
    const [sent] = await send([bomb], CompressionTypes.GZIP);
    await send([good('2', base + 2000)]);

    const stored = await waitFor('host C’s samples on both sides of the batch', async () => {
      const rs = await instance.clickhouse.query({
        query: `SELECT event_id FROM ${db}.metrics WHERE host = {host:String} ORDER BY ts`, // raw rows, no FINAL
        query_params: { host: hostC },
        format: 'JSONEachRow',
      });
      const rows = await rs.json<{ event_id: string }>();
      return rows.length >= 2 ? rows : undefined;
    });
    expect(stored.map((r) => r.event_id.split(':')[2])).toEqual(['1', '2']);

    const reader = createAvroSerde(confluentRegistry(registryUrl));
    const letters: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('bomb-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${prefix}tidewatch.dlq.v1`], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await reader.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) letters.push(reader.decode<DeadLetter>(m.value));
      },
    });
    let letter: DeadLetter | undefined;
    try {
      letter = await waitFor('the batch’s dead letter', () =>
        letters.find((l) => l.error_code === 'TW_ERR_UNREADABLE_BATCH'),
      );
    } finally {
      await consumer.disconnect();
    }
    const offset = sent!.baseOffset!;
    expect(letter).toMatchObject({
      source_topic: metricsTopic,
      source_partition: sent!.partition,
      source_offset: offset,
      original_value: null,
      reason: expect.stringMatching(
        new RegExp(`^record batch at offsets ${offset}–${offset} cannot be read: .*larger than`),
      ),
    });
    const dropped = (await instance.metrics.eventsDropped.get()).values;
    expect(dropped.find((v) => v.labels.reason === 'TW_ERR_UNREADABLE_BATCH')?.value).toBe(1);
  });
});
