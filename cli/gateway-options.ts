import path from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import type { ClickHouseClient } from '@clickhouse/client';
import { systemClock } from '../core/clock';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import type { PipelineMetrics } from '../core/metrics';
import { projectRoot } from '../core/paths';
import { registryReady } from '../core/serde';
import { loadOrCreateToken, type GatewayOptions } from '../sinks/gateway';
import type { StackEndpoints } from '../stack';
import { hostProbe } from './host-probe';

/**
 * One Kafka admin connection, connected when first asked, for /ready and the pipeline gauges;
 * kafkajs reconnects it when the broker comes back.
 */
export function sharedAdmin(kafka: Kafka): { admin: () => Promise<Admin>; close: () => Promise<void> } {
  let admin: Admin | undefined;
  return {
    admin: async () => {
      admin ??= kafka.admin();
      await admin.connect();
      return admin;
    },
    close: async () => admin?.disconnect(),
  };
}

/**
 * What every gateway of a deployment starts with (the one in `tidewatch start` and each
 * `tidewatch gateway`): settings, token, the dashboard's files, this host's probe, and /ready
 * checks for Kafka and the schema registry beside ClickHouse.
 */
export function gatewayOptions(
  config: Config,
  parts: {
    endpoints: StackEndpoints;
    admin: () => Promise<Admin>;
    clickhouse: ClickHouseClient;
    metrics: PipelineMetrics;
    logger: Logger;
  },
): GatewayOptions {
  return {
    ...config.gateway,
    token: loadOrCreateToken(config.dataDir, config.gateway.token),
    staticRoot: path.join(projectRoot(), 'dist', 'dashboard'),
    hostProbe: hostProbe(config, systemClock, parts.logger),
    readiness: {
      kafka: async () => (await parts.admin()).describeCluster(),
      // With the serde's credentials and CA (registry.username/password/tls).
      'schema-registry': registryReady({ ...config.registry, url: parts.endpoints.registryUrl }),
    },
    clickhouse: parts.clickhouse,
    database: config.clickhouse.database,
    metrics: parts.metrics,
    logger: parts.logger,
  };
}
