export { runLoadgen } from './loadgen';
export type { LoadgenOptions } from './loadgen';
export { syntheticSamples } from './synthetic-hosts';
