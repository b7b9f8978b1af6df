import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { startPrivateStack, type StackEndpoints } from '../stack';

/** Kafka + registry for a benchmark: the ones in KAFKA_BROKERS/SCHEMA_REGISTRY_URL, else a private local stack. */
export async function benchStack(): Promise<{ endpoints: StackEndpoints; stop: () => Promise<void> }> {
  const config = loadConfig({ env: process.env });
  if (config.kafka.brokers && config.registry.url) {
    return {
      endpoints: { brokers: config.kafka.brokers, registryUrl: config.registry.url },
      stop: async () => undefined,
    };
  }
  return startPrivateStack('bench', config, silentLogger);
}

/** Peak resident set size of this process so far, in MiB (sampled). */
export function rssSampler(everyMs = 200): { peakMb: () => number; stop: () => void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return { peakMb: () => Math.round(peak / 2 ** 20), stop: () => clearInterval(timer) };
}
