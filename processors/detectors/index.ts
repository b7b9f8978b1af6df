export {
  SeriesDetector,
  DEFAULT_ENSEMBLE,
  DEFAULT_DETECTORS,
  DETECTOR_NAMES,
  scoreOf,
  stateSlab,
} from './ensemble';
export type { StateSlab } from './state-slab';
export type { EnsembleOptions, SeriesState, Verdict } from './ensemble';
export { IncidentTracker, DEFAULT_INCIDENTS } from './incident-tracker';
export type { IncidentOptions, OpenIncident, Scored, SeriesRef } from './incident-tracker';
export { compileRule, parseRule, parseDuration } from './threshold-rule';
export type { CompiledRule, RuleState, ThresholdRule } from './threshold-rule';
export { encodeState, decodeState, encodeStateBytes, decodeStateBytes } from './state-codec';
export { metricLabel } from './metric-label';
export { CUMULATIVE_COUNTERS, isCumulativeCounter } from './cumulative-counter';
