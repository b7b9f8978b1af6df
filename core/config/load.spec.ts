import { ConfigError } from '../errors';
import { loadConfig } from './load';

describe('loadConfig', () => {
  it('fills every default and puts state under ./.tidewatch', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/app' });
    expect(config.dataDir).toBe('/srv/app/.tidewatch');
    expect(config.gateway.port).toBe(7878);
    expect(config.kafka.partitions).toBe(6);
    expect(config.kafka.brokers).toBeUndefined();
    expect(config.clickhouse.database).toBe('tidewatch');
    expect(config.processor).toMatchObject({
      windowsMs: [10_000, 60_000],
      allowedLatenessMs: 5000,
      groupId: 'tidewatch-processor',
    });
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
});
