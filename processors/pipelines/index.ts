export { metricsPipeline } from './metrics-pipeline';
export type {
  MetricsPipelineDeps,
  MetricsPipelineSinks,
  StageOptions,
  BatchOutcome,
} from './metrics-pipeline';
export { processesPipeline } from './processes-pipeline';
export type { ProcessesPipelineDeps } from './processes-pipeline';
export type { BreakerSettings } from './durable';
