import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';

/**
 * A group consumer that stays stopped once it is disconnected.
 *
 * kafkajs restarts a crashed consumer on a timer, and a disconnect that races that crash, or the
 * first join, returns while the member comes back afterwards and takes partitions again: a
 * processor that was closed keeps consuming (and the group keeps rebalancing around it). This one
 * refuses restarts after `disconnect`, and a member that still joins after it is disconnected again.
 */
export function groupConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  let closing = false;
  const own = config.retry?.restartOnFailure;
  const consumer = kafka.consumer({
    ...config,
    // kafkajs's own default for consumers, kept when a restart policy is added.
    retry: {
      retries: 5,
      ...config.retry,
      restartOnFailure: async (err) => !closing && (own ? await own(err) : true),
    },
  });
  const disconnect = async () => {
    closing = true;
    await consumer.disconnect();
  };
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (closing) consumer.disconnect().catch(() => undefined);
  });
  return { ...consumer, disconnect };
}
