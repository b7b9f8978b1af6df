import path from 'node:path';
import { Subscription } from 'rxjs';
import type { Config } from '../core/config';
import { ConfigError, errorMessage } from '../core/errors';
import { limitHeapGrowth } from '../core/heap-growth';
import { privateDir } from '../core/private-files';
import { createKafka, createProducer, ensureTopics, topicNames, topicOptions } from '../core/kafka';
import type { Logger } from '../core/logger';
import { createMetrics, PipelineMetrics } from '../core/metrics';
import { confluentRegistry, createAvroSerde } from '../core/serde';
import { REPEATED_FIELDS } from '../schemas';
import { registerTopicSchemas } from '../schemas/register';
import { ClickHouseClient, createClickHouse, prepareSchema } from '../sinks/clickhouse';
import { startGateway, type LiveHub } from '../sinks/gateway';
import { stackDown, StackEndpoints, stackUp } from '../stack';
import { runAgent } from './agent-runtime';
import { gatewayOptions, sharedAdmin } from './gateway-options';
import { samplePipelineGauges } from './pipeline-gauges';
import { createProcessesProcessor } from './processes-processor';
import { createProcessor } from '../processors';
import { removeRuntime, writeRuntime } from './runtime-file';

export interface InstanceOverrides {
  /** Use this ClickHouse client instead of one built from config (tests inject faults here). */
  clickhouse?: ClickHouseClient;
  /** Called once if the pipeline stops on a fault it cannot get past. */
  onFatal?: (err: unknown) => void;
}

export interface Instance {
  readonly dashboardUrl: string;
  readonly url: string;
  readonly token: string;
  readonly endpoints: StackEndpoints;
  readonly metrics: PipelineMetrics;
  readonly clickhouse: ClickHouseClient;
  /** The live fan-out (tests and benchmarks feed it directly). */
  readonly hub: LiveHub;
  close(): Promise<void>;
}

/** Where the embedded engine reads raw inserts from: private like the rest of the data directory. */
function insertDir(dataDir: string): string {
  const dir = path.join(dataDir, 'clickhouse-inserts');
  privateDir(dir);
  return dir;
}

/**
 * Everything on one host in one process: the local stack (unless Kafka and the registry are
 * configured), topics, schemas, ClickHouse, the gateway, the processor and this host's agent.
 * `close` shuts down in reverse, letting the in-flight batch finish and commit.
 */
