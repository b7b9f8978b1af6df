import { Registry } from 'prom-client';
import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import { Collection } from '../../producers/host-agent';
import { runAgent } from '../agent-runtime';
import { runningEndpoints } from '../endpoints';
import { collectorsOnDemand } from '../host-probe';

/**
 * `tidewatch agent`: this host's agent alone, for deployments with many hosts and a central
 * pipeline. `--once` prints one collection as JSON lines instead (two readings a second apart, so
 * rates have something to compare with) and touches neither Kafka nor the spool.
 */
export async function agentCommand(once: boolean, config: Config, logger: Logger): Promise<void> {
  if (once) return printOnce(config, logger);
  const endpoints = runningEndpoints(config);
  const stopping = new AbortController();
  const running = runAgent(config, endpoints, new Registry(), logger, stopping.signal);
  let signals = 0;
  const shutdown = () => {
    if (++signals > 1) process.exit(130);
    stopping.abort(new Error('stopped before the schema registry answered'));
    running
      .then((agent) => agent.stop())
      .then(
        (status) => {
          process.stdout.write(`Stopped: ${JSON.stringify(status)}\n`);
          process.exit(0);
        },
        () => process.exit(1),
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  const agent = await running;
  process.stdout.write(
    `Agent: ${config.agent.host} → ${endpoints.brokers.join(',')}${agent.metricsUrl ? `, metrics at ${agent.metricsUrl}` : ''}\n`,
  );
}

async function printOnce(config: Config, logger: Logger): Promise<void> {
  const collection = new Collection({
    collectors: collectorsOnDemand(config),
    timeoutMs: config.agent.collectorTimeoutMs,
    onFailure: (collector, reason, err) =>
      logger.warn({ collector, reason, err: String(err ?? '') }, 'collector skipped'),
  });
  const first = await collection.run(Date.now());
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const ts = Date.now();
  const round = await collection.run(ts);
  const host = config.agent.host;
  const inventory = first.samples.filter((s) => s.metric === 'tidewatch.host.info');
  for (const s of [...round.samples, ...inventory])
    process.stdout.write(
      `${JSON.stringify({ host, ts, ...s, attributes: s.attributes ?? {}, labels: config.agent.labels })}\n`,
    );
  for (const p of round.processes) process.stdout.write(`${JSON.stringify({ host, ts, ...p })}\n`);
}
