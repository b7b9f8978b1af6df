import type { MetricSample } from '../../schemas';
import { eventIds } from './event-ids';
import type { Measurement } from './measurement';

/** Gives measurements their identity (see event-ids.ts) and time: for producers that publish samples only. */
export function sampleStamper(host: string, boot: number) {
  const ids = eventIds(host, boot);
  return (measurements: readonly Measurement[], ts: number): MetricSample[] =>
    measurements.map((m) => ({
      event_id: ids.next(),
      host,
      ts,
      metric: m.metric,
      value: m.value,
      unit: m.unit,
      attributes: m.attributes ?? {},
    }));
}
