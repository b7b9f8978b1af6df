import type { MetricSample } from '../../schemas';
import type { Located } from './batch';

/** Attribute names of the sample being keyed, sorted in place (reused: keying allocates only the key). */
const names: string[] = [];

/** A series is host + metric + attributes; the key is stable whatever the attribute order. */
export function seriesKey(sample: Pick<MetricSample, 'host' | 'metric' | 'attributes'>): string {
  const attributes = sample.attributes;
  let n = 0;
  for (const name in attributes) {
    let i = n++;
    for (; i > 0 && names[i - 1]! > name; i--) names[i] = names[i - 1]!;
    names[i] = name;
  }
  let out = `${sample.host}\u0000${sample.metric}`;
  for (let i = 0; i < n; i++) out += `\u0000${names[i]}=${attributes[names[i]!]}`;
  return out;
}

/** The series key of a located sample, computed at most once per record. */
export function seriesOf(record: Located<MetricSample>): string {
  return (record.series ??= seriesKey(record.value));
}
