import type { Anomaly, DeadLetter } from '../../schemas';
import type { KafkaRecord } from '../sources/kafka-record';

/** A decoded value and where it came from (for dead letters and offset bookkeeping). */
export interface Located<T> {
  value: T;
  source: KafkaRecord;
  /** The sample's series key, computed once by the first stage that needs it (`seriesOf`). */
  series?: string;
}

/** Counts a stage reports about the batch; the pipeline turns them into metrics. */
export interface BatchStats {
  duplicates: number;
  /** Samples that arrived after their window closed (see `lateUnaggregated` for those left out). */
  late: number;
  /** Late samples left out of aggregates: beyond the correction horizon, or their window forgotten. */
  lateUnaggregated: number;
  /** Closed windows emitted again with late samples added. */
  windowsCorrected: number;
  /** Hosts whose watermark was dropped to stay within the hosts-per-partition cap. */
  windowHostsEvicted: number;
  windowsForceClosed: number;
  /** Records read again after a group join that this member had taken in already (`readOnce` drops them). */
  reread: number;
  /** Series whose detector state was dropped to stay within the series limit. */
  detectorSeriesEvicted: number;
}

/**
 * The number under which anomaly detection running elsewhere (its own thread) holds a batch's
 * incidents until the delivery asks for them (`Detection.results`).
 */
export type DetectionTicket = number;

/**
 * What flows between the processor's stages: one Kafka batch (so one partition), its good
 * records, its rejects (bound for the dead-letter topic), counts, closed aggregates, incident
 * states, and the offset the commit must not pass once the batch is acknowledged (earlier
 * offsets still feed an open window and must be re-read after a crash). Plain data: what is
 * done with it afterwards (encoding, coalescing, writes) is the delivery's.
 */
export interface Batch<T, A = never> {
  /** The batch's partition; undefined for envelopes that carry only timer-closed aggregates. */
  partition: number | undefined;
  /** The batch reached the end of its partition's log when fetched (nothing more was waiting). */
  caughtUp: boolean;
  records: Located<T>[];
  rejects: DeadLetter[];
  stats: BatchStats;
  aggregates: A[];
  /** Incident states the anomaly detection published for this batch (when it ran in this thread). */
  anomalies: Anomaly[];
  /** Offset not to commit past; undefined: the whole batch may be committed. */
  commitFloor: string | undefined;
  /** The batch's ticket when its anomaly detection runs elsewhere (its incidents are asked for by it). */
  detection?: DetectionTicket;
}

export const emptyStats = (): BatchStats => ({
  duplicates: 0,
  late: 0,
  lateUnaggregated: 0,
  windowsCorrected: 0,
  windowHostsEvicted: 0,
  windowsForceClosed: 0,
  reread: 0,
  detectorSeriesEvicted: 0,
});

export function reject(source: KafkaRecord, code: string, reason: string, ts: number): DeadLetter {
  return {
    source_topic: source.topic,
    source_partition: source.partition,
    source_offset: source.offset,
    error_code: code,
    reason,
    original_key: source.key,
    original_value: source.value,
    ts,
  };
}
