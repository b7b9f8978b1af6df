import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { cachedDefaultPartitioner } from './cached-partitioner';

const meta = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));

describe('cachedDefaultPartitioner', () => {
  it('chooses exactly the partition the default partitioner chooses, for every key and partition count', () => {
    const plain = Partitioners.DefaultPartitioner();
    const cached = cachedDefaultPartitioner(50)();
    const wrong: string[] = [];
    for (const n of [1, 3, 6, 12]) {
      for (let i = 0; i < 200; i++) {
        const key = i % 3 === 0 ? Buffer.from([i & 255, i >> 8, 7]) : `host-${i}`;
        const args = {
          topic: 't',
          partitionMetadata: meta(n),
          message: { key, value: 'v' },
        } as PartitionerArgs;
        const want = plain(args);
        if (cached(args) !== want) wrong.push(`${n} partitions, key ${i}`);
        if (cached(args) !== want) wrong.push(`${n} partitions, key ${i}, from memory`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps an explicit partition, and leaves records without a key to the default', () => {
    const cached = cachedDefaultPartitioner()();
    const args = (message: PartitionerArgs['message']) =>
      ({ topic: 't', partitionMetadata: meta(6), message }) as PartitionerArgs;
    expect(cached(args({ key: 'a', value: 'v', partition: 4 }))).toBe(4);
    const spread = new Set(Array.from({ length: 60 }, () => cached(args({ value: 'v' }))));
    expect(spread.size).toBeGreaterThan(1); // round robin, not one remembered answer
  });
});
