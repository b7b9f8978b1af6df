/**
 * The environment variables Tidewatch reads, each mapped to one setting. This table is the only
 * place that knows variable names; the CLI entry passes `process.env` in, nothing else reads it.
 */
export type EnvKind = 'string' | 'int' | 'bool' | 'list';

export interface EnvSetting {
  name: string;
  path: string;
  kind: EnvKind;
  secret?: boolean;
}

export const ENV_SETTINGS: readonly EnvSetting[] = [
  { name: 'TIDEWATCH_DATA_DIR', path: 'dataDir', kind: 'string' },
  { name: 'TIDEWATCH_CACHE_DIR', path: 'cacheDir', kind: 'string' },
  { name: 'TIDEWATCH_LOG_LEVEL', path: 'logLevel', kind: 'string' },
  { name: 'TIDEWATCH_LOG_FORMAT', path: 'logFormat', kind: 'string' },
  { name: 'KAFKA_BROKERS', path: 'kafka.brokers', kind: 'list' },
  { name: 'TIDEWATCH_PARTITIONS', path: 'kafka.partitions', kind: 'int' },
  { name: 'TIDEWATCH_TOPIC_PREFIX', path: 'kafka.topicPrefix', kind: 'string' },
  { name: 'TIDEWATCH_REPLICATION_FACTOR', path: 'kafka.replicationFactor', kind: 'int' },
  { name: 'TIDEWATCH_ALTER_TOPICS', path: 'kafka.alterTopics', kind: 'bool' },
  { name: 'TIDEWATCH_KAFKA_TLS', path: 'kafka.tls.enabled', kind: 'bool' },
  { name: 'TIDEWATCH_KAFKA_TLS_CA', path: 'kafka.tls.ca', kind: 'string' },
  { name: 'TIDEWATCH_KAFKA_TLS_CERT', path: 'kafka.tls.cert', kind: 'string' },
  { name: 'TIDEWATCH_KAFKA_TLS_KEY', path: 'kafka.tls.key', kind: 'string' },
  { name: 'TIDEWATCH_KAFKA_SASL_MECHANISM', path: 'kafka.sasl.mechanism', kind: 'string' },
  { name: 'TIDEWATCH_KAFKA_SASL_USERNAME', path: 'kafka.sasl.username', kind: 'string' },
  { name: 'TIDEWATCH_KAFKA_SASL_PASSWORD', path: 'kafka.sasl.password', kind: 'string', secret: true },
  { name: 'SCHEMA_REGISTRY_URL', path: 'registry.url', kind: 'string', secret: true },
  { name: 'SCHEMA_REGISTRY_USER', path: 'registry.username', kind: 'string' },
  { name: 'SCHEMA_REGISTRY_PASSWORD', path: 'registry.password', kind: 'string', secret: true },
  { name: 'SCHEMA_REGISTRY_TLS_CA', path: 'registry.tls.ca', kind: 'string' },
  { name: 'CLICKHOUSE_URL', path: 'clickhouse.url', kind: 'string', secret: true },
  { name: 'CLICKHOUSE_USER', path: 'clickhouse.username', kind: 'string' },
  { name: 'CLICKHOUSE_PASSWORD', path: 'clickhouse.password', kind: 'string', secret: true },
  { name: 'CLICKHOUSE_CLUSTER', path: 'clickhouse.cluster', kind: 'string' },
  { name: 'CLICKHOUSE_MANAGE_SCHEMA', path: 'clickhouse.manageSchema', kind: 'bool' },
  { name: 'CLICKHOUSE_DATABASE', path: 'clickhouse.database', kind: 'string' },
  { name: 'CLICKHOUSE_TLS_CA', path: 'clickhouse.tls.ca', kind: 'string' },
  { name: 'CLICKHOUSE_TLS_CERT', path: 'clickhouse.tls.cert', kind: 'string' },
  { name: 'CLICKHOUSE_TLS_KEY', path: 'clickhouse.tls.key', kind: 'string' },
  { name: 'TIDEWATCH_RETENTION_RAW_DAYS', path: 'clickhouse.retention.rawDays', kind: 'int' },
  { name: 'TIDEWATCH_VALUE_PRECISION_BITS', path: 'clickhouse.valuePrecisionBits', kind: 'int' },
  { name: 'TIDEWATCH_HOUR_SEAL_INTERVAL_MS', path: 'clickhouse.sealing.intervalMs', kind: 'int' },
  { name: 'TIDEWATCH_SQL_MAX_MEMORY_BYTES', path: 'clickhouse.console.maxMemoryBytes', kind: 'int' },
  { name: 'TIDEWATCH_KAFKA_PORT', path: 'stack.kafkaPort', kind: 'int' },
  { name: 'TIDEWATCH_CONTROLLER_PORT', path: 'stack.controllerPort', kind: 'int' },
  { name: 'TIDEWATCH_REGISTRY_PORT', path: 'stack.registryPort', kind: 'int' },
  { name: 'TIDEWATCH_PROCESSOR_GROUP', path: 'processor.groupId', kind: 'string' },
  { name: 'TIDEWATCH_AGENT_ENABLED', path: 'agent.enabled', kind: 'bool' },
  { name: 'TIDEWATCH_AGENT_HOST', path: 'agent.host', kind: 'string' },
  { name: 'TIDEWATCH_AGENT_INTERVAL_MS', path: 'agent.intervalMs', kind: 'int' },
  { name: 'TIDEWATCH_AGENT_LABELS', path: 'agent.labels', kind: 'string' },
  { name: 'TIDEWATCH_AGENT_PROC_ROOT', path: 'agent.procRoot', kind: 'string' },
  { name: 'TIDEWATCH_AGENT_HOST_ROOT', path: 'agent.hostRoot', kind: 'string' },
  { name: 'TIDEWATCH_AGENT_METRICS_PORT', path: 'agent.metricsPort', kind: 'int' },
  { name: 'TIDEWATCH_AGENT_SPOOL_DIR', path: 'agent.spool.dir', kind: 'string' },
  { name: 'TIDEWATCH_AGENT_SPOOL_MAX_BYTES', path: 'agent.spool.maxBytes', kind: 'int' },
  { name: 'TIDEWATCH_GATEWAY_HOST', path: 'gateway.host', kind: 'string' },
  { name: 'TIDEWATCH_GATEWAY_PORT', path: 'gateway.port', kind: 'int' },
  { name: 'TIDEWATCH_TOKEN', path: 'gateway.token', kind: 'string', secret: true },
  { name: 'TIDEWATCH_ALLOWED_ORIGINS', path: 'gateway.allowedOrigins', kind: 'list' },
];

/** Parses one variable's text; a value that does not parse is kept as text so validation names it. */
export function parseEnvValue(kind: EnvKind, raw: string): unknown {
  const text = raw.trim();
  switch (kind) {
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'bool':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return text;
  }
}
