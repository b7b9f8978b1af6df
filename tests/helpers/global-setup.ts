import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { stackUp } from '../../stack';

interface SharedStack {
  refs: number;
  dataDir?: string;
}

const shared = globalThis as { __tidewatchTestStack?: SharedStack };

/**
 * Starts one real Kafka broker and schema registry for the whole run, on free ports, with its own
 * data directory; both system projects share it (reference-counted). Test files reach it through
 * TIDEWATCH_TEST_BROKERS / TIDEWATCH_TEST_REGISTRY. Set both yourself to test against your own.
 */
export default async function globalSetup(): Promise<void> {
  const stack = (shared.__tidewatchTestStack ??= { refs: 0 });
  stack.refs++;
  if (process.env.TIDEWATCH_TEST_BROKERS && process.env.TIDEWATCH_TEST_REGISTRY) return;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-test-stack-'));
  const config = loadConfig({ env: { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME }, overrides: { dataDir } });
  const logger = createLogger('warn', process.stderr);
  const started = Date.now();
  const { endpoints } = await stackUp({
    ...config.stack,
    kafkaPort: 0,
    controllerPort: 0,
    registryPort: 0,
    dataDir,
    cacheDir: config.cacheDir,
    logger,
  });
  process.stderr.write(
    `\ntest stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${endpoints.brokers[0]}, ${endpoints.registryUrl}\n`,
  );
  process.env.TIDEWATCH_TEST_BROKERS = endpoints.brokers.join(',');
  process.env.TIDEWATCH_TEST_REGISTRY = endpoints.registryUrl;
  stack.dataDir = dataDir;
}
