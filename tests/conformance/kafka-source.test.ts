import { firstValueFrom, take, toArray } from 'rxjs';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createKafka, createProducer, ensureTopics } from '../../core/kafka';
import { silentLogger } from '../../core/logger';
import { kafkaSource } from '../../processors/sources';
import { testEndpoints, uniqueName } from '../helpers/test-stack';

/** The suite every Source passes, here for the Kafka source: at-least-once across restarts, close twice. */
describe('Source conformance: Kafka', () => {
  const topic = uniqueName('source-conformance');
  const groupId = uniqueName('source-conformance-group');
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    kafka = createKafka(testEndpoints().brokers, 'source-conformance', silentLogger);
    admin = kafka.admin();
    producer = createProducer(kafka);
    await Promise.all([admin.connect(), producer.connect()]);
    await ensureTopics(admin, [topic], 1);
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  const send = (values: string[]) =>
    producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: 'k', value })) });
  const open = () =>
    kafkaSource(kafka.consumer({ groupId }), { topics: [topic], logger: silentLogger, drainTimeoutMs: 500 });

  it('re-delivers what was not acknowledged after a restart, and not what was', async () => {
    await send(['a', 'b', 'c']);
    const first = open();
    const unacked = await firstValueFrom(first.batches$);
    expect(unacked.payload.map((r) => r.value?.toString())).toEqual(['a', 'b', 'c']);
    await first.close(); // never acknowledged

    const second = open();
    const again = await firstValueFrom(second.batches$);
    expect(again.payload.map((r) => r.value?.toString())).toEqual(['a', 'b', 'c']);
    again.ack();
    await second.close(); // drains: waits for the commit of what was acknowledged

    await send(['d']);
    const third = open();
    const [next] = await firstValueFrom(third.batches$.pipe(take(1), toArray()));
    expect(next!.payload.map((r) => r.value?.toString())).toEqual(['d']);
    next!.ack();
    await third.close();
    await expect(third.close()).resolves.toBeUndefined(); // close twice safely
  });
});
