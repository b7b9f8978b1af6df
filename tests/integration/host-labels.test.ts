import fs from 'node:fs';
import avro from 'avsc';
import { logLevel } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, ensureTopics, topicNames } from '../../core/kafka';
import { createLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde, frame } from '../../core/serde';
import { loadSchema } from '../../schemas';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

/** metric-sample.avsc as it was before host labels: what older agents still send. */
const withoutLabels = () => {
  const schema = structuredClone(loadSchema('metric-sample')) as { fields: { name: string }[] };
  schema.fields = schema.fields.filter((f) => f.name !== 'labels');
  return schema;
};

describe('host labels: agent → Kafka → ClickHouse → /api/hosts', () => {
  const host = uniqueName('labelled');
  const oldHost = uniqueName('older-agent');
  const config = testConfig('labels', {
    TIDEWATCH_AGENT_HOST: host,
    TIDEWATCH_AGENT_INTERVAL_MS: '1000',
    TIDEWATCH_AGENT_LABELS: 'env=test,region=eu-1',
  });
  const db = config.clickhouse.database;
  let instance: Instance;

  beforeAll(async () => {
    // An older agent was here first: its schema (no labels) is the subject's first version, and
    // one of its samples waits on the topic.
    const { brokers, registryUrl } = testEndpoints();
    const topic = topicNames(config.kafka.topicPrefix).metrics;
    // Through createKafka, as every client: the kafkajs patches go in before its first request.
    const kafka = createKafka(brokers, 'labels-test', createLogger('error', process.stderr), {
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topic], config.kafka.partitions);
    await admin.disconnect();
    const old = withoutLabels();
    const oldId = await createAvroSerde(confluentRegistry(registryUrl)).register(topic, old);
    const body = avro.Type.forSchema(old as avro.Schema).toBuffer({
      event_id: `${oldHost}:1:1`,
      host: oldHost,
      ts: Date.now(),
      metric: 'system.cpu.utilization',
      value: 0.25,
      unit: '1',
      attributes: {},
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: oldHost, value: frame(oldId, body) }] });
    await producer.disconnect();
    // Start-up registers the schema with labels over it: the subject is BACKWARD, so this fails
    // if the new field broke compatibility.
    instance = await startInstance(config, createLogger('warn', process.stderr));
  });

  afterAll(async () => {
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  const query = async <T>(sql: string, params: Record<string, unknown> = {}) =>
    (await instance.clickhouse.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<T>();

  const api = async (path: string) => {
    const res = await fetch(`${instance.url}${path}`, {
      headers: { authorization: `Bearer ${instance.token}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('stores every sample with its host labels, and samples of the older schema with none', async () => {
    const labelled = await waitFor('a labelled sample in metrics', async () => {
      const rows = await query<{ labels: Record<string, string> }>(
        `SELECT labels FROM ${db}.metrics WHERE host = {host:String} AND metric = 'system.cpu.utilization' LIMIT 1`,
        { host },
      );
      return rows[0];
    });
    expect(labelled.labels).toEqual({ env: 'test', region: 'eu-1' });
    const old = await waitFor('the older agent’s sample in metrics', async () => {
      const rows = await query<{ labels: Record<string, string>; value: number }>(
        `SELECT labels, value FROM ${db}.metrics WHERE host = {host:String}`,
        { host: oldHost },
      );
      return rows[0];
    });
    expect(old).toEqual({ labels: {}, value: 0.25 });
  });

  it('filters /api/hosts by label, and refuses a malformed filter with a reason', async () => {
    const all = await waitFor('both hosts in /api/hosts, the labelled one with its labels', async () => {
      const { body } = await api('/api/hosts');
      const hosts = body.hosts as { host: string; labels: Record<string, string> }[];
      const mine = hosts.find((h) => h.host === host);
      return mine?.labels.env === 'test' && hosts.some((h) => h.host === oldHost) ? hosts : undefined;
    });
    expect(all.find((h) => h.host === oldHost)!.labels).toEqual({});

    const names = async (path: string) => {
      const r = await api(path);
      expect(r.status).toBe(200);
      return (r.body.hosts as { host: string }[]).map((h) => h.host);
    };
    expect(await names('/api/hosts?label=env:test')).toEqual([host]);
    expect(await names('/api/hosts?label=env:test&label=region:eu-1')).toEqual([host]);
    expect(await names('/api/hosts?label=env:test&label=region:us-2')).toEqual([]);
    expect(await names(`/api/hosts?label=${encodeURIComponent("env:x' OR 1=1 --")}`)).toEqual([]);

    for (const bad of ['env', 'env:', `${'k'.repeat(64)}:v`, 'bad name:x', `env:${'v'.repeat(129)}`]) {
      const r = await api(`/api/hosts?label=${encodeURIComponent(bad)}`);
      expect(r.status).toBe(400);
      expect((r.body.error as { code: string }).code).toBe('TW_ERR_BAD_REQUEST');
    }
    const many = Array.from({ length: 17 }, (_, i) => `label=k${i}:v`).join('&');
    expect((await api(`/api/hosts?${many}`)).status).toBe(400);
  });
});
