import fs from 'node:fs';
import { createLogger } from '../../core/logger';
import { stackDown } from '../../stack';

const shared = globalThis as { __tidewatchTestStack?: { refs: number; dataDir?: string } };

export default async function globalTeardown(): Promise<void> {
  const stack = shared.__tidewatchTestStack;
  if (!stack || --stack.refs > 0 || !stack.dataDir) return;
  await stackDown(stack.dataDir, createLogger('warn', process.stderr));
  fs.rmSync(stack.dataDir, { recursive: true, force: true });
  delete process.env.TIDEWATCH_TEST_BROKERS;
  delete process.env.TIDEWATCH_TEST_REGISTRY;
  shared.__tidewatchTestStack = undefined;
}
