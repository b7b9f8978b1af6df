export type { Detection, Detected } from './detection';
export { createDetection } from './create-detection';
export { DetectionWorker } from './detection-worker';
export type { DetectionSetup } from './detection-protocol';
export { InThreadDetection } from './in-thread-detection';
export { detectorBaselines } from './detector-baselines';
export type { BaselineStore, DetectorBaselinesParts } from './detector-baselines';
