export { metricsDelivery } from './metrics-delivery';
export type { MetricsDeliveryDeps, MetricsSinks } from './metrics-delivery';
export type { BatchOutcome } from './outcome';
export type { Chunk } from './parcel';
export { coalesce, DEFAULT_COALESCE } from './coalesce';
export type { CoalesceOptions } from './coalesce';
export { durableSinks, orNack, retryReporter } from './durable';
export type { BreakerSettings } from './durable';
