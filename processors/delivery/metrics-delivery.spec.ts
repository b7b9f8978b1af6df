import { of, Subject } from 'rxjs';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import type { Sink } from '../../core/stream';
import type { Anomaly, MetricAggregate, MetricSample } from '../../schemas';
import type { Detected } from '../detection';
import { batchOf, sample } from '../stages/__fixtures__/batches';
import type { Batch } from '../stages';
import type { Envelope } from '../../core/stream';
import { metricsDelivery } from './metrics-delivery';
import type { BatchOutcome } from './outcome';

type C = { count: number; bytes: number };

/** A sink that records what it was given, under `name`, in `log`. */
const recording = <T>(name: string, log: string[]): Sink<T> => ({
  name,
  write: async (batch) => void log.push(`${name}:${batch.length}`),
  close: async () => undefined,
});

const flush = () => new Promise((r) => setImmediate(r));

/** One batch of two samples whose incidents detection (elsewhere) holds under ticket 5. */
function ticketed(log: string[]): Envelope<Batch<MetricSample, MetricAggregate>> {
  const env = batchOf([sample({ event_id: 'h:1:1' }), sample({ event_id: 'h:1:2' })]);
  return {
    payload: { ...env.payload, aggregates: [], commitFloor: '1', detection: 5 },
    ack: (floor) => log.push(`ack:${floor}`),
    nack: () => log.push('nack'),
  };
}

function delivery(log: string[], results: () => Promise<Detected>) {
  return metricsDelivery<C>({
    sinks: {
      store: { encode: (s) => ({ count: s.length, bytes: 1 }), sink: recording<C>('raw', log) },
      aggregates: [],
      anomalies: [recording<Anomaly>('incidents', log)],
      deadLetters: recording('dlq', log),
    },
    detection: {
      results: (tickets) => {
        log.push(`results:${tickets.join()}`);
        return results();
      },
    },
    metrics: createMetrics(),
    logger: silentLogger,
    retry: { initialMs: 1, maxMs: 1, attempts: 1 },
  });
}

describe('metrics delivery', () => {
  it('writes the raw samples without waiting for detection, and the ticket’s incidents before the ack', async () => {
    const log: string[] = [];
    const found = new Subject<Detected>();
    const incident = { status: 'open' } as Anomaly;
    const outcomes: BatchOutcome[] = [];
    of(ticketed(log))
      .pipe(delivery(log, () => new Promise((resolve) => found.subscribe(resolve))))
      .subscribe((o) => outcomes.push(o));
    await flush();
    expect(log).toEqual(['results:5', 'raw:1']); // one chunk of the two samples, detection still running
    found.next({ anomalies: [incident], evicted: 2, seconds: 0.1 });
    await flush();
    expect(log).toEqual(['results:5', 'raw:1', 'incidents:1', 'ack:1']);
    expect(outcomes).toEqual([{ received: 2, written: 2, deadLettered: 0, aggregates: 0, anomalies: 1 }]);
  });

  it('nacks a batch whose detection failed and ends the stream, acknowledging nothing', async () => {
    const log: string[] = [];
    let failure: unknown;
    of(ticketed(log))
      .pipe(delivery(log, () => Promise.reject(new Error('anomaly detection is closed'))))
      .subscribe({ error: (err) => (failure = err) });
    await flush();
    expect(log).toEqual(['results:5', 'raw:1', 'nack']);
    expect(String(failure)).toContain('anomaly detection is closed');
  });
});
