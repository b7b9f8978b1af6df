import {
  loadSchema,
  type Anomaly,
  type DeadLetter,
  type MetricSample,
  type ProcessEvent,
  type SchemaName,
} from '.';

const fieldsOf = (name: SchemaName) =>
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
      labels: true,
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

  it('Anomaly has exactly the fields of anomaly.avsc', () => {
    const keys: Record<keyof Anomaly, true> = {
      id: true,
      group_id: true,
      status: true,
      version: true,
      host: true,
      metric: true,
      unit: true,
      attributes: true,
      ts: true,
      started_at: true,
      ended_at: true,
      value: true,
      expected: true,
      lower: true,
      upper: true,
      score: true,
      severity: true,
      detector: true,
      reason: true,
      samples: true,
    };
    expect(fieldsOf('anomaly')).toEqual(Object.keys(keys).sort());
  });

  it('ProcessEvent has exactly the fields of process-event.avsc', () => {
    const keys: Record<keyof ProcessEvent, true> = {
      event_id: true,
      host: true,
      ts: true,
      kind: true,
      pid: true,
      ppid: true,
      name: true,
      command: true,
      user: true,
      cpu: true,
      rss: true,
      state: true,
      start_time: true,
      rank_cpu: true,
      rank_memory: true,
    };
    expect(fieldsOf('process-event')).toEqual(Object.keys(keys).sort());
  });
});
