export { metricsPipeline } from './metrics-pipeline';
export type { MetricsPipelineDeps, StageOptions } from './metrics-pipeline';
export { processesPipeline } from './processes-pipeline';
export type { ProcessesPipelineDeps } from './processes-pipeline';
