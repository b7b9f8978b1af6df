import { Kafka, KafkaConfig, logLevel, LogEntry, Producer } from 'kafkajs';
import { cachedDefaultPartitioner } from './cached-partitioner';
import { failFast } from './fail-fast-connect';
import { kafkaSecurity, type KafkaConnection } from './kafka-security';
import { installKafkajsPatches } from './patches';
import type { Logger } from '../logger';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs warns that an idempotent producer with bounded retries may re-order on a retry. We
 * bound retries on purpose (a send must fail so the caller can keep the batch and re-send it with
 * the same event ids); order across re-sends is not relied on, so this is logged at debug.
 */
const EXPECTED = /^Limiting retries for the idempotent producer/;

/**
 * The one kafkajs client factory: every component (agent, processor, gateway, tail, loadgen)
 * builds its client here, so `kafka.tls` and `kafka.sasl` apply everywhere. Its own log lines go
 * through our logger (warnings and up). Pass the brokers alone for a plain connection. The
 * kafkajs patches are installed (and checked) before the first client: a kafkajs they were not
 * written for stops start-up here (`TW_ERR_KAFKAJS_PATCH`).
 */
export function createKafka(
  connection: string[] | KafkaConnection,
  clientId: string,
  logger: Logger,
  options: { retries?: number; logLevel?: logLevel; enforceRequestTimeout?: boolean } = {},
): Kafka {
  const patches = installKafkajsPatches();
  const target: KafkaConnection = Array.isArray(connection) ? { brokers: connection } : connection;
  const log = logger.child({ component: 'kafkajs' });
  log.debug(patches, 'kafkajs patches in place');
  const config: KafkaConfig = {
    clientId,
    brokers: target.brokers,
    ...kafkaSecurity(target),
    logLevel: options.logLevel ?? logLevel.WARN,
    retry: { initialRetryTime: 200, retries: options.retries ?? 8 },
    enforceRequestTimeout: options.enforceRequestTimeout ?? true,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[EXPECTED.test(message) ? 'debug' : (LEVELS[level] ?? 'info')](rest, message);
      },
  };
  const kafka = new Kafka(config);
  return config.ssl || config.sasl ? failFast(kafka, config, target) : kafka;
}

/** The producer every component uses: idempotent, acks from all in-sync replicas, keyed partitioning. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: cachedDefaultPartitioner(),
  });
}
