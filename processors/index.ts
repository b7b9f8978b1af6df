export { createProcessor, deadLetterSink } from './create-processor';
export type { ProcessorParts } from './create-processor';
