import { KafkaJSProtocolError, type Producer } from 'kafkajs';
import { createMetrics } from '../../core/metrics';
import type { AvroSerde } from '../../core/serde';
import type { DeadLetter } from '../../schemas';
import { deadLetterTopicSink } from './dead-letter-topic-sink';

/** Stands in for Avro: the letter's fields as text, its bytes as many bytes. */
const serde = {
  encode: (_id: number, l: DeadLetter) => {
    if (l.error_code === 'unencodable') throw new Error('invalid "string": 42');
    return Buffer.concat([
      Buffer.from(`${l.source_topic}|${l.source_offset}|${l.reason}|`),
      l.original_value ?? Buffer.alloc(0),
    ]);
  },
} as unknown as AvroSerde;

function producer(refuseOffset?: string) {
  const sent: string[] = [];
  const p = {
    async send(r: { messages: { value: Buffer }[] }) {
      const values = r.messages.map((m) => m.value.toString());
      if (refuseOffset && values.some((v) => v.split('|')[1] === refuseOffset)) {
        throw new KafkaJSProtocolError({
          type: 'INVALID_RECORD',
          retriable: false,
          message: 'no',
        } as unknown as Error);
      }
      sent.push(...values);
    },
  } as unknown as Producer;
  return { p, sent };
}

const letter = (offset: string, value = 10, code = 'TW_ERR_AVRO_DECODE'): DeadLetter => ({
  source_topic: 'm',
  source_partition: 0,
  source_offset: offset,
  error_code: code,
  reason: 'bad',
  original_key: Buffer.from('h'),
  original_value: Buffer.alloc(value, 'v'),
  ts: 0,
});

const limits = { maxBytes: 2000, maxRecords: 100 };

describe('deadLetterTopicSink', () => {
  it('cuts a dead letter too large for a request, keeps where it came from, and counts it', async () => {
    const { p, sent } = producer();
    const metrics = createMetrics();
    const sink = deadLetterTopicSink(p, serde, { name: 'dlq', topic: 'd', schemaId: 1, limits, metrics });
    await sink.write([letter('1'), letter('2', 50_000), letter('3')]);
    expect(sent.map((v) => v.split('|')[1])).toEqual(['1', '2', '3']);
    const cut = sent[1]!;
    expect(cut.length).toBeLessThanOrEqual(limits.maxBytes);
    expect(cut).toMatch(/^m\|2\|bad \[cut to fit 2000 bytes: original_value 50000 → \d+ bytes\]\|v+$/);
    expect((await metrics.deadLettersTruncated.get()).values[0]?.value).toBe(1);
    expect((await metrics.eventsDropped.get()).values).toEqual([]);
  });

  it('counts a dead letter it cannot write (unencodable, refused for good) as lost and writes the rest', async () => {
    const { p, sent } = producer('2');
    const metrics = createMetrics();
    const sink = deadLetterTopicSink(p, serde, { name: 'dlq', topic: 'd', schemaId: 1, limits, metrics });
    await sink.write([letter('1'), letter('2'), letter('3'), letter('4', 10, 'unencodable')]);
    expect(sent.map((v) => v.split('|')[1])).toEqual(['1', '3']);
    const dropped = (await metrics.eventsDropped.get()).values.map((v) => [v.labels.reason, v.value]);
    expect(dropped).toEqual([['TW_ERR_DEAD_LETTER_LOST', 2]]);
  });
});
