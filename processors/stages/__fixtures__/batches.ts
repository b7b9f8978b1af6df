import type { Assignment, Envelope } from '../../../core/stream';
import type { MetricSample } from '../../../schemas';
import { Batch, emptyStats } from '../batch';

/** Test helpers shared by the stage specs: samples, located records and batch envelopes. */
export const sample = (over: Partial<MetricSample> = {}): MetricSample => ({
  event_id: 'h:1:0',
  host: 'h',
  ts: 1_000,
  metric: 'system.cpu.utilization',
  value: 0.5,
  unit: '1',
  attributes: {},
  ...over,
});

export function batchOf(
  samples: MetricSample[],
  partition = 0,
  firstOffset = 0,
): Envelope<Batch<MetricSample>> {
  return {
    payload: {
      partition,
      caughtUp: true,
      records: samples.map((value, i) => ({
        value,
        source: {
          topic: 't',
          partition,
          offset: String(firstOffset + i),
          key: Buffer.from(value.host),
          value: Buffer.from('x'),
        },
      })),
      rejects: [],
      stats: emptyStats(),
      aggregates: [],
      anomalies: [],
      commitFloor: undefined,
    },
    ack: () => undefined,
    nack: () => undefined,
  };
}

/** An assignment a test can move: `rebalance([0])` leaves this member with partition 0 only. */
export function movableAssignment(partitions: number[]) {
  let owned = new Set(partitions);
  let version = 1;
  const assignment: Assignment = {
    get version() {
      return version;
    },
    owns: (_topic, p) => owned.has(p),
  };
  return {
    assignment,
    rebalance: (next: number[]) => () => {
      owned = new Set(next);
      version++;
    },
  };
}
