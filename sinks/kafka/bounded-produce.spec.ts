import {
  CompressionTypes,
  KafkaJSConnectionError,
  KafkaJSProtocolError,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { SinkWriteError } from '../../core/errors';
import { boundedProduce } from './bounded-produce';

type Sent = {
  topic: string;
  compression?: CompressionTypes;
  acks?: number;
  values: string[];
  partitions: unknown[];
};

/** A producer that refuses any request holding a value starting with `refuse`, like a broker would. */
function fakeProducer(
  refuse: (value: string) => 'MESSAGE_TOO_LARGE' | 'INVALID_RECORD' | 'DOWN' | undefined,
) {
  const sent: Sent[] = [];
  const producer = {
    async send(r: {
      topic: string;
      compression?: CompressionTypes;
      acks?: number;
      messages: { value: Buffer; partition?: number }[];
    }) {
      const values = r.messages.map((m) => m.value.toString());
      const partitions = [...new Set(r.messages.map((m) => m.partition))];
      const why = values.map(refuse).find((w) => w !== undefined);
      if (why === 'DOWN') throw new KafkaJSConnectionError('Connection error: ECONNREFUSED');
      if (why)
        throw new KafkaJSProtocolError({ type: why, retriable: false, message: why } as unknown as Error);
      sent.push({ topic: r.topic, compression: r.compression, acks: r.acks, values, partitions });
    },
  } as unknown as Producer;
  return { producer, sent };
}

const records = (values: string[]) => values.map((v) => ({ key: 'h', value: Buffer.from(v) }));

describe('boundedProduce', () => {
  it('sends each request gzip-compressed with acks from all replicas, in order, under the limits', async () => {
    const { producer, sent } = fakeProducer(() => undefined);
    const values = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const refused = await boundedProduce(producer, 't', records(values), { maxBytes: 1000, maxRecords: 4 });
    expect(refused).toEqual([]);
    expect(sent.map((s) => s.values)).toEqual([values.slice(0, 4), values.slice(4, 8), values.slice(8)]);
    expect(
      sent.every((s) => s.compression === CompressionTypes.GZIP && s.acks === -1 && s.topic === 't'),
    ).toBe(true);
  });

  it('halves a refused request down to the record the broker refuses; the rest land once', async () => {
    const { producer, sent } = fakeProducer((v) => (v === 'bad' ? 'INVALID_RECORD' : undefined));
    const values = ['a', 'b', 'c', 'bad', 'd', 'e', 'f'];
    const refused = await boundedProduce(producer, 't', records(values), { maxBytes: 1000, maxRecords: 100 });
    expect(refused.map((r) => [r.record.value?.toString(), r.why])).toEqual([['bad', 'INVALID_RECORD']]);
    expect(sent.flatMap((s) => s.values)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('with the partition count known, sends one partition per request, where kafkajs would put each key', async () => {
    const { producer, sent } = fakeProducer(() => undefined);
    const batch = Array.from({ length: 40 }, (_, i) => ({
      key: `h${i % 9}`,
      value: Buffer.from(`h${i % 9}:${i}`),
    }));
    const refused = await boundedProduce(producer, 't', batch, {
      maxBytes: 1000,
      maxRecords: 5,
      partitions: 3,
    });
    expect(refused).toEqual([]);
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    const expected = (key: string) =>
      kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } } as never) as number;
    for (const s of sent) {
      expect(s.partitions).toHaveLength(1);
      expect(s.values.length).toBeLessThanOrEqual(5);
      for (const v of s.values) expect(expected(v.split(':')[0]!)).toBe(s.partitions[0]);
    }
    const landed = sent.flatMap((s) => s.values);
    expect([...landed].sort()).toEqual(batch.map((m) => m.value.toString()).sort());
    for (const key of ['h0', 'h4']) {
      const mine = landed.filter((v) => v.startsWith(`${key}:`));
      expect(mine).toEqual(batch.map((m) => m.value.toString()).filter((v) => v.startsWith(`${key}:`)));
    }
  });

  it('sets apart a record above the limit without sending it', async () => {
    const { producer, sent } = fakeProducer(() => undefined);
    const refused = await boundedProduce(producer, 't', records(['a', 'x'.repeat(500), 'b']), {
      maxBytes: 200,
      maxRecords: 100,
    });
    expect(refused.map((r) => r.why)).toEqual(['over_limit']);
    expect(sent.flatMap((s) => s.values)).toEqual(['a', 'b']);
  });

  it('fails the write with a retriable error when the broker is away', async () => {
    const { producer } = fakeProducer(() => 'DOWN');
    const write = boundedProduce(producer, 't', records(['a']), { maxBytes: 1000, maxRecords: 10 });
    await expect(write).rejects.toBeInstanceOf(SinkWriteError);
    await expect(write).rejects.toMatchObject({ retriable: true });
  });

  it('sends nothing for an empty batch', async () => {
    const { producer, sent } = fakeProducer(() => undefined);
    expect(await boundedProduce(producer, 't', [], { maxBytes: 10, maxRecords: 1 })).toEqual([]);
    expect(sent).toEqual([]);
  });
});
