import type http from 'node:http';
import type { Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Clock } from '../../core/clock';
import type { Config } from '../../core/config';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { agentMetrics, serveMetrics } from './agent-metrics';
import type { AgentStatus } from './agent-status';
import { Collection } from './collection';
import { hostCollectors } from './collectors';
import { Delivery } from './delivery';
import { HostAgent } from './host-agent';
import { KafkaLink } from './kafka-link';
import { recordEncoders } from './record-encoders';
import { Spool } from './spool/spool';

export interface AgentSetup {
  settings: Config['agent'];
  /** Where the spool lives (settings.spool.dir, or a default under the data directory). */
  spoolDir: string;
  topics: { metrics: string; processes: string };
  schemaIds: { metrics: number; processes: number };
  createProducer: () => Producer;
  registry: Registry;
  clock: Clock;
  logger: Logger;
  procRoot?: string;
}

export interface RunningAgent {
  agent: HostAgent;
  /** The Prometheus port's URL, when one is configured. */
  metricsUrl?: string;
  stop(): Promise<AgentStatus>;
}

/** Wires one host agent: collectors, spool, Kafka link, delivery, metrics; starts it. */
export async function startHostAgent(setup: AgentSetup): Promise<RunningAgent> {
  const s = setup.settings;
  const log = setup.logger.child({ component: 'agent' });
  const counts = { producerRecreations: 0, collectorFailures: 0, processEventsDropped: 0 };
  const spool = new Spool({ ...s.spool, dir: setup.spoolDir });
  const link = new KafkaLink({
    createProducer: setup.createProducer,
    sendTimeoutMs: s.sendTimeoutMs,
    onRecreate: (reason) => {
      counts.producerRecreations++;
      log.debug({ reason }, 'Kafka producer replaced');
    },
  });
  let wasUp = true;
  const delivery = new Delivery({
    send: (batch) => link.send(batch),
    spool,
    initialBackoffMs: s.spool.initialBackoffMs,
    maxBackoffMs: s.spool.maxBackoffMs,
    drainBatchRecords: s.spool.drainBatchRecords,
    drainRecordsPerSec: s.spool.drainRecordsPerSec,
    onSent: () => {
      if (!wasUp) log.info({ spooled: spool.pending }, 'Kafka is back; draining the spool');
      wasUp = true;
    },
    onError: (err) => {
      if (wasUp) log.warn({ err: errorMessage(err) }, 'Kafka unreachable; spooling to disk');
      wasUp = false;
    },
  });
  const collectors = hostCollectors({
    ...s,
    procRoot: setup.procRoot ?? s.procRoot,
    onProcessEventsDropped: (n) => (counts.processEventsDropped += n),
  });
  // Read at scrape time only, by when the agent exists.
  const { collectorFailures } = agentMetrics(setup.registry, () => agent.status());
  const collection = new Collection({
    collectors,
    timeoutMs: Math.min(s.collectorTimeoutMs, s.intervalMs),
    onFailure: (collector, reason, err) => {
      counts.collectorFailures++;
      collectorFailures.inc({ collector, reason });
      log.warn(
        { collector, reason, err: err === undefined ? undefined : errorMessage(err) },
        'collector skipped',
      );
    },
  });
  const agent = new HostAgent({
    host: s.host,
    labels: s.labels,
    intervalMs: s.intervalMs,
    collection,
    encoders: recordEncoders(setup.schemaIds),
    topics: setup.topics,
    delivery,
    spool,
    clock: setup.clock,
    logger: setup.logger,
    statusLogIntervalMs: s.statusLogIntervalMs,
    counts: () => counts,
  });
  let server: http.Server | undefined;
  if (s.metricsPort !== undefined) server = await serveMetrics(setup.registry, s.metricsHost, s.metricsPort);
  const address = server?.address();
  agent.start();
  log.info(
    {
      host: s.host,
      intervalMs: s.intervalMs,
      spool: setup.spoolDir,
      spooled: spool.pending,
      collectors: collectors.map((c) => c.name),
    },
    'agent started',
  );
  return {
    agent,
    metricsUrl:
      address && typeof address === 'object' ? `http://${s.metricsHost}:${address.port}/metrics` : undefined,
    async stop() {
      const status = await agent.stop();
      await link.close();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      return status;
    },
  };
}
