import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../core/config';

/** The Kafka broker and registry the global setup started (or that the caller provided). */
export function testEndpoints(): { brokers: string[]; registryUrl: string } {
  const brokers = process.env.TIDEWATCH_TEST_BROKERS;
  const registryUrl = process.env.TIDEWATCH_TEST_REGISTRY;
  if (!brokers || !registryUrl)
    throw new Error(
      'the test stack is not running: TIDEWATCH_TEST_BROKERS/REGISTRY unset (global setup failed?)',
    );
  return { brokers: brokers.split(','), registryUrl };
}

/** A unique name for this test's topics, consumer group and state. */
export const uniqueName = (label: string) => `${label}-${crypto.randomBytes(4).toString('hex')}`;

/**
 * The env for an instance isolated from every other test: its own topics (by prefix), consumer
 * group, data directory and a free gateway port, on the shared test stack.
 */
export function testEnv(label: string, extra: Record<string, string> = {}): Record<string, string> {
  const name = uniqueName(label);
  const { brokers, registryUrl } = testEndpoints();
  return {
    KAFKA_BROKERS: brokers.join(','),
    SCHEMA_REGISTRY_URL: registryUrl,
    TIDEWATCH_TOPIC_PREFIX: `${name}.`,
    TIDEWATCH_PROCESSOR_GROUP: `${name}-processor`,
    TIDEWATCH_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), `tidewatch-${label}-`)),
    TIDEWATCH_GATEWAY_PORT: '0',
    TIDEWATCH_PARTITIONS: '2',
    TIDEWATCH_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function testConfig(
  label: string,
  extra: Record<string, string> = {},
  overrides: Record<string, unknown> = {},
): Config {
  return loadConfig({ env: testEnv(label, extra), overrides });
}
