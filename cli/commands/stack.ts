import type { Config } from '../../core/config';
import { TidewatchError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { stackDown, stackStatus, stackUp, endpointsOf } from '../../stack';
import { createKafka, ensureTopics, topicNames } from '../../core/kafka';

/** `tidewatch stack up|down|status`: the local Kafka and schema registry, in the background. */
export async function stackCommand(
  action: string | undefined,
  config: Config,
  logger: Logger,
): Promise<void> {
  switch (action) {
    case 'up': {
      const { endpoints, started } = await stackUp({
        ...config.stack,
        dataDir: config.dataDir,
        cacheDir: config.cacheDir,
        logger,
      });
      const admin = createKafka(endpoints.brokers, config.kafka.clientId, logger).admin();
      await admin.connect();
      const created = await ensureTopics(
        admin,
        Object.values(topicNames(config.kafka.topicPrefix)),
        config.kafka.partitions,
      );
      await admin.disconnect();
      process.stdout.write(
        `${started ? 'started' : 'already running'}\nKAFKA_BROKERS=${endpoints.brokers.join(',')}\nSCHEMA_REGISTRY_URL=${endpoints.registryUrl}\n`,
      );
      if (created.length) process.stdout.write(`created topics: ${created.join(', ')}\n`);
      return;
    }
    case 'down':
      await stackDown(config.dataDir, logger);
      process.stdout.write('stopped\n');
      return;
    case 'status': {
      const status = stackStatus(config.dataDir);
      const where = status.state ? endpointsOf(status.state) : undefined;
      process.stdout.write(`kafka: ${status.kafka ? `running (${where?.brokers.join(',')})` : 'stopped'}\n`);
      process.stdout.write(`registry: ${status.registry ? `running (${where?.registryUrl})` : 'stopped'}\n`);
      if (!status.kafka || !status.registry) process.exitCode = 3;
      return;
    }
    default:
      throw new TidewatchError('TW_ERR_BAD_REQUEST', 'usage: tidewatch stack up|down|status');
  }
}
