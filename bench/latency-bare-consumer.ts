import crypto from 'node:crypto';
import { createKafka } from '../core/kafka';
import { silentLogger } from '../core/logger';
import { confluentRegistry, createAvroSerde } from '../core/serde';
import type { MetricSample } from '../schemas';

export interface BareConsumerArgs {
  brokers: string[];
  registryUrl: string;
  topic: string;
  /** Load-generator samples to time, at most. */
  total: number;
}

export interface BareConsumerView {
  samples: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

export const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

/** p50/p90/p99/max of the first `n` latencies. */
export function latencyView(latencies: Float64Array, n: number): BareConsumerView {
  const sorted = latencies.slice(0, n).sort();
  return {
    samples: n,
    p50_ms: percentile(sorted, 50),
    p90_ms: percentile(sorted, 90),
    p99_ms: percentile(sorted, 99),
    max_ms: n ? sorted[n - 1]! : NaN,
  };
}

/**
 * The latencies of samples stamped within `warmupMs` of the first one, and of the rest, as two
 * views (the first `n` of each array).
 */
export function warmupSplit(latencies: Float64Array, stamped: Float64Array, n: number, warmupMs: number) {
  let first = Infinity;
  for (let i = 0; i < n; i++) first = Math.min(first, stamped[i]!);
  const early: number[] = [];
  const late: number[] = [];
  // The first seconds one by one, and the second after them: how the warm-up settles.
  const seconds = Math.ceil(warmupMs / 1000) + 1;
  const bySecond = Array.from({ length: seconds }, () => [] as number[]);
  for (let i = 0; i < n; i++) {
    const ms = stamped[i]! - first;
    (ms < warmupMs ? early : late).push(latencies[i]!);
    if (ms < seconds * 1000) bySecond[Math.floor(ms / 1000)]!.push(latencies[i]!);
  }
  return {
    warmup: latencyView(Float64Array.from(early), early.length),
    after: latencyView(Float64Array.from(late), late.length),
    bySecond: bySecond.map((l) => latencyView(Float64Array.from(l), l.length)),
  };
}

/**
 * The latency bench's bare consumer, in a process of its own (forked by `latency.ts`) so that
 * decoding its records never delays the WebSocket client's receipts, nor they its fetches:
 * fetch (kafkajs defaults, without commits) + decode, and the time each load-generator sample
 * arrived − its event time. kafkajs's default commits after every partition's batch and waits
 * for it before the next: ~7 ms a batch, which held a fetch of 6 partitions' batches for ~40 ms
 * and made this view slower than the instance's own. Answers `report` on the IPC channel with its view.
 */
async function main() {
  const o = JSON.parse(process.argv[2]!) as BareConsumerArgs;
  const kafka = createKafka(o.brokers, 'bench-latency-kafka', silentLogger);
  const consumer = kafka.consumer({ groupId: `bench-latency-bare-${crypto.randomBytes(4).toString('hex')}` });
  const serde = createAvroSerde(confluentRegistry(o.registryUrl));
  const latencies = new Float64Array(o.total);
  let fetched = 0;
  process.on('message', (m) => {
    if (m === 'report') process.send!(latencyView(latencies, fetched));
  });
  process.on('disconnect', () => {
    void consumer.disconnect().finally(() => process.exit(0));
  });
  consumer.on(consumer.events.GROUP_JOIN, () => process.send!('ready'));
  await consumer.connect();
  await consumer.subscribe({ topic: o.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const at = Date.now();
      await serde.prepare(batch.messages.map((m) => m.value));
      for (const m of batch.messages) {
        const s = serde.decode<MetricSample>(m.value);
        if (s.host.startsWith('loadgen-') && fetched < o.total) latencies[fetched++] = at - s.ts;
      }
    },
  });
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`bare consumer failed: ${String(err)}\n`);
    process.exit(1);
  });
}
