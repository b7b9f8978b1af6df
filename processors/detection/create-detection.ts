import type { Config } from '../../core/config';
import { parseRule } from '../detectors';
import type { Detection } from './detection';
import { DetectionWorker } from './detection-worker';
import { InThreadDetection } from './in-thread-detection';

/**
 * Anomaly detection as the `detect` settings ask: on a thread of its own when enabled (scoring
 * runs beside the other stages), else in this thread, where a disabled stage passes batches on
 * unscored and no thread is started. `onScored` gets the seconds each batch took on the thread.
 */
export function createDetection(d: Config['detect'], onScored?: (seconds: number) => void): Detection {
  const rules = d.rules.map((r) =>
    typeof r === 'string' ? parseRule(r) : parseRule(r.rule, r.host, r.name),
  );
  const detect = {
    enabled: d.enabled,
    staleAfterMs: d.staleAfterMs,
    incidents: {
      openAt: d.openScore,
      criticalAt: d.criticalScore,
      closeBelow: d.closeScore,
      closeAfter: d.closeAfterSamples,
      groupWindowMs: d.groupWindowMs,
    },
  };
  const ensemble = { warmup: d.warmupSamples };
  return d.enabled
    ? new DetectionWorker({ maxSeries: d.maxSeries, ensemble, rules, detect }, onScored)
    : new InThreadDetection(d.maxSeries, ensemble, rules, detect);
}
