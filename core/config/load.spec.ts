import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';
import { ENV_SETTINGS } from './env';
import { loadConfig } from './load';
import { configSchema } from './schema';
import { isSecretSetting } from './secret-setting';

const SECRETS = { TIDEWATCH_TOKEN: 'tok-0123456789abcdef-secret', CLICKHOUSE_PASSWORD: 'pw-hunter2-secret' };

const messageOf = (load: () => unknown): string => {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('fills every default and puts state under ./.tidewatch', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/app' });
    expect(config.dataDir).toBe('/srv/app/.tidewatch');
    expect(config.gateway.port).toBe(7878);
    expect(config.kafka.partitions).toBe(6);
    expect(config.kafka.brokers).toBeUndefined();
    expect(config.clickhouse.database).toBe('tidewatch');
    expect(config.processor).toMatchObject({
      windowsMs: [60_000],
      allowedLatenessMs: 5000,
      groupId: 'tidewatch-processor',
    });
  });

  it('takes a ClickHouse cluster and a DBA-managed schema from the environment, the cluster only with a server', () => {
    const config = loadConfig({
      env: { CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'tw', CLICKHOUSE_MANAGE_SCHEMA: 'false' },
    });
    expect(config.clickhouse).toMatchObject({ cluster: 'tw', manageSchema: false });
    expect(loadConfig({ env: {} }).clickhouse.manageSchema).toBe(true);
    expect(messageOf(() => loadConfig({ env: { CLICKHOUSE_CLUSTER: 'tw' } }))).toMatch(
      /clickhouse\.cluster.*CLICKHOUSE_CLUSTER[\s\S]*applies to a ClickHouse server/,
    );
    expect(
      messageOf(() =>
        loadConfig({ env: { CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_CLUSTER: 'a-b; DROP' } }),
      ),
    ).toMatch(/clickhouse\.cluster/);
  });

  it('validates processor settings from a config file', () => {
    expect(() => loadConfig({ env: {}, overrides: { processor: { windowsMs: [] } } })).toThrow(
      /processor\.windowsMs/,
    );
    expect(
      loadConfig({ env: {}, overrides: { processor: { windowsMs: [30_000] } } }).processor.idleTimeoutMs,
    ).toBe(30_000);
    expect(() => loadConfig({ env: {}, overrides: { processor: { heapGrowthPercent: -1 } } })).toThrow(
      /processor\.heapGrowthPercent/,
    );
  });

  it('reads the environment table', () => {
    const config = loadConfig({
      env: {
        KAFKA_BROKERS: 'a:9092, b:9092',
        SCHEMA_REGISTRY_URL: 'http://r:8081',
        TIDEWATCH_GATEWAY_PORT: '0',
        TIDEWATCH_DATA_DIR: 'state',
      },
      cwd: '/x',
    });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9092']);
    expect(config.gateway.port).toBe(0);
    expect(config.dataDir).toBe('/x/state');
  });

  it('names the setting, its variable and the bad value', () => {
    expect(() => loadConfig({ env: { TIDEWATCH_GATEWAY_PORT: 'eighty' } })).toThrow(
      /gateway\.port \(env TIDEWATCH_GATEWAY_PORT\): .*got "eighty"/,
    );
    expect(() => loadConfig({ env: { TIDEWATCH_GATEWAY_PORT: '70000' } })).toThrow(ConfigError);
  });

  it('never echoes a secret back', () => {
    let message = '';
    try {
      loadConfig({ env: { TIDEWATCH_TOKEN: 'short-secret' } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/gateway\.token/);
    expect(message).not.toContain('short-secret');
  });

  it('wants Kafka and the registry both configured or both local', () => {
    expect(() => loadConfig({ env: { KAFKA_BROKERS: 'k:9092' } })).toThrow(/SCHEMA_REGISTRY_URL/);
  });

  it('checks anomaly rules and score thresholds at start-up, saying what to fix', () => {
    const rules = [
      'system.cpu.utilization > 0.9 for 2m',
      { rule: 'system.filesystem.utilization >= 0.95', host: 'db-*' },
    ];
    expect(loadConfig({ env: {}, overrides: { detect: { rules } } }).detect.rules).toHaveLength(2);
    expect(() => loadConfig({ env: {}, overrides: { detect: { rules: ['cpu is high'] } } })).toThrow(
      /detect\.rules\.0.*not of the form "<metric> <op> <number>/s,
    );
    expect(() => loadConfig({ env: {}, overrides: { detect: { openScore: 0.2, closeScore: 0.3 } } })).toThrow(
      /closeScore < openScore <= criticalScore/,
    );
  });

  it('refuses unknown keys from a config file', () => {
    expect(() => loadConfig({ env: {}, overrides: { gateway: { prot: 1 } } })).toThrow(/prot/);
  });

  it('says when the config file is missing', () => {
    expect(() => loadConfig({ env: { TIDEWATCH_CONFIG: '/nonexistent/tidewatch.json' } })).toThrow(
      /Cannot read config file/,
    );
  });

  it('names a misspelled key and its closest match, and never dumps the merged config', () => {
    const message = messageOf(() =>
      loadConfig({
        env: SECRETS,
        cwd: '/srv/app-dir',
        overrides: { gatway: { port: 1 }, clickhouse: { pasword: 'x-in-file' } },
      }),
    );
    expect(message).toMatch(/\(top level\): unknown key "gatway" \(did you mean "gateway"\?\)/);
    expect(message).toMatch(/clickhouse: unknown key "pasword" \(did you mean "password"\?\)/);
    for (const value of [...Object.values(SECRETS), 'x-in-file']) expect(message).not.toContain(value);
    expect(message).not.toContain('/srv/app-dir');
  });

  it('never echoes a secret inside a section that fails as a whole', () => {
    const message = messageOf(() =>
      loadConfig({
        env: { ...SECRETS, CLICKHOUSE_URL: 'http://user:url-secret@ch:8123' },
        overrides: { registry: { url: 'not a url :secret@' } },
      }),
    );
    expect(message).toMatch(/registry/);
    for (const value of [...Object.values(SECRETS), 'url-secret', ':secret@'])
      expect(message).not.toContain(value);
  });

  it('does not quote a broken config file back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-config-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"gateway": {"token": file-secret-0123456789}}');
    try {
      const message = messageOf(() => loadConfig({ env: {}, file }));
      expect(message).toMatch(/bad\.json is not a JSON object/);
      expect(message).not.toContain('file-secret');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('marks every secret variable secret in the schema too (one list)', () => {
    for (const setting of ENV_SETTINGS.filter((s) => s.secret))
      expect([setting.path, isSecretSetting(configSchema, setting.path.split('.'))]).toEqual([
        setting.path,
        true,
      ]);
    expect(isSecretSetting(configSchema, ['gateway', 'port'])).toBe(false);
  });
});
