import type { Config } from '../../core/config';
import { TidewatchError } from '../../core/errors';
import { createKafka, topicNames } from '../../core/kafka';
import type { Logger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { createClickHouse } from '../../sinks/clickhouse';
import { kafkaFeed, startGateway } from '../../sinks/gateway';
import { dashboardNotice } from '../dashboard-notice';
import { runningEndpoints } from '../endpoints';
import { gatewayOptions, sharedAdmin } from '../gateway-options';

/**
 * `tidewatch gateway`: one more gateway, for serving more dashboards and API clients than one
 * instance can. It reads the live topics in a consumer group of its own and answers history from
 * the same ClickHouse server as the processors (an embedded engine belongs to one process).
 */
export async function gatewayCommand(
  config: Config,
  logger: Logger,
  output: { stdoutIsTerminal: boolean },
): Promise<void> {
  if (!config.clickhouse.url)
    throw new TidewatchError(
      'TW_ERR_CONFIG',
      'a separate gateway reads history from a ClickHouse server: set CLICKHOUSE_URL (clickhouse.url); the embedded engine serves only the `tidewatch start` process that opened it',
    );
  const endpoints = runningEndpoints(config);
  const metrics = createMetrics({ defaultMetrics: true });
  const clickhouse = createClickHouse({ ...config.clickhouse, dataDir: config.dataDir });
  const kafka = createKafka(
    { ...config.kafka, brokers: endpoints.brokers },
    `${config.kafka.clientId}-gateway`,
    logger,
  );
  const status = sharedAdmin(kafka);
  const options = gatewayOptions(config, { endpoints, admin: status.admin, clickhouse, metrics, logger });
  const gateway = await startGateway(options);
  const feed = await kafkaFeed({
    kafka,
    serde: createAvroSerde(confluentRegistry({ ...config.registry, url: endpoints.registryUrl })),
    topics: topicNames(config.kafka.topicPrefix),
    outlet: gateway.hub,
    metrics,
    logger,
  });
  const shutdown = () =>
    void Promise.allSettled([feed.close(), gateway.close(), status.close()])
      .then(() => clickhouse.close())
      .finally(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.stdout.write(
    dashboardNotice({
      label: 'Gateway',
      url: gateway.url,
      token: options.token,
      dataDir: config.dataDir,
      configuredToken: config.gateway.token !== undefined,
      terminal: output.stdoutIsTerminal,
    }),
  );
}
