import { TestScheduler } from 'rxjs/testing';
import { DecodeError } from '../../core/errors';
import type { Envelope } from '../../core/stream';
import type { KafkaRecord } from '../sources/kafka-record';
import { decode } from './decode';

const record = (offset: string, value: string): KafkaRecord => ({
  topic: 't',
  partition: 2,
  offset,
  key: Buffer.from('host-a'),
  value: Buffer.from(value),
});

/** A serde stand-in: "ok:<n>" decodes to n, "bad" has a wrong magic byte. */
const serde = {
  decode<T>(buf: Buffer | null): T {
    const text = buf?.toString() ?? '';
    if (text.startsWith('ok:')) return Number(text.slice(3)) as T;
    throw new DecodeError('TW_ERR_BAD_MAGIC', `cannot decode ${text}`);
  },
};

const envelope = (records: KafkaRecord[]): Envelope<KafkaRecord[]> => ({
  payload: records,
  ack: () => undefined,
  nack: () => undefined,
});

describe('decode stage', () => {
  it('splits each batch into records and dead letters stamped with scheduler time, and tears down', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(
      ({ cold, expectObservable, expectSubscriptions }) => {
        const a = envelope([record('10', 'ok:1'), record('11', 'bad'), record('12', 'ok:2')]);
        const b = envelope([record('13', 'ok:3')]);
        const source = cold('a 999ms b|', { a, b });
        const scheduler = { now: () => 42 } as never;
        const out = source.pipe(decode<number>(serde, scheduler));
        const reject = {
          source_topic: 't',
          source_partition: 2,
          source_offset: '11',
          error_code: 'TW_ERR_BAD_MAGIC',
          reason: 'cannot decode bad',
          original_key: Buffer.from('host-a'),
          original_value: Buffer.from('bad'),
          ts: 42,
        };
        expectObservable(out).toBe('x 999ms y|', {
          x: { payload: { records: [1, 2], rejects: [reject] }, ack: a.ack, nack: a.nack },
          y: { payload: { records: [3], rejects: [] }, ack: b.ack, nack: b.nack },
        });
        expectSubscriptions(source.subscriptions).toBe('^ 1000ms !');
      },
    );
  });

  it('keeps the envelope acknowledgement of its input', () => {
    let acked = 0;
    const env: Envelope<KafkaRecord[]> = {
      payload: [record('1', 'ok:5')],
      ack: () => acked++,
      nack: () => undefined,
    };
    new TestScheduler((x, y) => expect(x).toEqual(y)).run(({ cold, expectObservable }) => {
      const out = cold('a|', { a: env }).pipe(decode<number>(serde));
      out.subscribe((e) => e.ack());
      expectObservable(out.pipe()).toBe('a|', {
        a: expect.objectContaining({ payload: { records: [5], rejects: [] } }),
      });
    });
    expect(acked).toBe(1);
  });
});
