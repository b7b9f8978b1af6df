import type { Message } from 'kafkajs';
import type { KafkajsPatch } from './kafkajs-patch';

/**
 * kafkajs 2.2.4 groups a send's messages by partition (`groupMessagesPerPartition`) with a
 * `reduce` that copies the partition's list for every message (`[...current, message]`):
 * quadratic in the messages of one partition. A request of 10 000 records (the processor's
 * aggregates in a fleet) took 128 ms of CPU there, and left ~400 MB of arrays for the garbage
 * collector. kafkajs holds that function from its first import, so it cannot be swapped; instead
 * the lists we send group themselves: `groupedLinearly` gives a list a `reduce` of its own that
 * asks kafkajs's reducer where each message goes (a fresh, empty accumulator per message: the
 * partitioner runs once per message, as before) and appends it to that partition's list, in
 * order; a message that names its partition goes there without the reducer (kafkajs's
 * partitioners return that partition). The result is kafkajs's: an object of partition → messages. The patch installs nothing;
 * its check and verify run kafkajs's grouping over such a list and say whether it still uses the
 * list's `reduce` and gets the same answer. It applies in the agent bundle too.
 */

type Grouping = Record<string, Message[]>;
type Reducer = (result: Grouping, message: Message) => Grouping;

/** Lists grouped here so far (the probe's evidence that kafkajs called their `reduce`). */
let grouped = 0;

function linearReduce(this: Message[], reducer: Reducer, initial: Grouping): Grouping {
  grouped++;
  for (const message of this) {
    const { partition } = message;
    if (Number.isInteger(partition) && partition! >= 0) {
      // Where kafkajs's partitioners (and `cached-partitioner.ts`) put a message that names its
      // partition: no reducer's objects and arrays for it (`bounded-produce.ts` names them all).
      const list = initial[partition!];
      if (list) list.push(message);
      else initial[partition!] = [message];
      continue;
    }
    const one = reducer({}, message);
    for (const partition in one) {
      const list = initial[partition];
      if (list) for (const m of one[partition]!) list.push(m);
      else initial[partition] = one[partition]!; // a fresh list of this one message
    }
  }
  return initial;
}

/** `messages`, grouped by partition in one pass when kafkajs sends them (see above). */
export function groupedLinearly<M extends Message>(messages: M[]): M[] {
  Object.defineProperty(messages, 'reduce', { value: linearReduce, enumerable: false });
  return messages;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const groupMessagesPerPartition = () =>
  require('kafkajs/src/producer/groupMessagesPerPartition.js') as (args: {
    topic: string;
    partitionMetadata: unknown[];
    messages: Message[];
    partitioner: (args: { message: Message }) => number;
  }) => Grouping;
/* eslint-enable @typescript-eslint/no-require-imports */

/** What kafkajs's grouping does with a list made here that it should not, or undefined. */
function probe(): string | undefined {
  // Three name their partition; two leave it to the partitioner (by their key's number).
  const messages = [0, 1, 2, 3, 4].map((i) => ({
    key: `k${i}`,
    value: Buffer.from([i]),
    partition: i < 3 ? i % 2 : undefined,
  }));
  const before = grouped;
  const result = groupMessagesPerPartition()({
    topic: 't',
    partitionMetadata: [{}, {}],
    messages: groupedLinearly(messages.slice()),
    partitioner: ({ message }) => message.partition ?? Number(String(message.key).slice(1)) % 2,
  });
  if (grouped !== before + 1)
    return "kafkajs's groupMessagesPerPartition does not group through the list's reduce";
  const expected = JSON.stringify({
    0: [messages[0], messages[2], messages[4]],
    1: [messages[1], messages[3]],
  });
  return JSON.stringify(result) === expected
    ? undefined
    : "kafkajs's groupMessagesPerPartition gives another grouping";
}

export const partitionGrouping: KafkajsPatch = {
  name: 'partition-grouping',
  sources: {
    'producer/groupMessagesPerPartition.js':
      'ea72357721fbf67770b5e06b9bf4260faa1e60f3affb556bff2cc7892c1881fb',
    // A single topic's list reaches the grouping as it was sent (`send` → `sendBatch`).
    'producer/messageProducer.js': '529636e6ab99b29765e44e7ffbbbccf256b7241f2b9d00e6933bae4e50e841f8',
  },
  check: probe,
  install: () => undefined,
  verify: probe,
};
