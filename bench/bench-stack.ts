import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { stackDown, stackUp, type StackEndpoints } from '../stack';

/** Kafka + registry for a benchmark: the ones in KAFKA_BROKERS/SCHEMA_REGISTRY_URL, else a private local stack. */
export async function benchStack(): Promise<{ endpoints: StackEndpoints; stop: () => Promise<void> }> {
  const config = loadConfig({ env: process.env });
  if (config.kafka.brokers && config.registry.url) {
    return {
      endpoints: { brokers: config.kafka.brokers, registryUrl: config.registry.url },
      stop: async () => undefined,
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-bench-'));
  const { endpoints } = await stackUp({
    ...config.stack,
    kafkaPort: 0,
    controllerPort: 0,
    registryPort: 0,
    dataDir,
    cacheDir: config.cacheDir,
    logger: silentLogger,
  });
  return {
    endpoints,
    stop: async () => {
      await stackDown(dataDir, silentLogger);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Peak resident set size of this process so far, in MiB (sampled). */
export function rssSampler(everyMs = 200): { peakMb: () => number; stop: () => void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return { peakMb: () => Math.round(peak / 2 ** 20), stop: () => clearInterval(timer) };
}
