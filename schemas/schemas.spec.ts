import { loadSchema, type DeadLetter, type MetricSample } from '.';

const fieldsOf = (name: 'metric-sample' | 'dead-letter') =>
  (loadSchema(name) as { fields: { name: string }[] }).fields.map((f) => f.name).sort();

describe('schemas and their TypeScript types', () => {
  it('MetricSample has exactly the fields of metric-sample.avsc', () => {
    const keys: Record<keyof MetricSample, true> = {
      event_id: true,
      host: true,
      ts: true,
      metric: true,
      value: true,
      unit: true,
      attributes: true,
    };
    expect(fieldsOf('metric-sample')).toEqual(Object.keys(keys).sort());
  });

  it('DeadLetter has exactly the fields of dead-letter.avsc', () => {
    const keys: Record<keyof DeadLetter, true> = {
      source_topic: true,
      source_partition: true,
      source_offset: true,
      error_code: true,
      reason: true,
      original_key: true,
      original_value: true,
      ts: true,
    };
    expect(fieldsOf('dead-letter')).toEqual(Object.keys(keys).sort());
  });
});
