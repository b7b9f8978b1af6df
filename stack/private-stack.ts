import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { stackDown, stackUp, type StackEndpoints } from './stack';

export interface PrivateStack {
  endpoints: StackEndpoints;
  stop(): Promise<void>;
}

/**
 * A throwaway stack for tests and benchmarks: its own temporary data directory and free ports,
 * so it never meets a running instance or the machine's services. `stop` removes all of it.
 */
export async function startPrivateStack(
  label: string,
  config: Pick<Config, 'stack' | 'cacheDir'>,
  logger: Logger,
): Promise<PrivateStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tidewatch-${label}-`));
  const ports = { kafkaPort: 0, controllerPort: 0, registryPort: 0 };
  const { endpoints } = await stackUp({
    ...config.stack,
    ...ports,
    dataDir,
    cacheDir: config.cacheDir,
    logger,
  });
  return {
    endpoints,
    async stop() {
      await stackDown(dataDir, logger);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
