import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { startPrivateStack, type PrivateStack } from '../../stack';

export interface SharedStack {
  refs: number;
  stack?: PrivateStack;
}

export const shared = globalThis as { __tidewatchTestStack?: SharedStack };

/**
 * Starts one real Kafka broker and schema registry for the whole run, on free ports, with its own
 * data directory; both system projects share it (reference-counted). Test files reach it through
 * TIDEWATCH_TEST_BROKERS / TIDEWATCH_TEST_REGISTRY. Set both yourself to test against your own.
 */
export default async function globalSetup(): Promise<void> {
  const entry = (shared.__tidewatchTestStack ??= { refs: 0 });
  entry.refs++;
  if (process.env.TIDEWATCH_TEST_BROKERS && process.env.TIDEWATCH_TEST_REGISTRY) return;
  const config = loadConfig({
    env: { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, TIDEWATCH_CACHE_DIR: process.env.TIDEWATCH_CACHE_DIR },
  });
  const started = Date.now();
  entry.stack = await startPrivateStack('test-stack', config, createLogger('warn', process.stderr));
  const { brokers, registryUrl } = entry.stack.endpoints;
  process.stderr.write(
    `\ntest stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${brokers[0]}, ${registryUrl}\n`,
  );
  process.env.TIDEWATCH_TEST_BROKERS = brokers.join(',');
  process.env.TIDEWATCH_TEST_REGISTRY = registryUrl;
}
