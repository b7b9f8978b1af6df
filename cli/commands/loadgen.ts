import { systemClock } from '../../core/clock';
import type { Config } from '../../core/config';
import { createKafka, createProducer, topicNames } from '../../core/kafka';
import type { Logger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { samplePublisher } from '../../producers/host-agent';
import { runLoadgen } from '../../producers/loadgen';
import { loadSchema } from '../../schemas';
import { runningEndpoints } from '../endpoints';

export interface LoadgenArgs {
  hosts: number;
  rate: number;
  total: number;
}

/** `tidewatch loadgen --hosts H --rate R [--total N]`: synthetic hosts through the agent's publisher. */
export async function loadgenCommand(args: LoadgenArgs, config: Config, logger: Logger): Promise<void> {
  const endpoints = runningEndpoints(config);
  const serde = createAvroSerde(confluentRegistry({ ...config.registry, url: endpoints.registryUrl }));
  const topic = topicNames(config.kafka.topicPrefix).metrics;
  const schemaId = await serde.register(topic, loadSchema('metric-sample'));
  const producer = createProducer(
    createKafka({ ...config.kafka, brokers: endpoints.brokers }, `${config.kafka.clientId}-loadgen`, logger),
  );
  await producer.connect();
  const stop = new AbortController();
  process.on('SIGINT', () => stop.abort());
  process.on('SIGTERM', () => stop.abort());
  const started = systemClock();
  // Each batch's time from its stamp to the broker's acknowledgement (the generator's own share),
  // counted per millisecond up to a minute (the last bucket holds anything longer).
  const produceMs = new Uint32Array(60_001);
  let batches = 0;
  const sent = await runLoadgen({
    ...args,
    publisher: samplePublisher(producer, serde, schemaId, topic),
    clock: systemClock,
    signal: stop.signal,
    onBatch: (batch) => {
      batches++;
      produceMs[Math.min(60_000, Math.max(0, systemClock() - (batch[0]?.ts ?? 0)))]!++;
    },
  });
  await producer.disconnect();
  const seconds = (systemClock() - started) / 1000;
  const at = (p: number) => {
    for (let ms = 0, seen = 0; ms < produceMs.length; ms++)
      if ((seen += produceMs[ms]!) >= Math.ceil(p * batches) && seen > 0) return ms;
    return 0;
  };
  const produce = { batches, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
  process.stdout.write(
    `${JSON.stringify({ sent, seconds, samples_per_sec: Math.round(sent / seconds), produce })}\n`,
  );
}
