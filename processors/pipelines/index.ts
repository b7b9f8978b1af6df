export { metricsPipeline } from './metrics-pipeline';
export type {
  MetricsPipelineDeps,
  MetricsPipelineSinks,
  StageOptions,
  BatchOutcome,
} from './metrics-pipeline';
