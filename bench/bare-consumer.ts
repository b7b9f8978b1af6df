import type { Kafka } from 'kafkajs';
import { systemClock } from '../core/clock';
import type { AvroSerde } from '../core/serde';
import type { MetricSample } from '../schemas';
import { cpuPerEvent, ownCpuSeconds } from './process-usage';

/**
 * Reads `topic` from the beginning with a bare kafkajs consumer that only fetches and decodes,
 * until `events` records: seconds from its first fetched batch to the last record, and its CPU
 * per event. The yardstick the processor's pace is compared with. It commits nothing: kafkajs's
 * default commits after every partition's batch and waits for it before the next (~7 ms a batch
 * here), which the processor does not (its commits follow acknowledgements, off the fetch loop).
 */
export async function timeBareConsumer(
  kafka: Kafka,
  serde: AvroSerde,
  topic: string,
  events: number,
  groupId: string,
): Promise<{ seconds: number; cpu: ReturnType<typeof cpuPerEvent> }> {
  const raw = kafka.consumer({ groupId });
  await raw.connect();
  await raw.subscribe({ topic, fromBeginning: true });
  let decoded = 0;
  let first = 0;
  const cpu = ownCpuSeconds();
  const done = new Promise<number>((resolve) => {
    void raw.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (!first) first = systemClock();
        await serde.prepare(batch.messages.map((m) => m.value));
        for (const m of batch.messages) serde.decode<MetricSample>(m.value);
        decoded += batch.messages.length;
        if (decoded >= events) resolve(systemClock());
      },
    });
  });
  const seconds = ((await done) - first) / 1000;
  const used = cpuPerEvent(cpu, events);
  await raw.disconnect();
  return { seconds, cpu: used };
}
