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
  /** The host's labels (agent.labels); decoded records always have them ({} from older agents). */
  labels?: Record<string, string>;
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

/** One closed event-time window of one series, as in metric-aggregate.avsc. */
export interface MetricAggregate {
  host: string;
  metric: string;
  unit: string;
  attributes: Record<string, string>;
  /** Window start, epoch ms. */
  window_start: number;
  window_ms: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  p50: number;
  p95: number;
  p99: number;
}

/** One state of an incident, as in anomaly.avsc. */
export interface Anomaly {
  id: string;
  group_id: string;
  status: 'open' | 'closed';
  version: number;
  host: string;
  metric: string;
  unit: string;
  attributes: Record<string, string>;
  ts: number;
  started_at: number;
  ended_at: number | null;
  value: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
  severity: 'warning' | 'critical';
  detector: string;
  reason: string;
  samples: number;
}

/** One process record from a host agent, as in process-event.avsc. */
export interface ProcessEvent {
  event_id: string;
  host: string;
  ts: number;
  kind: 'snapshot' | 'start' | 'exit';
  pid: number;
  ppid: number;
  name: string;
  command: string;
  user: string;
  /** Ratio of one core. */
  cpu: number;
  /** Bytes. */
  rss: number;
  state: string;
  start_time: number;
  rank_cpu: number;
  rank_memory: number;
}

/**
 * Fields whose values repeat across records (a host sends the same few series again and again):
 * decoders keep one shared copy per distinct value of these (`internedFields` of the serde).
 */
export const REPEATED_FIELDS = ['host', 'metric', 'unit', 'attributes', 'labels'] as const;

export type SchemaName = 'metric-sample' | 'process-event' | 'dead-letter' | 'metric-aggregate' | 'anomaly';

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
