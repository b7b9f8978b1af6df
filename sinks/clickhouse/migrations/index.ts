export type { Migration } from './migration';
export { migrate } from './migrate';
export { MIGRATIONS } from './list';
export { PROMOTED_ATTRIBUTES } from './0005-series-ordered-metrics';
