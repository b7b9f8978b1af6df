import { shared } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const entry = shared.__tidewatchTestStack;
  if (!entry || --entry.refs > 0 || !entry.stack) return;
  await entry.stack.stop();
  delete process.env.TIDEWATCH_TEST_BROKERS;
  delete process.env.TIDEWATCH_TEST_REGISTRY;
  shared.__tidewatchTestStack = undefined;
}