export async function startInstance(
  config: Config,
  logger: Logger,
  overrides: InstanceOverrides = {},
): Promise<Instance> {
  // Telemetry, the token and the stack's state are this user's alone (0700, whatever the umask).
  try {
    privateDir(config.dataDir);
  } catch (err) {
    throw new ConfigError(
      `dataDir (env TIDEWATCH_DATA_DIR, --data-dir) ${config.dataDir} cannot be made private to this user (0700): ${errorMessage(err)}`,
    );
  }
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err) => logger.warn({ err }, 'shutdown step failed'));
    }
  };
  try {
    let endpoints: StackEndpoints;
    if (config.kafka.brokers && config.registry.url) {
      endpoints = { brokers: config.kafka.brokers, registryUrl: config.registry.url };
    } else {
      const up = await stackUp({
        ...config.stack,
        dataDir: config.dataDir,
        cacheDir: config.cacheDir,
        logger,
        // A crash of this process must not leave Kafka and the registry running (see stack/watchdog.ts).
        ownedByThisProcess: true,
      });
      endpoints = up.endpoints;
      if (up.started) cleanups.push(() => stackDown(config.dataDir, logger));
    }

    const topics = topicNames(config.kafka.topicPrefix);
    const kafka = createKafka({ ...config.kafka, brokers: endpoints.brokers }, config.kafka.clientId, logger);
    const admin = kafka.admin();
    await admin.connect();
    const warn = (message: string) => logger.warn({ component: 'topics' }, message);
    const notice = (message: string) => logger.info({ component: 'topics' }, message);
    await ensureTopics(
      admin,
      Object.values(topics),
      config.kafka.partitions,
      topicOptions(config.kafka, topics, warn, notice),
    );
    await admin.disconnect();

    const metrics = createMetrics({ defaultMetrics: true });
    const serde = createAvroSerde(confluentRegistry({ ...config.registry, url: endpoints.registryUrl }), {
      internedFields: REPEATED_FIELDS,
      onInternReset: () => metrics.internResets.inc(),
    });
    const schemaIds = await registerTopicSchemas(serde, topics);

    const clickhouse =
      overrides.clickhouse ?? createClickHouse({ ...config.clickhouse, dataDir: config.dataDir });
    cleanups.push(() => clickhouse.close());
    await prepareSchema(clickhouse, config.clickhouse);

    const status = sharedAdmin(kafka);
    cleanups.push(status.close);
    const options = gatewayOptions(config, {
      endpoints,
      admin: status.admin,
      clickhouse,
      metrics,
      logger,
    });
    const { token } = options;
    const gateway = await startGateway(options);
    cleanups.push(() => gateway.close());

    const producer = createProducer(kafka);
    await producer.connect();
    cleanups.push(() => producer.disconnect());

    const stopping = new AbortController();
    if (config.processor.enabled) {
      limitHeapGrowth(config.processor.heapGrowthPercent);
      const parts = {
        kafka,
        producer,
        serde,
        schemaIds,
        clickhouse,
        database: config.clickhouse.database,
        topics,
        settings: config.processor,
        metrics,
        logger,
        retry: { initialMs: 200, maxMs: 10_000, attempts: Infinity, signal: stopping.signal },
        storage: config.clickhouse,
        // The embedded engine reads raw inserts from files; a server gets them as JSON rows.
        avroInsertDir: config.clickhouse.url ? undefined : insertDir(config.dataDir),
      };
      const {
        source,
        pipeline,
        baselines,
        close: closeProcessor,
      } = createProcessor({
        ...parts,
        detect: config.detect,
        live: gateway.hub,
      });
      const processes = createProcessesProcessor(parts);
      if (config.detect.enabled) await baselines.start();
      const onFatal = (err: unknown) => {
        logger.fatal({ err }, 'processor stopped: a fault it cannot get past');
        overrides.onFatal?.(err);
      };
      const stopGauges = samplePipelineGauges(
        status.admin,
        [
          { groupId: config.processor.groupId, topics: [topics.metrics], budget: source.budget },
          { groupId: processes.groupId, topics: [topics.processes], budget: processes.source.budget },
        ],
        metrics,
        logger,
      );
      cleanups.push(async () => stopGauges());
      const subscriptions: Subscription[] = [
        pipeline.subscribe({ error: onFatal }),
        processes.pipeline.subscribe({ error: onFatal }),
      ];
      cleanups.push(async () => {
        const grace = setTimeout(() => stopping.abort(new Error('shutting down')), 15_000);
        await Promise.all([source.close(), processes.source.close()]);
        clearTimeout(grace);
        for (const s of subscriptions) s.unsubscribe();
        if (config.detect.enabled) await baselines.stop();
        await closeProcessor();
      });
    }

    if (config.agent.enabled) {
      const agent = await runAgent(config, endpoints, metrics.registry, logger, stopping.signal);
      cleanups.push(async () => void (await agent.stop()));
    }

    writeRuntime(config.dataDir, { pid: process.pid, url: gateway.url, startedAt: new Date().toISOString() });
    cleanups.push(async () => removeRuntime(config.dataDir, process.pid));

    let closing: Promise<void> | undefined;
    return {
      url: gateway.url,
      dashboardUrl: `${gateway.url}/?token=${token}`,
      token,
      endpoints,
      metrics,
      clickhouse,
      hub: gateway.hub,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
