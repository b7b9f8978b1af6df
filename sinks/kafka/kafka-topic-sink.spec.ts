import { KafkaJSConnectionError, type Producer } from 'kafkajs';
import { TidewatchError } from '../../core/errors';
import { createMetrics } from '../../core/metrics';
import type { AvroSerde } from '../../core/serde';
import type { Sink } from '../../core/stream';
import type { DeadLetter } from '../../schemas';
import { kafkaTopicSink } from './kafka-topic-sink';

type Rec = { id: number; body?: string; bad?: boolean };

const serde = {
  encode: (_id: number, r: Rec) => {
    if (r.bad) throw new Error('invalid "long": "many"');
    return Buffer.from(`${r.id}:${r.body ?? ''}`);
  },
} as unknown as AvroSerde;

function producer(down = false) {
  const sent: string[] = [];
  const p = {
    async send(r: { messages: { value: Buffer }[] }) {
      if (down) throw new KafkaJSConnectionError('Connection error: ECONNREFUSED');
      sent.push(...r.messages.map((m) => m.value.toString()));
    },
  } as unknown as Producer;
  return { p, sent };
}

function dlq() {
  const letters: DeadLetter[] = [];
  const sink: Sink<DeadLetter> = {
    name: 'dlq',
    write: async (batch) => void letters.push(...batch),
    close: async () => undefined,
  };
  return { sink, letters };
}

const base = { name: 'aggregates-topic', topic: 'agg', schemaId: 1, key: (r: Rec) => `h${r.id}` };
const limits = { maxBytes: 1000, maxRecords: 100 };

describe('kafkaTopicSink', () => {
  it('dead-letters a record that does not encode and one too large, counts them by code, and writes the rest', async () => {
    const { p, sent } = producer();
    const { sink: deadLetters, letters } = dlq();
    const metrics = createMetrics();
    const sink = kafkaTopicSink<Rec>(p, serde, { ...base, limits, deadLetters, metrics, clock: () => 42 });
    await sink.write([{ id: 1 }, { id: 2, bad: true }, { id: 3, body: 'x'.repeat(5000) }, { id: 4 }]);
    expect(sent).toEqual(['1:', '4:']);
    expect(
      letters.map((l) => [l.error_code, l.source_topic, l.source_partition, l.original_key?.toString()]),
    ).toEqual([
      ['TW_ERR_AVRO_ENCODE', 'agg', -1, 'h2'],
      ['TW_ERR_RECORD_TOO_LARGE', 'agg', -1, 'h3'],
    ]);
    expect(JSON.parse(letters[0]!.original_value!.toString())).toEqual({ id: 2, bad: true });
    expect(letters[1]!.original_value!.toString()).toBe(`3:${'x'.repeat(5000)}`);
    expect(letters.every((l) => l.ts === 42)).toBe(true);
    const dropped = (await metrics.eventsDropped.get()).values.map((v) => [v.labels.reason, v.value]).sort();
    expect(dropped).toEqual([
      ['TW_ERR_AVRO_ENCODE', 1],
      ['TW_ERR_RECORD_TOO_LARGE', 1],
    ]);
  });

  it('without a dead-letter sink, writes the rest and then fails for good', async () => {
    const { p, sent } = producer();
    const write = kafkaTopicSink<Rec>(p, serde, { ...base, limits }).write([{ id: 1 }, { id: 2, bad: true }]);
    await expect(write).rejects.toBeInstanceOf(TidewatchError);
    await expect(write).rejects.toMatchObject({ retriable: false, code: 'TW_ERR_SINK_WRITE' });
    expect(sent).toEqual(['1:']);
  });

  it('fails with a retriable error while the broker is away, dead-lettering nothing', async () => {
    const { p } = producer(true);
    const { sink: deadLetters, letters } = dlq();
    const write = kafkaTopicSink<Rec>(p, serde, { ...base, limits, deadLetters }).write([{ id: 1 }]);
    await expect(write).rejects.toMatchObject({ retriable: true });
    expect(letters).toEqual([]);
  });
});
