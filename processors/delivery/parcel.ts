import type { Envelope } from '../../core/stream';
import type { Anomaly, DeadLetter, MetricAggregate } from '../../schemas';
import { emptyStats, type BatchStats, type DetectionTicket } from '../stages';

/** Records encoded for a store ahead of its write (`EncodingSink.encode`): how many, and their size. */
export interface Chunk {
  readonly count: number;
  readonly bytes: number;
}

/**
 * What the delivery holds of one or more of the stages' batches until they are written: their
 * samples already encoded for the raw store (one chunk each, in order), the rest as the stages
 * left it, and the detection tickets whose incidents are still to come. Its envelope's ack
 * acknowledges each batch in order, with its own commit floor.
 */
export interface Parcel<C extends Chunk> {
  chunks: C[];
  rejects: DeadLetter[];
  aggregates: MetricAggregate[];
  anomalies: Anomaly[];
  stats: BatchStats;
  tickets: DetectionTicket[];
}

/** The records a parcel holds (samples, rejects, aggregates, incidents). */
export function parcelSize(p: Parcel<Chunk>): number {
  let n = p.rejects.length + p.aggregates.length + p.anomalies.length;
  for (const c of p.chunks) n += c.count;
  return n;
}

/** The bytes of its encoded samples. */
export function parcelBytes(p: Parcel<Chunk>): number {
  let n = 0;
  for (const c of p.chunks) n += c.bytes;
  return n;
}

/** Consecutive parcels as one, acknowledged as each would have been, in order. */
export function joinParcels<C extends Chunk>(envs: readonly Envelope<Parcel<C>>[]): Envelope<Parcel<C>> {
  if (envs.length === 1) return envs[0]!;
  const payload: Parcel<C> = {
    chunks: [],
    rejects: [],
    aggregates: [],
    anomalies: [],
    stats: emptyStats(),
    tickets: [],
  };
  for (const { payload: b } of envs) {
    payload.chunks.push(...b.chunks);
    payload.rejects.push(...b.rejects);
    payload.aggregates.push(...b.aggregates);
    payload.anomalies.push(...b.anomalies);
    payload.tickets.push(...b.tickets);
    payload.stats.duplicates += b.stats.duplicates;
    payload.stats.late += b.stats.late;
    payload.stats.windowsForceClosed += b.stats.windowsForceClosed;
    payload.stats.lateUnaggregated += b.stats.lateUnaggregated;
    payload.stats.windowsCorrected += b.stats.windowsCorrected;
    payload.stats.windowHostsEvicted += b.stats.windowHostsEvicted;
    payload.stats.reread += b.stats.reread;
    payload.stats.detectorSeriesEvicted += b.stats.detectorSeriesEvicted;
  }
  return {
    payload,
    ack: () => envs.forEach((e) => e.ack()),
    nack: (err) => envs.forEach((e) => e.nack(err)),
  };
}
