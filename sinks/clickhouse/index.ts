export { createClickHouse, embeddedConnection } from './client';
export type { ClickHouseClient, ClickHouseTarget, Connection } from './client';
export { migrate, MIGRATIONS } from './migrations';
export { clickhouseMetricsSink } from './metrics-writer';
export { runReadOnlyQuery, checkReadOnly, DEFAULT_LIMITS } from './read-only-query';
export type { QueryResult, QueryLimits } from './read-only-query';
export { clickhouseAggregatesSink } from './aggregates-writer';
export { windowLabel } from './window-label';
