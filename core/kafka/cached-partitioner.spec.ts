import type { PartitionerArgs, Partitioners as KafkajsPartitioners } from 'kafkajs';
import { cachedDefaultPartitioner } from './cached-partitioner';
import { installKafkajsPatches } from './patches';

/** kafkajs's partitioners in a module registry of their own, where no patch is installed: the oracle. */
let Partitioners!: typeof KafkajsPartitioners;
jest.isolateModules(() => {
  Partitioners = (require('kafkajs') as typeof import('kafkajs')).Partitioners; // eslint-disable-line @typescript-eslint/no-require-imports
});
installKafkajsPatches();

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
    const wrong: string[] = [];
    // A small memory starts again often; a large one remembers each key across partition counts.
    for (const [cached, n] of [50, 10_000].flatMap((max) => {
      const cached = cachedDefaultPartitioner(max)();
      return [1, 3, 6, 12].map((n) => [cached, n] as const);
    })) {
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
