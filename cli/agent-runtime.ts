import path from 'node:path';
import { logLevel } from 'kafkajs';
import type { Registry } from 'prom-client';
import { systemClock } from '../core/clock';
import type { Config } from '../core/config';
import { createKafka, createProducer, topicNames } from '../core/kafka';
import type { Logger } from '../core/logger';
import { confluentRegistry } from '../core/serde';
import { agentSchemaIds, startHostAgent, type RunningAgent } from '../producers/host-agent';
import type { StackEndpoints } from '../stack';

/** The spool folder: configured, or one per host name under the data directory. */
export const spoolDirOf = (config: Config) =>
  config.agent.spool.dir ??
  path.join(config.dataDir, 'spool', config.agent.host.replace(/[^A-Za-z0-9._-]/g, '_'));

/**
 * Starts this host's agent against the given Kafka and registry (shared by `tidewatch start` and
 * `tidewatch agent`). Its Kafka client fails sends fast (two retries, then the spool takes the
 * batch) and logs nothing itself: while Kafka is away the agent says so once, not per retry. The
 * agent bounds every send with its own timeout (`agent.sendTimeoutMs`), so the client's per-request
 * timeout check, a 100 ms timer per connection, is off: an idle agent should not wake up 20 times
 * a second.
 */
export async function runAgent(
  config: Config,
  endpoints: StackEndpoints,
  registry: Registry,
  logger: Logger,
  signal?: AbortSignal,
): Promise<RunningAgent> {
  const topics = topicNames(config.kafka.topicPrefix);
  const spoolDir = spoolDirOf(config);
  const kafka = createKafka(
    { ...config.kafka, brokers: endpoints.brokers },
    `${config.kafka.clientId}-agent`,
    logger,
    {
      retries: 2,
      logLevel: logLevel.NOTHING,
      enforceRequestTimeout: false,
    },
  );
  const schemaIds = await agentSchemaIds(
    confluentRegistry({ ...config.registry, url: endpoints.registryUrl }),
    topics,
    path.join(spoolDir, 'schema-ids.json'),
    logger,
    signal,
  );
  return startHostAgent({
    settings: config.agent,
    spoolDir,
    topics,
    schemaIds,
    createProducer: () => createProducer(kafka),
    registry,
    clock: systemClock,
    logger,
  });
}
