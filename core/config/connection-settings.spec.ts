import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from './load';
import { configSchema } from './schema';
import { isSecretSetting } from './secret-setting';

const OWN = { KAFKA_BROKERS: 'k1:9093,k2:9093', SCHEMA_REGISTRY_URL: 'https://registry.example:8081' };

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('did not throw');
};

describe('connection settings (TLS, SASL, registry auth, ClickHouse TLS, topics)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-conn-'));
    fs.writeFileSync(path.join(dir, 'kafka-pw'), 'kafka-secret-123\n');
    fs.writeFileSync(path.join(dir, 'registry-pw'), 'registry-secret-456');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads TLS, SASL and registry auth from the environment, passwords from *_FILE', () => {
    const config = loadConfig({
      cwd: dir,
      env: {
        ...OWN,
        TIDEWATCH_KAFKA_TLS_CA: '/etc/ca.pem',
        TIDEWATCH_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        TIDEWATCH_KAFKA_SASL_USERNAME: 'tidewatch',
        TIDEWATCH_KAFKA_SASL_PASSWORD_FILE: 'kafka-pw',
        SCHEMA_REGISTRY_USER: 'reader',
        SCHEMA_REGISTRY_PASSWORD_FILE: path.join(dir, 'registry-pw'),
        SCHEMA_REGISTRY_TLS_CA: '/etc/ca.pem',
        CLICKHOUSE_URL: 'https://ch.example:8443',
        CLICKHOUSE_TLS_CA: '/etc/ch-ca.pem',
        TIDEWATCH_REPLICATION_FACTOR: '3',
      },
    });
    expect(config.kafka.tls).toEqual({ enabled: true, ca: '/etc/ca.pem' });
    expect(config.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'tidewatch',
      password: 'kafka-secret-123',
    });
    expect(config.registry).toMatchObject({
      username: 'reader',
      password: 'registry-secret-456',
      tls: { ca: '/etc/ca.pem' },
    });
    expect(config.clickhouse.tls).toEqual({ enabled: true, ca: '/etc/ch-ca.pem' });
    expect(config.kafka.replicationFactor).toBe(3);
    expect(config.kafka.topics).toEqual({});
  });

  it('takes per-topic settings from the config file', () => {
    const config = loadConfig({
      env: OWN,
      overrides: {
        kafka: {
          topics: {
            metrics: { partitions: 12, config: { 'retention.ms': '86400000', 'min.insync.replicas': '2' } },
          },
        },
      },
    });
    expect(config.kafka.topics.metrics).toEqual({
      partitions: 12,
      config: { 'retention.ms': '86400000', 'min.insync.replicas': '2' },
    });
    expect(
      messageOf(() => loadConfig({ env: OWN, overrides: { kafka: { topics: { metric: {} } } } })),
    ).toMatch(/kafka\.topics/);
  });

  it('marks the passwords secret and never echoes one in an error', () => {
    for (const p of ['kafka.sasl.password', 'registry.password', 'clickhouse.password'])
      expect(isSecretSetting(configSchema, p.split('.'))).toBe(true);
    const message = messageOf(() =>
      loadConfig({
        env: {
          ...OWN,
          TIDEWATCH_KAFKA_SASL_MECHANISM: 'gssapi',
          TIDEWATCH_KAFKA_SASL_USERNAME: 'u',
          TIDEWATCH_KAFKA_SASL_PASSWORD: 'pw-in-env-789',
        },
        overrides: { kafka: { sasl: { password: 42 } } },
      }),
    );
    expect(message).toMatch(/kafka\.sasl\.mechanism/);
    expect(message).toMatch(/kafka\.sasl\.password/);
    expect(message).not.toContain('pw-in-env-789');
  });

  it('refuses TLS or SASL without your own brokers, half a registry login, and ClickHouse TLS over http', () => {
    expect(messageOf(() => loadConfig({ env: { TIDEWATCH_KAFKA_TLS: 'true' } }))).toMatch(
      /kafka\.tls.*KAFKA_BROKERS/s,
    );
    expect(messageOf(() => loadConfig({ env: { ...OWN, SCHEMA_REGISTRY_USER: 'u' } }))).toMatch(
      /registry.*both username and password/s,
    );
    expect(
      messageOf(() =>
        loadConfig({ env: { ...OWN, CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_TLS_CA: '/ca.pem' } }),
      ),
    ).toMatch(/clickhouse\.tls.*https/s);
    expect(messageOf(() => loadConfig({ env: { ...OWN, TIDEWATCH_KAFKA_TLS_CERT: '/c.pem' } }))).toMatch(
      /both cert and key/,
    );
  });
});
