import type { MetricSample } from '../../schemas';
import type { Measurement } from './measurement';

/**
 * Gives measurements their identity: event_id = `host:boot:seq`, where `boot` is this agent
 * incarnation's start time (ms) and `seq` counts up from 0, so every emitted sample has an id that
 * is unique and stays the same however often the sample is re-sent.
 */
export function sampleStamper(host: string, boot: number) {
  let seq = 0;
  return (measurements: readonly Measurement[], ts: number): MetricSample[] =>
    measurements.map((m) => ({
      event_id: `${host}:${boot}:${seq++}`,
      host,
      ts,
      metric: m.metric,
      value: m.value,
      unit: m.unit,
      attributes: m.attributes ?? {},
    }));
}
