import fs from 'node:fs';
import path from 'node:path';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { startInstance, type Instance } from '../../cli/instance';
import { TidewatchError } from '../../core/errors';
import { createKafka, ensureTopics, topicNames, type KafkaConnection } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { secureBroker, type SecureBroker } from '../helpers/secure-broker';
import { testConfig, testEndpoints } from '../helpers/test-stack';
import { tlsRegistryProxy, type TlsRegistryProxy } from '../helpers/tls-registry-proxy';
import { waitFor } from '../helpers/wait-for';

/** The error a start-up failed with (or a failure of the test if it started). */
async function startFailure(config: ReturnType<typeof testConfig>): Promise<TidewatchError> {
  let instance: Instance | undefined;
  try {
    instance = await startInstance(config, silentLogger);
  } catch (err) {
    expect(err).toBeInstanceOf(TidewatchError);
    return err as TidewatchError;
  } finally {
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
  throw new Error('start-up succeeded against a broker it must not trust or authenticate to');
}

describe('a SASL_SSL cluster (SCRAM-SHA-512 over TLS, a private CA) and a registry behind https and basic auth', () => {
  let broker: SecureBroker;
  let registry: TlsRegistryProxy;
  let passwordFile: string;
  let registryPasswordFile: string;
  const registryLogin = { username: 'tidewatch-registry', password: 'registry pw 31337' };
  const env = (extra: Record<string, string> = {}) => ({
    KAFKA_BROKERS: broker.brokers.join(','),
    SCHEMA_REGISTRY_URL: `${registry.origin}${new URL(testEndpoints().registryUrl).pathname}`,
    SCHEMA_REGISTRY_USER: registryLogin.username,
    SCHEMA_REGISTRY_PASSWORD_FILE: registryPasswordFile,
    SCHEMA_REGISTRY_TLS_CA: broker.caFile,
    TIDEWATCH_KAFKA_TLS_CA: broker.caFile,
    TIDEWATCH_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    TIDEWATCH_KAFKA_SASL_USERNAME: broker.username,
    TIDEWATCH_KAFKA_SASL_PASSWORD_FILE: passwordFile,
    ...extra,
  });

  beforeAll(async () => {
    broker = await secureBroker('secured');
    passwordFile = path.join(path.dirname(broker.caFile), 'sasl-password');
    fs.writeFileSync(passwordFile, `${broker.password}\n`, { mode: 0o600 });
    registryPasswordFile = path.join(path.dirname(broker.caFile), 'registry-password');
    fs.writeFileSync(registryPasswordFile, registryLogin.password, { mode: 0o600 });
    registry = await tlsRegistryProxy(
      new URL(testEndpoints().registryUrl).origin,
      { keyFile: broker.serverKeyFile, certFile: broker.serverCertFile },
      registryLogin,
    );
  }, 180_000);

  afterAll(async () => {
    await registry?.close();
    await broker?.remove();
  });

  it('runs the whole pipeline through it: the agent publishes, the processor stores in ClickHouse', async () => {
    const config = testConfig('secured', env({ TIDEWATCH_AGENT_INTERVAL_MS: '1000' }), {
      kafka: { topics: { metrics: { config: { 'retention.ms': '7200000' } } } },
    });
    const warnings: string[] = [];
    const logger = createLogger('warn', process.stderr);
    const instance = await startInstance(config, logger);
    const connection: KafkaConnection = { ...config.kafka, brokers: broker.brokers };
    const admin: Admin = createKafka(connection, 'secured-check', silentLogger).admin();
    try {
      const db = config.clickhouse.database;
      const rows = await waitFor(
        'agent samples stored in ClickHouse through the SASL_SSL broker',
        async () => {
          const rs = await instance.clickhouse.query({
            query: `SELECT count() AS n FROM ${db}.metrics WHERE host = {host:String}`,
            query_params: { host: config.agent.host },
            format: 'JSONEachRow',
          });
          const [row] = await rs.json<{ n: string }>();
          return Number(row?.n) > 0 && Number(row?.n);
        },
        90_000,
      );
      expect(rows).toBeGreaterThan(0);
      // Every schema registration and lookup went over https with the credentials.
      expect(registry.forwarded()).toBeGreaterThan(0);
      expect(registry.refused()).toBe(0);

      // Topics were created with the configured topic setting and the cluster's replication factor.
      await admin.connect();
      const topics = topicNames(config.kafka.topicPrefix);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.metrics, configNames: ['retention.ms'] }],
      });
      expect(described.resources[0]?.configEntries[0]?.configValue).toBe('7200000');
      const meta = await admin.fetchTopicMetadata({ topics: [topics.metrics] });
      expect(meta.topics[0]?.partitions).toHaveLength(2);

      // An existing topic that differs from its settings is reported, not changed.
      await ensureTopics(admin, [topics.metrics], 3, {
        topics: { [topics.metrics]: { config: { 'retention.ms': '3600000' } } },
        warn: (message) => warnings.push(message),
      });
      expect(warnings).toEqual([
        expect.stringMatching(new RegExp(`${topics.metrics} has 2 partitions, the settings ask for 3`)),
        `topic ${topics.metrics} has retention.ms=7200000, the settings ask for retention.ms=3600000`,
      ]);
      const again = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.metrics, configNames: ['retention.ms'] }],
      });
      expect(again.resources[0]?.configEntries[0]?.configValue).toBe('7200000');

      // With kafka.alterTopics the topic is brought to its settings, its other overrides kept.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topics.metrics,
            configEntries: [
              { name: 'retention.ms', value: '7200000' },
              { name: 'segment.ms', value: '600000' },
            ],
          },
        ],
      });
      const notices: string[] = [];
      await ensureTopics(admin, [topics.metrics], 3, {
        topics: { [topics.metrics]: { config: { 'retention.ms': '3600000' } } },
        alter: true,
        warn: (message) => warnings.push(message),
        notice: (message) => notices.push(message),
      });
      expect(notices).toEqual([
        `topic ${topics.metrics}: partitions 2 → 3`,
        `topic ${topics.metrics}: retention.ms 7200000 → 3600000`,
      ]);
      const altered = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topics.metrics,
            configNames: ['retention.ms', 'segment.ms'],
          },
        ],
      });
      expect(
        Object.fromEntries(altered.resources[0]!.configEntries.map((e) => [e.configName, e.configValue])),
      ).toEqual({ 'retention.ms': '3600000', 'segment.ms': '600000' });
      expect(
        (await admin.fetchTopicMetadata({ topics: [topics.metrics] })).topics[0]?.partitions,
      ).toHaveLength(3);
    } finally {
      await admin.disconnect();
      await instance.close();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('fails start-up at once on a wrong password, saying authentication failed', async () => {
    const wrong = path.join(path.dirname(broker.caFile), 'wrong-password');
    fs.writeFileSync(wrong, 'not-the-password-4711\n');
    const err = await startFailure(
      testConfig('secured-badpass', env({ TIDEWATCH_KAFKA_SASL_PASSWORD_FILE: wrong })),
    );
    expect(err.code).toBe('TW_ERR_KAFKA_AUTH_FAILED');
    expect(err.message).toMatch(/refused to authenticate SASL_SSL \(SCRAM-SHA-512 as tidewatch\)/);
    expect(err.message).not.toContain('not-the-password-4711');
  }, 60_000);

  it('fails start-up at once on a certificate signed by a CA it does not trust', async () => {
    const err = await startFailure(
      testConfig('secured-badca', env({ TIDEWATCH_KAFKA_TLS_CA: broker.otherCaFile })),
    );
    expect(err.code).toBe('TW_ERR_TLS_UNTRUSTED');
    expect(err.message).toMatch(/certificate is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/);
    expect(err.message).toContain(broker.otherCaFile);
    expect(err.message).not.toContain(broker.password);
  }, 60_000);

  it('fails start-up on refused registry credentials, and on a registry certificate it does not trust', async () => {
    const wrong = path.join(path.dirname(broker.caFile), 'wrong-registry-password');
    fs.writeFileSync(wrong, 'not-the-registry-pw-271\n');
    const auth = await startFailure(
      testConfig('secured-badreg', env({ SCHEMA_REGISTRY_PASSWORD_FILE: wrong })),
    );
    expect(auth.code).toBe('TW_ERR_REGISTRY_AUTH_FAILED');
    expect(auth.message).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(auth.message).not.toContain('not-the-registry-pw-271');
    const tls = await startFailure(
      testConfig('secured-regca', env({ SCHEMA_REGISTRY_TLS_CA: broker.otherCaFile })),
    );
    expect(tls.code).toBe('TW_ERR_TLS_UNTRUSTED');
    expect(tls.message).toMatch(/schema registry at https:.*certificate is not trusted/);
  }, 60_000);
});
