import type { SchedulerLike } from 'rxjs';
import { SinkWriteError, TidewatchError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import type { Sink } from '../../core/stream';
import type { DeadLetter } from '../../schemas';
import { durableSinks } from './durable';

const scheduler = { now: () => 1_700_000_000_000 } as SchedulerLike;
const retry = { initialMs: 1, maxMs: 1, attempts: 5, sleep: async () => undefined };

function failing(errors: unknown[]): Sink<{ id: number }> & { calls: number } {
  const sink = {
    name: 'aggregates-topic',
    calls: 0,
    async write() {
      const err = errors[sink.calls++];
      if (err !== undefined) throw err;
    },
    close: async () => undefined,
  };
  return sink;
}

function setup() {
  const letters: DeadLetter[] = [];
  const deadLetters: Sink<DeadLetter> = {
    name: 'dlq',
    write: async (batch) => void letters.push(...batch),
    close: async () => undefined,
  };
  const metrics = createMetrics();
  const durable = durableSinks({ metrics, log: silentLogger, retry, scheduler, deadLetters });
  return { letters, metrics, durable };
}

const dropped = async (m: ReturnType<typeof createMetrics>) =>
  (await m.eventsDropped.get()).values.map((v) => [v.labels.reason, v.value]);

describe('durableSinks', () => {
  it('dead-letters every record of a batch a sink refuses for good, counts them, and goes on', async () => {
    const { letters, metrics, durable } = setup();
    const refusal = new TidewatchError('TW_ERR_RECORD_TOO_LARGE', 'too large for the topic');
    const sink = failing([refusal]);
    await durable(sink).write([{ id: 1 }, { id: 2 }]);
    expect(sink.calls).toBe(1);
    expect(letters.map((l) => [l.error_code, l.source_topic, l.original_value?.toString()])).toEqual([
      ['TW_ERR_SINK_REJECTED', 'sink:aggregates-topic', '{"id":1}'],
      ['TW_ERR_SINK_REJECTED', 'sink:aggregates-topic', '{"id":2}'],
    ]);
    expect(letters[0]!.reason).toContain('TW_ERR_RECORD_TOO_LARGE');
    expect(await dropped(metrics)).toEqual([['TW_ERR_SINK_REJECTED', 2]]);
  });

  it('retries what is retriable and dead-letters nothing', async () => {
    const { letters, durable } = setup();
    const sink = failing([new SinkWriteError('broker away'), new SinkWriteError('broker away')]);
    await durable(sink).write([{ id: 1 }]);
    expect([sink.calls, letters.length]).toEqual([3, 0]);
  });

  it('still fails on an error that is not a classified one (a bug), and without a dead-letter sink', async () => {
    const { letters, durable } = setup();
    await expect(durable(failing([new TypeError('x is undefined')])).write([{ id: 1 }])).rejects.toThrow(
      TypeError,
    );
    const plain = durableSinks({ metrics: createMetrics(), log: silentLogger, retry, scheduler });
    const refusal = new TidewatchError('TW_ERR_SINK_REJECTED', 'no');
    await expect(plain(failing([refusal])).write([{ id: 1 }])).rejects.toBe(refusal);
    expect(letters).toEqual([]);
  });
});
