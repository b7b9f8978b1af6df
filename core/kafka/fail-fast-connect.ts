import { Kafka, type KafkaConfig } from 'kafkajs';
import { connectFailure } from './connect-failure';
import type { KafkaConnection } from './kafka-security';

interface Connectable {
  connect(): Promise<void>;
}

/**
 * kafkajs retries a connection whose TLS handshake fails for an untrusted certificate as if the
 * broker were away (8 retries, about a minute). On a secured cluster, the first connect of each
 * client made from `kafka` is preceded by one attempt without retries: a refused certificate or
 * refused credentials fail start-up at once with an error that says which; any other failure
 * (a broker still starting) goes on to the client's own connect and its retries. A connect that
 * fails later for either reason is reported the same way.
 */
export function failFast(kafka: Kafka, config: KafkaConfig, connection: KafkaConnection): Kafka {
  let checked: Promise<void> | undefined;
  const check = () =>
    (checked ??= probe(config, connection).catch((err: unknown) => {
      checked = undefined;
      throw err;
    }));
  const wrap = <T extends Connectable>(client: T): T => {
    const connect = client.connect.bind(client);
    client.connect = async () => {
      await check();
      try {
        await connect();
      } catch (err) {
        throw connectFailure(err, connection) ?? err;
      }
    };
    return client;
  };
  const admin = kafka.admin.bind(kafka);
  const producer = kafka.producer.bind(kafka);
  const consumer = kafka.consumer.bind(kafka);
  kafka.admin = (options) => wrap(admin(options));
  kafka.producer = (options) => wrap(producer(options));
  kafka.consumer = (options) => wrap(consumer(options));
  return kafka;
}

/** One connection attempt, no retries; throws only a failure no retry can fix. */
async function probe(config: KafkaConfig, connection: KafkaConnection): Promise<void> {
  const admin = new Kafka({ ...config, retry: { retries: 0 }, logCreator: () => () => {} }).admin();
  try {
    await admin.connect();
  } catch (err) {
    const fatal = connectFailure(err, connection);
    if (fatal) throw fatal;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
