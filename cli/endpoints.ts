import type { Config } from '../core/config';
import { TidewatchError } from '../core/errors';
import { endpointsOf, StackEndpoints, stackStatus } from '../stack';

/** Kafka and registry addresses: the configured ones, else the running local stack's. */
export function runningEndpoints(config: Config): StackEndpoints {
  if (config.kafka.brokers && config.registry.url)
    return { brokers: config.kafka.brokers, registryUrl: config.registry.url };
  const status = stackStatus(config.dataDir);
  if (status.kafka && status.registry && status.state) return endpointsOf(status.state);
  throw new TidewatchError(
    'TW_ERR_NO_INSTANCE',
    `no local stack runs for ${config.dataDir}: run \`tidewatch start\` or \`tidewatch stack up\`, or set KAFKA_BROKERS and SCHEMA_REGISTRY_URL`,
  );
}
