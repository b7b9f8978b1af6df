import avro from 'avsc';
import { firstValueFrom, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { DecodeError } from '../../core/errors';
import { createAvroSerde, frame } from '../../core/serde';
import type { Envelope } from '../../core/stream';
import type { KafkaRecord } from '../sources/kafka-record';
import { emptyStats } from './batch';
import { decode } from './decode';

const record = (offset: string, value: string): KafkaRecord => ({
  topic: 't',
  partition: 2,
  offset,
  key: Buffer.from('host-a'),
  value: Buffer.from(value),
});

/** A serde stand-in: "ok:<n>" decodes to n, anything else has a wrong magic byte. */
const serde = {
  decodeFrom<T>(_topic: string, buf: Buffer | null): T {
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
const batch = (records: unknown[], rejects: unknown[]) => ({
  partition: 2,
  caughtUp: true,
  records,
  rejects,
  stats: emptyStats(),
  aggregates: [],
  anomalies: [],
  commitFloor: undefined,
});

describe('decode stage', () => {
  it('splits each batch into located records and dead letters stamped with scheduler time, and tears down', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(
      ({ cold, expectObservable, expectSubscriptions }) => {
        const a = envelope([record('10', 'ok:1'), record('11', 'bad'), record('12', 'ok:2')]);
        const b = envelope([record('13', 'ok:3')]);
        const source = cold('a 999ms b|', { a, b });
        const out = source.pipe(decode<number>(serde, { now: () => 42 } as never));
        const deadLetter = {
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
          x: {
            payload: batch(
              [
                { value: 1, source: a.payload[0] },
                { value: 2, source: a.payload[2] },
              ],
              [deadLetter],
            ),
            ack: a.ack,
            nack: a.nack,
          },
          y: { payload: batch([{ value: 3, source: b.payload[0] }], []), ack: b.ack, nack: b.nack },
        });
        expectSubscriptions(source.subscriptions).toBe('^ 1000ms !');
      },
    );
  });

  it('reads each record as a record of its own topic', () => {
    const topics: string[] = [];
    const env = envelope([{ ...record('1', 'ok:5'), topic: 'metrics' }, record('2', 'ok:6')]);
    new TestScheduler((x, y) => expect(x).toEqual(y)).run(({ cold }) => {
      cold('a|', { a: env })
        .pipe(
          decode<number>({
            decodeFrom: <T>(topic: string, buf: Buffer | null) => {
              topics.push(topic);
              return serde.decodeFrom<T>(topic, buf);
            },
          }),
        )
        .subscribe();
    });
    expect(topics).toEqual(['metrics', 't']);
  });

  it('dead-letters a record whose schema id is registered under another subject, with the reason', async () => {
    const schema = { type: 'record', name: 'S', fields: [{ name: 'n', type: 'long' }] };
    const type = avro.Type.forSchema(schema as avro.Schema);
    const real = createAvroSerde({
      register: async () => 1,
      fetch: async () => type,
      subjectsOf: async (id) => (id === 1 ? ['t-value'] : ['other-value']),
    });
    await real.register('t', schema);
    const own = { ...record('1', ''), value: frame(1, type.toBuffer({ n: 1 })) };
    const foreign = { ...record('2', ''), value: frame(2, type.toBuffer({ n: 2 })) };
    await real.prepare([own.value, foreign.value]);
    const out = await firstValueFrom(
      of(envelope([own, foreign])).pipe(decode(real, { now: () => 7 } as never)),
    );
    expect(out.payload.records.map((r) => r.value)).toEqual([{ n: 1 }]);
    expect(out.payload.rejects).toEqual([
      expect.objectContaining({
        source_offset: '2',
        error_code: 'TW_ERR_FOREIGN_SCHEMA',
        reason: 'schema id 2 is registered under "other-value", not under t-value',
        original_value: foreign.value,
      }),
    ]);
  });

  it('passes the input envelope’s acknowledgement through', () => {
    let acked = 0;
    const env: Envelope<KafkaRecord[]> = {
      payload: [record('1', 'ok:5')],
      ack: () => acked++,
      nack: () => undefined,
    };
    new TestScheduler((x, y) => expect(x).toEqual(y)).run(({ cold }) => {
      cold('a|', { a: env })
        .pipe(decode<number>(serde))
        .subscribe((e) => e.ack());
    });
    expect(acked).toBe(1);
  });
});
