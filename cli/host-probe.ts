import type { Config } from '../core/config';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { Collection, hostCollectors, type Collector } from '../producers/host-agent';
import type { HostReading } from '../sinks/gateway';

/** Every collector of this host, each due whenever it is asked (readings a second or more apart). */
export function collectorsOnDemand(config: Config): Collector[] {
  return hostCollectors({
    ...config.agent,
    intervalMs: 1000,
    processesIntervalMs: 1000,
    connectionsIntervalMs: 1000,
  });
}

/**
 * This host read by the agent's own collectors (procfs, microseconds; the same metric names as
 * every stored sample), for the gateway's /api/system/*. A reading is taken when asked and shared
 * for `ttlMs`; the first one takes two readings a second apart, so rates and CPU have something
 * to compare with, and later ones compare with the previous reading.
 */
export function hostProbe(
  config: Config,
  clock: Clock,
  logger: Logger,
  ttlMs = 2000,
): () => Promise<HostReading> {
  const collection = new Collection({
    // Not the once-a-minute inventory: not needed here.
    collectors: collectorsOnDemand(config).filter((c) => c.name !== 'inventory'),
    timeoutMs: config.agent.collectorTimeoutMs,
    onFailure: (collector, reason, err) =>
      logger.debug({ collector, reason, err: String(err ?? '') }, 'host probe: collector skipped'),
  });
  let last: { at: number; reading: Promise<HostReading> } | undefined;
  const read = async (): Promise<HostReading> => {
    if (!last) {
      await collection.run(clock());
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const ts = clock();
    const round = await collection.run(ts);
    return { host: config.agent.host, ts, samples: round.samples, processes: round.processes };
  };
  return () => {
    const now = clock();
    if (!last || now - last.at > ttlMs) {
      const entry = { at: now, reading: read() };
      entry.reading.catch(() => {
        if (last === entry) last = undefined;
      });
      last = entry;
    }
    return last.reading;
  };
}
