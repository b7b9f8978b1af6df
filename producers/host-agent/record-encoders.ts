import avro from 'avsc';
import { frame } from '../../core/serde/wire-format';
import { loadSchema, type MetricSample, type ProcessEvent } from '../../schemas';
import { sampleEncoder } from './sample-encoder';

export interface RecordEncoders {
  sample(s: MetricSample): Buffer;
  process(p: ProcessEvent): Buffer;
}

/** Avro in the Confluent wire format for the agent's two record kinds, under the registry's schema ids. */
export function recordEncoders(ids: { metrics: number; processes: number }): RecordEncoders {
  const sample = avro.Type.forSchema(loadSchema('metric-sample') as avro.Schema);
  const process = avro.Type.forSchema(loadSchema('process-event') as avro.Schema);
  return {
    sample: sampleEncoder(ids.metrics, (s) => frame(ids.metrics, sample.toBuffer(s))),
    process: (p) => frame(ids.processes, process.toBuffer(p)),
  };
}
