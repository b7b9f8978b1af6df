import { Partitioners, type Message } from 'kafkajs';
import { groupedLinearly, partitionGrouping } from './partition-grouping';

type Group = (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Message[];
  partitioner: (args: { message: Message }) => number;
}) => Record<string, Message[]>;
/* eslint-disable @typescript-eslint/no-require-imports */
const group = require('kafkajs/src/producer/groupMessagesPerPartition.js') as Group;
/* eslint-enable @typescript-eslint/no-require-imports */

let seed = 11;
const next = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};
const messages = (n: number): Message[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `host-${next(7)}`,
    value: Buffer.from([i & 255]),
    partition: next(3),
  }));
const args = (list: Message[], partitioner: (args: { message: Message }) => number) => ({
  topic: 't',
  partitionMetadata: [{}, {}, {}],
  messages: list,
  partitioner,
});

describe('partition grouping', () => {
  it("gives kafkajs's own grouping, partition by partition and in order", () => {
    const list = messages(500);
    const partitioner = ({ message }: { message: Message }) => message.partition!;
    const expected = group(args(list.slice(), partitioner));
    const grouped = group(args(groupedLinearly(list.slice()), partitioner));
    expect(Object.keys(grouped)).toEqual(Object.keys(expected));
    for (const p of Object.keys(expected)) expect(grouped[p]).toEqual(expected[p]);
  });

  it('never hands kafkajs a partition list to copy: its reducer sees an empty accumulator each time', () => {
    // Messages that leave their partition to the partitioner: those go through kafkajs's reducer.
    const list = groupedLinearly(messages(200).map((m) => ({ ...m, partition: undefined })));
    const accumulated: number[] = [];
    const reduce = list.reduce as unknown as (r: unknown, init: object) => Record<string, Message[]>;
    const grouped = reduce.call(
      list,
      (result: Record<string, Message[]>, message: Message) => {
        accumulated.push(Object.keys(result).length);
        return { ...result, [String(message.key)]: [message] };
      },
      {},
    );
    expect(accumulated).toEqual(list.map(() => 0));
    expect(Object.values(grouped).reduce((n, l) => n + l.length, 0)).toBe(200);
  });

  it('asks the partitioner once per message that does not name its partition, as kafkajs does', () => {
    let calls = 0;
    const list = messages(300).map((m, i) => (i % 3 === 0 ? { ...m, partition: undefined } : m));
    group(args(groupedLinearly(list), ({ message }) => (calls++, message.partition ?? 0)));
    expect(calls).toBe(100);
  });

  it("puts a message that names its partition where kafkajs's default partitioner does", () => {
    const list = messages(400).map((m, i) => (i % 4 === 0 ? { ...m, partition: undefined } : m));
    const partitioner = Partitioners.DefaultPartitioner();
    const metadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0 }));
    const run = (l: Message[]) =>
      group({
        topic: 't',
        partitionMetadata: metadata,
        messages: l,
        partitioner: ({ message }) =>
          partitioner({ topic: 't', partitionMetadata: metadata as never, message }),
      });
    const expected = run(list.slice());
    const grouped = run(groupedLinearly(list.slice()));
    expect(Object.keys(grouped)).toEqual(Object.keys(expected));
    for (const p of Object.keys(expected)) expect(grouped[p]).toEqual(expected[p]);
  });

  it("finds kafkajs's grouping going through the list it is given", () => {
    expect([partitionGrouping.check(), partitionGrouping.verify()]).toEqual([undefined, undefined]);
  });
});
