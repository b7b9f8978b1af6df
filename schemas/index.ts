import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../core/paths';

/** One metric sample, as in metric-sample.avsc (a spec keeps the two in step). */
export interface MetricSample {
  event_id: string;
  host: string;
  /** Event time, epoch milliseconds. */
  ts: number;
  metric: string;
  value: number;
  unit: string;
  attributes: Record<string, string>;
}

/** A dead-lettered record, as in dead-letter.avsc. */
export interface DeadLetter {
  source_topic: string;
  source_partition: number;
  source_offset: string;
  error_code: string;
  reason: string;
  original_key: Buffer | null;
  original_value: Buffer | null;
  ts: number;
}

export type SchemaName = 'metric-sample' | 'dead-letter';

const cache = new Map<SchemaName, object>();

/** The parsed .avsc file: the source of truth for a topic's records. */
export function loadSchema(name: SchemaName): object {
  let schema = cache.get(name);
  if (!schema) {
    schema = JSON.parse(
      fs.readFileSync(path.join(projectRoot(), 'schemas', `${name}.avsc`), 'utf8'),
    ) as object;
    cache.set(name, schema);
  }
  return schema;
}
