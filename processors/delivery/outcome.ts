import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { DeadLetter } from '../../schemas';
import type { Chunk, Parcel } from './parcel';

/** What one delivery did with the batches it wrote. */
export interface BatchOutcome {
  received: number;
  written: number;
  deadLettered: number;
  aggregates: number;
  anomalies: number;
}

function countByCode(rejects: DeadLetter[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rejects) counts[r.error_code] = (counts[r.error_code] ?? 0) + 1;
  return counts;
}

/** A delivered parcel counted (drops by reason, the stages' counts, incidents by status) and summed up. */
export function outcomeOf(
  parcel: Parcel<Chunk>,
  written: number,
  m: PipelineMetrics,
  log: Logger,
): BatchOutcome {
  const { rejects, aggregates, anomalies, stats } = parcel;
  const reasons = countByCode(rejects);
  for (const [reason, n] of Object.entries(reasons)) m.eventsDropped.inc({ reason }, n);
  if (rejects.length > 0) log.warn({ count: rejects.length, reasons }, 'records dead-lettered');
  if (stats.duplicates) m.dedupeHits.inc(stats.duplicates);
  if (stats.late) m.lateEvents.inc(stats.late);
  if (stats.windowsForceClosed) m.windowsForceClosed.inc(stats.windowsForceClosed);
  if (stats.lateUnaggregated) m.lateUnaggregated.inc(stats.lateUnaggregated);
  if (stats.windowsCorrected) m.windowsCorrected.inc(stats.windowsCorrected);
  if (stats.windowHostsEvicted) m.windowHostsEvicted.inc(stats.windowHostsEvicted);
  if (stats.reread) m.rereadSkipped.inc(stats.reread);
  if (aggregates.length) m.aggregatesEmitted.inc(aggregates.length);
  if (stats.detectorSeriesEvicted) m.detectorSeriesEvicted.inc(stats.detectorSeriesEvicted);
  for (const a of anomalies) m.anomaliesPublished.inc({ status: a.status });
  return {
    received: written + rejects.length + stats.duplicates,
    written,
    deadLettered: rejects.length,
    aggregates: aggregates.length,
    anomalies: anomalies.length,
  };
}
