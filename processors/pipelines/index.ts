export { rawSamplesPipeline } from './raw-samples';
export type { RawSamplesDeps, BatchOutcome } from './raw-samples';
