import { rawMetrics } from './0001-raw-metrics';
import { windowedAggregates } from './0002-windowed-aggregates';
import { anomaliesAndDetectorState } from './0003-anomalies';
import { plainMapKeys } from './0004-plain-map-keys';
import { seriesOrderedMetrics } from './0005-series-ordered-metrics';
import { hourlyRollup } from './0006-hourly-rollup';
import { hosts } from './0007-hosts';
import { processes } from './0008-processes';
import { widerRawMerges } from './0009-wider-raw-merges';
import { hourlyRollupSuperseding } from './0010-hourly-rollup-superseding';
import { hostLabels } from './0011-host-labels';
import { hourlyRollupEmissions } from './0012-hourly-rollup-emissions';
import { hourlyRollupSealed } from './0013-hourly-rollup-sealed';
import type { Migration } from './migration';

/** The schema, in order. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  rawMetrics,
  windowedAggregates,
  anomaliesAndDetectorState,
  plainMapKeys,
  seriesOrderedMetrics,
  hourlyRollup,
  hosts,
  processes,
  widerRawMerges,
  hourlyRollupSuperseding,
  hostLabels,
  hourlyRollupEmissions,
  hourlyRollupSealed,
];
