export { metricsPipeline } from './metrics-pipeline';
export { DetectionWorker } from './detection-worker';
export type { DetectionSetup } from './detection-protocol';
export type {
  MetricsPipelineDeps,
  MetricsPipelineSinks,
  StageOptions,
  BatchOutcome,
} from './metrics-pipeline';
export { processesPipeline } from './processes-pipeline';
export type { ProcessesPipelineDeps } from './processes-pipeline';
export type { BreakerSettings } from './durable';
