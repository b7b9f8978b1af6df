import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKafka, createProducer, ensureTopics, topicNames } from '../core/kafka';
import { confluentRegistry, createAvroSerde } from '../core/serde';
import { registerTopicSchemas } from '../schemas/register';
import { createClickHouse, migrate } from '../sinks/clickhouse';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { startPrivateStack, type StackEndpoints } from '../stack';
import { statusKb } from './process-usage';

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

/** Resident anonymous memory of this process (its own, not mapped files such as libraries), bytes. */
const rssAnon = () => statusKb('self', 'RssAnon') * 1024;

/**
 * Peak resident set size, peak anonymous RSS (RSS less mapped files: the embedded engine's
 * library alone maps ~220 MiB of code) and peak JS heap in use of this process since the call,
 * in MiB (sampled).
 */
export function rssSampler(everyMs = 200): {
  peakMb: () => number;
  peakAnonMb: () => number;
  peakHeapMb: () => number;
  stop: () => void;
} {
  let peak = process.memoryUsage().rss;
  let anon = rssAnon();
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peak = Math.max(peak, now.rss);
    anon = Math.max(anon, rssAnon());
    heap = Math.max(heap, now.heapUsed);
  }, everyMs);
  timer.unref();
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  return {
    peakMb: () => mb(peak),
    peakAnonMb: () => mb(anon),
    peakHeapMb: () => mb(heap),
    stop: () => clearInterval(timer),
  };
}

/**
 * Everything a pipeline scenario needs, fresh for one run: the stack, its own topics (created,
 * schemas registered), a connected producer and admin, and an embedded ClickHouse in a temporary
 * folder with the schema migrated. `close` removes the topics and the folder and stops the stack.
 */
export async function benchRun(label: string) {
  const { endpoints, stop } = await benchStack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tidewatch-bench-${label}-`));
  const run = crypto.randomBytes(4).toString('hex');
  const topics = topicNames(`bench-${label}-${run}.`);
  const kafka = createKafka(endpoints.brokers, `bench-${label}`, silentLogger);
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  const clickhouse = createClickHouse({ username: 'default', password: '', dataDir });
  const close = async () => {
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await clickhouse.close(); // closing twice is allowed: a scenario may hand the folder to another process
    fs.rmSync(dataDir, { recursive: true, force: true });
    await stop();
  };
  try {
    await admin.connect();
    await ensureTopics(admin, Object.values(topics), 6);
    await producer.connect();
    const serde = createAvroSerde(confluentRegistry(endpoints.registryUrl));
    const ids = await registerTopicSchemas(serde, topics);
    await migrate(clickhouse, 'tidewatch');
    return { run, topics, kafka, producer, serde, ids, clickhouse, endpoints, dataDir, close };
  } catch (err) {
    await close();
    throw err;
  }
}
