/**
 * One error base for the whole product. Every error that crosses a component boundary is a
 * TidewatchError with a stable `TW_ERR_*` code (listed in docs/errors.md, kept honest by a test)
 * and a `retriable` flag that the shared retry helper reads.
 */
export const ERROR_CODES = {
  TW_ERR_CONFIG: 'A setting is missing or invalid; the message names the setting and what is allowed.',
  TW_ERR_STACK_PREREQ: 'Java 17+ or Maven is missing, so the local stack cannot start.',
  TW_ERR_STACK_PORT_TAKEN: 'A port the local stack needs is already in use by another process.',
  TW_ERR_STACK_DOWNLOAD: 'Downloading Kafka or the schema registry from Maven Central failed.',
  TW_ERR_STACK_START: 'Kafka or the schema registry did not become healthy in time.',
  TW_ERR_BAD_MAGIC: 'A record does not start with the Confluent wire-format magic byte 0.',
  TW_ERR_UNKNOWN_SCHEMA: 'A record names a schema id that the schema registry does not know.',
  TW_ERR_AVRO_DECODE: 'A record body is not valid Avro for the schema it names (truncated or corrupt).',
  TW_ERR_UNREADABLE_BATCH:
    'A whole Kafka record batch could not be read (a codec Tidewatch does not read, gzip corrupt or past 64 MiB inflated, records that do not parse); one dead letter stands for it and the consumer goes past it.',
  TW_ERR_FOREIGN_SCHEMA:
    'A record names a schema id that is not registered under its topic’s subject (<topic>-value).',
  TW_ERR_SCHEMA_MISMATCH: 'A record’s writer schema cannot be resolved to the schema the processor reads.',
  TW_ERR_INVALID_VALUE: 'A sample value is NaN, infinite or not a number.',
  TW_ERR_INVALID_TIMESTAMP: 'A sample event time is before 2000 or too far in the future.',
  TW_ERR_OVERSIZE_ATTRIBUTES: 'A sample has too many attributes, or one that is too long.',
  TW_ERR_OVERSIZE_FIELD: 'A sample’s host, metric, unit or event id is longer than its limit.',
  TW_ERR_INVALID_FIELD:
    'A sample field does not have the type it must have (e.g. a number where a string is expected).',
  TW_ERR_CARDINALITY_CAP: 'A host passed its cap on distinct series, or too many hosts are tracked.',
  TW_ERR_REGISTRY_UNAVAILABLE: 'The schema registry could not be reached.',
  TW_ERR_KAFKA_AUTH_FAILED:
    'Kafka refused the configured SASL credentials or mechanism (kafka.sasl); start-up stops instead of retrying.',
  TW_ERR_REGISTRY_AUTH_FAILED:
    'The schema registry answered 401/403 to the configured credentials (registry.username/password).',
  TW_ERR_TLS_UNTRUSTED:
    'A server’s TLS certificate did not verify against the configured CA (or the system CAs): untrusted, expired or for another name.',
  TW_ERR_KAFKAJS_PATCH:
    'The installed kafkajs is not the exact version (or code) Tidewatch’s kafkajs patches were written for; start-up stops.',
  TW_ERR_TOPIC_SETUP:
    'Creating a topic failed, e.g. a replication factor larger than the cluster has brokers.',
  TW_ERR_SCHEMA_INCOMPATIBLE:
    'The registry refused a new schema version: it is not BACKWARD-compatible with the subject’s latest.',
  TW_ERR_SINK_WRITE: 'A sink (ClickHouse, Kafka) failed to write a batch.',
  TW_ERR_RECORD_TOO_LARGE:
    'A record is larger than its Kafka topic accepts (max.message.bytes less headroom); it is dead-lettered, or, a dead letter, cut to fit.',
  TW_ERR_AVRO_ENCODE: 'A record could not be encoded as Avro for its topic’s schema; it is dead-lettered.',
  TW_ERR_RECORD_REJECTED: 'The broker refused a record for good (e.g. INVALID_RECORD); it is dead-lettered.',
  TW_ERR_SINK_REJECTED: 'A sink refused a batch for good (a permanent error); its records are dead-lettered.',
  TW_ERR_DEAD_LETTER_LOST:
    'A dead letter could not be written to the dead-letter topic even cut down; counted and logged.',
  TW_ERR_BREAKER_OPEN:
    'A sink’s circuit breaker is open after repeated failures; writes wait for its next trial.',
  TW_ERR_CLICKHOUSE_QUERY: 'ClickHouse rejected a query; the message carries ClickHouse’s own code.',
  TW_ERR_CLICKHOUSE_SCHEMA:
    'The ClickHouse schema cannot be used: tables missing under manageSchema: false, or clickhouse.cluster unknown or sharded.',
  TW_ERR_SQL_NOT_READONLY: 'The SQL interface refused a statement that is not a single read-only query.',
  TW_ERR_SQL_CONSOLE_BUSY:
    'The SQL console has as many queries running and waiting as it takes; retry after Retry-After seconds.',
  TW_ERR_NO_INSTANCE: 'The command needs a running Tidewatch instance and none was found.',
  TW_ERR_RATE_LIMITED:
    'A client sent more API requests per minute than the gateway allows it; retry after Retry-After seconds.',
  TW_ERR_CROSS_ORIGIN:
    'A cookie-authenticated request that changes or returns data came from another origin or was not JSON.',
  TW_ERR_AUTH: 'A request did not carry a valid token, or came from an origin that is not allowed.',
  TW_ERR_BAD_REQUEST: 'A request to the gateway was malformed.',
  TW_ERR_INTERNAL: 'The gateway failed to answer a well-formed request; the log has the cause.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface TidewatchErrorOptions {
  retriable?: boolean;
  cause?: unknown;
}

export class TidewatchError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: TidewatchErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export class ConfigError extends TidewatchError {
  constructor(message: string) {
    super('TW_ERR_CONFIG', message);
  }
}

export class DecodeError extends TidewatchError {
  constructor(
    code:
      | 'TW_ERR_BAD_MAGIC'
      | 'TW_ERR_UNKNOWN_SCHEMA'
      | 'TW_ERR_AVRO_DECODE'
      | 'TW_ERR_FOREIGN_SCHEMA'
      | 'TW_ERR_SCHEMA_MISMATCH',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { cause });
  }
}

export class SinkWriteError extends TidewatchError {
  constructor(message: string, options: TidewatchErrorOptions = {}) {
    super('TW_ERR_SINK_WRITE', message, { retriable: true, ...options });
  }
}

export class StackError extends TidewatchError {}

/** The message of anything thrown, for logs and error replies. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
