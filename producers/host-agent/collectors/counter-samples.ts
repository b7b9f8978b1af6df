import type { CounterRates } from '../counter-rates';
import type { Measurement } from '../measurement';

/**
 * The name under which the per-second rate of an OpenTelemetry counter is published. It is
 * deliberately outside the `system.*` namespace: an OTel or Prometheus tool that sees a `system.*`
 * counter expects a cumulative sum and computes rate() itself.
 */
export const rateName = (counter: string): string => `tidewatch.${counter}_rate`;

/**
 * One reading of a kernel counter as two samples: the cumulative value under its OpenTelemetry
 * counter name and unit (monotonic since boot; a drop is a reset), and, from the second reading
 * of the series on, its per-second rate under `rateName` in `<unit>/s` (resets handled by
 * `CounterRates`). Dashboards, SQL and the detectors read the rate; OTel/Prometheus subscribers
 * of the topic read the counter.
 */
export function counterSamples(
  rates: CounterRates,
  metric: string,
  unit: string,
  counter: number,
  ms: number,
  attributes?: Record<string, string>,
): Measurement[] {
  const key = `${metric}|${attributes ? Object.values(attributes).join('|') : ''}`;
  const withAttributes = <M extends Measurement>(m: M): M => (attributes ? { ...m, attributes } : m);
  const out = [withAttributes({ metric, value: counter, unit })];
  const rate = rates.rate(key, counter, ms);
  if (rate !== undefined)
    out.push(withAttributes({ metric: rateName(metric), value: rate, unit: `${unit}/s` }));
  return out;
}
