import type { MetricSample } from '../../schemas';
import type { Located } from './batch';

/** A series is host + metric + attributes; the key is stable whatever the attribute order. */
export function seriesKey(sample: Pick<MetricSample, 'host' | 'metric' | 'attributes'>): string {
  const keys = Object.keys(sample.attributes);
  if (keys.length === 0) return `${sample.host}\u0000${sample.metric}`;
  keys.sort();
  let out = `${sample.host}\u0000${sample.metric}`;
  for (const k of keys) out += `\u0000${k}=${sample.attributes[k]}`;
  return out;
}

/** The series key of a located sample, computed at most once per record. */
export function seriesOf(record: Located<MetricSample>): string {
  return (record.series ??= seriesKey(record.value));
}
