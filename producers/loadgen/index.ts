export { runLoadgen } from './loadgen';
export type { LoadgenOptions } from './loadgen';
export { syntheticSamples } from './synthetic-hosts';
export { fleetSamples, fleetSeries } from './fleet-samples';
export type { FleetOptions } from './fleet-samples';
