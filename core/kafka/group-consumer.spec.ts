import { EventEmitter } from 'node:events';
import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import { groupConsumer } from './group-consumer';

/** A kafkajs client whose one consumer records its config and its disconnects. */
function fakeKafka() {
  const emitter = new EventEmitter();
  const seen: { config?: ConsumerConfig; disconnects: number } = { disconnects: 0 };
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, listener: () => void) => emitter.on(event, listener),
    disconnect: async () => {
      seen.disconnects++;
    },
  } as unknown as Consumer;
  const kafka = {
    consumer: (config: ConsumerConfig) => {
      seen.config = config;
      return consumer;
    },
  } as unknown as Kafka;
  return { kafka, seen, join: () => emitter.emit('consumer.group_join') };
}

const crash = new Error('The group is rebalancing');

describe('groupConsumer', () => {
  it('lets kafkajs restart a crashed member while it is wanted', async () => {
    const { kafka, seen } = fakeKafka();
    groupConsumer(kafka, { groupId: 'g' });
    expect(await seen.config!.retry!.restartOnFailure!(crash)).toBe(true);
  });

  it('refuses the restart once disconnected, however the crash and the disconnect interleave', async () => {
    const { kafka, seen } = fakeKafka();
    const consumer = groupConsumer(kafka, { groupId: 'g' });
    await consumer.disconnect();
    expect(await seen.config!.retry!.restartOnFailure!(crash)).toBe(false);
  });

  it('keeps a restart policy of its own, and kafkajs’s retry count for consumers', async () => {
    const { kafka, seen } = fakeKafka();
    groupConsumer(kafka, { groupId: 'g', retry: { restartOnFailure: async () => false } });
    expect(await seen.config!.retry!.restartOnFailure!(crash)).toBe(false);
    expect(seen.config!.retry!.retries).toBe(5);
  });

  it('disconnects a member that still joins after it was disconnected, and leaves a wanted one alone', async () => {
    const { kafka, seen, join } = fakeKafka();
    const consumer = groupConsumer(kafka, { groupId: 'g' });
    join();
    expect(seen.disconnects).toBe(0);
    await consumer.disconnect();
    join();
    expect(seen.disconnects).toBe(2);
  });
});
