import crypto from 'node:crypto';
import type { Config } from '../../core/config';
import { TidewatchError, errorMessage } from '../../core/errors';
import { createKafka, topicNames } from '../../core/kafka';
import type { Logger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { runningEndpoints } from '../endpoints';

const printable = (_key: string, value: unknown) =>
  value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer'
    ? Buffer.from((value as { data: number[] }).data).toString('base64')
    : value;

/** `tidewatch tail <topic>`: prints each record of one of our topics, decoded, as a JSON line. */
export async function tailCommand(
  topic: string | undefined,
  fromBeginning: boolean,
  config: Config,
  logger: Logger,
): Promise<void> {
  const known = Object.values(topicNames(config.kafka.topicPrefix));
  if (!topic || !known.includes(topic)) {
    throw new TidewatchError(
      'TW_ERR_BAD_REQUEST',
      `usage: tidewatch tail <topic> [--from-beginning]; topics: ${known.join(', ')}`,
    );
  }
  const endpoints = runningEndpoints(config);
  const serde = createAvroSerde(confluentRegistry({ ...config.registry, url: endpoints.registryUrl }));
  const consumer = createKafka(
    { ...config.kafka, brokers: endpoints.brokers },
    `${config.kafka.clientId}-tail`,
    logger,
  ).consumer({
    groupId: `tidewatch-tail-${crypto.randomBytes(4).toString('hex')}`,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning });
  const stop = () => void consumer.disconnect().finally(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await serde.prepare(batch.messages.map((m) => m.value));
      for (const m of batch.messages) {
        let line: string;
        try {
          line = JSON.stringify(serde.decode(m.value), printable);
        } catch (err) {
          line = JSON.stringify({
            undecodable: errorMessage(err),
            partition: batch.partition,
            offset: m.offset,
          });
        }
        process.stdout.write(`${line}\n`);
      }
    },
  });
}
