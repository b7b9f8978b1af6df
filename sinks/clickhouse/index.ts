export { createClickHouse, embeddedConnection, clientOver } from './client';
export { rowCount } from './row-run';
export type { ClickHouseClient, ClickHouseTarget, Connection } from './client';
export { migrate, MIGRATIONS, PROMOTED_ATTRIBUTES, ddlFor, checkSchema, REQUIRED_TABLES } from './migrations';
export type { Migration, Ddl, MigrationLockOptions } from './migrations';
export { prepareSchema } from './prepare-schema';
export type { SchemaSettings } from './prepare-schema';
export { clickhouseMetricsSink, clickhouseMetricsStore } from './metrics-writer';
export { runReadOnlyQuery, DEFAULT_LIMITS } from './read-only-query';
export { attachSqlConsole, sqlConsoleOf } from './sql-console';
export type { SqlConsole } from './sql-console';
export { embeddedSqlConsole } from './embedded-sql-console';
export { ConsoleBusyError } from './console-busy-error';
export { DEFAULT_CONSOLE_LIMITS, sandboxStatements } from './console-sandbox';
export type { ConsoleLimits } from './console-sandbox';
export type { QueryResult, QueryLimits } from './read-only-query';
export { clickhouseAggregatesSink } from './aggregates-writer';
export { windowLabel } from './window-label';
export { clickhouseAnomaliesSink } from './anomalies-writer';
export {
  saveDetectorStates,
  saveEncodedStates,
  encodeDetectorStates,
  loadDetectorStates,
} from './detector-state';
export type { DetectorStateRow, EncodedStates } from './detector-state';
export { applyRetention, ttlDays } from './retention';
export type { Retention } from './retention';
export { clickhouseProcessesSink } from './processes-writer';
export { keepMantissaBits } from './value-precision';
export { hourSealer } from './hour-sealer';
export { sealHours, planRanges } from './seal-hours';
export { DEFAULT_SEALING } from './sealing-settings';
export type { SealLimits, SealPass, HostHour, KeyCount, KeyRange, SealQuery } from './seal-hours';
