import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { Collection } from './collection';
import type { Collector } from './collectors';
import { Delivery } from './delivery';
import { isFatalProducerError, KafkaLink } from './kafka-link';
import type { Outgoing } from './spool/outgoing';
import { Spool } from './spool/spool';

const record = (i: number): Outgoing => ({ topic: 't', key: 'h', value: Buffer.from(String(i)) });
const until = async (what: () => boolean) => {
  for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(what()).toBe(true);
};

describe('Delivery', () => {
  let dir: string;
  let spool: Spool;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'delivery-'));
    spool = new Spool({
      dir,
      maxBytes: 1 << 20,
      segmentBytes: 64 * 1024,
      fsync: 'never',
      fsyncIntervalMs: 1000,
    });
  });
  afterEach(() => {
    spool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const setup = () => {
    const kafka = { up: false, received: [] as string[], attempts: 0 };
    const delays: number[] = [];
    const delivery = new Delivery({
      send: async (batch) => {
        kafka.attempts++;
        if (!kafka.up) throw new Error('broker down');
        kafka.received.push(...batch.map((m) => m.value.toString()));
      },
      spool,
      initialBackoffMs: 1,
      maxBackoffMs: 4,
      drainBatchRecords: 3,
      drainRecordsPerSec: 0,
      random: () => {
        delays.push(1);
        return 1;
      },
    });
    return { kafka, delivery, delays };
  };

  it('spools while Kafka is down, then drains in order and sends new batches directly', async () => {
    const { kafka, delivery } = setup();
    delivery.start();
    delivery.deliver([record(0), record(1)]);
    await until(() => delivery.status.link === 'down');
    for (let i = 2; i < 10; i++) delivery.deliver([record(i)]);
    expect(spool.pending).toBe(10);
    kafka.up = true;
    await until(() => spool.pending === 0);
    delivery.deliver([record(10)]);
    await until(() => kafka.received.length === 11);
    expect(kafka.received).toEqual(Array.from({ length: 11 }, (_, i) => String(i)));
    expect(delivery.status).toMatchObject({ link: 'up', sent: 11, spooled: 10 });
    await delivery.stop();
  });

  it('sends directly while Kafka is up, each record once, and leaves nothing in the spool', async () => {
    const { kafka, delivery } = setup();
    kafka.up = true;
    delivery.start();
    for (let i = 0; i < 20; i++) {
      delivery.deliver([record(i)]);
      if (i % 3 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => kafka.received.length === 20 && spool.pending === 0);
    await new Promise((r) => setTimeout(r, 20));
    expect([...kafka.received].sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i)),
    );
    expect(spool.bytes).toBe(0);
    await delivery.stop();
  });

  it('has every batch on disk before it is sent: a crash mid-send loses nothing', async () => {
    const delivery = new Delivery({
      send: () => new Promise(() => undefined), // the process dies before Kafka answers
      spool,
      initialBackoffMs: 1,
      maxBackoffMs: 4,
      drainBatchRecords: 100,
      drainRecordsPerSec: 0,
    });
    delivery.deliver([record(0), record(1)]);
    delivery.deliver([record(2)]);
    const reopened = new Spool({
      dir,
      maxBytes: 1 << 20,
      segmentBytes: 64 * 1024,
      fsync: 'never',
      fsyncIntervalMs: 1000,
    });
    expect(reopened.pending).toBe(3);
    expect(reopened.read(100)!.batch.map((m) => m.value.toString())).toEqual(['0', '1', '2']);
    reopened.close();
  });

  it('backs off exponentially between failed drains instead of retrying on every new batch', async () => {
    const { kafka, delivery } = setup();
    delivery.start();
    delivery.deliver([record(0)]);
    await until(() => kafka.attempts >= 4);
    const before = kafka.attempts;
    for (let i = 1; i < 50; i++) delivery.deliver([record(i)]);
    // 49 batches arrived while down: none of them was sent directly or woke the drainer.
    expect(kafka.attempts - before).toBeLessThan(5);
    await delivery.stop();
    expect(spool.pending).toBe(50);
  });

  it('keeps what it could not send in the spool at stop', async () => {
    const { delivery } = setup();
    delivery.start();
    delivery.deliver([record(0)]);
    await until(() => delivery.status.link === 'down');
    delivery.deliver([record(1)]);
    await delivery.stop();
    expect(spool.pending).toBe(2);
  });
});

describe('KafkaLink', () => {
  const fakeProducer = (send: () => Promise<void>) => {
    const p = { connected: 0, disconnected: 0, sendBatch: jest.fn(send) };
    return Object.assign(p, {
      connect: async () => void p.connected++,
      disconnect: async () => void p.disconnected++,
    });
  };

  it('replaces a producer after a fatal error and sends with a fresh one', async () => {
    const fatal = Object.assign(new Error('out of order'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    const producers = [fakeProducer(() => Promise.reject(fatal)), fakeProducer(() => Promise.resolve())];
    const reasons: string[] = [];
    let made = 0;
    const link = new KafkaLink({
      createProducer: () => producers[made++] as unknown as Producer,
      sendTimeoutMs: 1000,
      onRecreate: (r) => reasons.push(r),
    });
    await expect(link.send([record(1)])).rejects.toThrow('out of order');
    await link.send([record(1), { ...record(2), topic: 'other' }]);
    expect(made).toBe(2);
    expect(producers[0]!.disconnected).toBe(1);
    expect(reasons).toEqual(['fatal: out of order']);
    const request = producers[1]!.sendBatch.mock.calls[0] as unknown as [
      { acks: number; topicMessages: { topic: string }[] },
    ];
    expect(request[0].acks).toBe(-1);
    expect(request[0].topicMessages.map((t) => t.topic)).toEqual(['t', 'other']);
  });

  it('fails a send that is not acknowledged in time', async () => {
    const link = new KafkaLink({
      createProducer: () => fakeProducer(() => new Promise(() => undefined)) as unknown as Producer,
      sendTimeoutMs: 20,
    });
    await expect(link.send([record(1)])).rejects.toThrow('no acknowledgement from Kafka within 20 ms');
  });

  it('recognises fatal errors through causes', () => {
    expect(isFatalProducerError({ name: 'KafkaJSError', cause: { type: 'UNKNOWN_PRODUCER_ID' } })).toBe(true);
    expect(isFatalProducerError(new Error('Connection error: ECONNREFUSED'))).toBe(false);
  });
});

describe('Collection', () => {
  const collector = (name: string, collect: Collector['collect'], everyMs = 1000): Collector => ({
    name,
    everyMs,
    collect,
  });

  it('skips and counts a collector that throws or hangs while the others report', async () => {
    const failures: string[] = [];
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    const collection = new Collection({
      collectors: [
        collector('ok', async () => ({ samples: [{ metric: 'm', value: 1, unit: '1' }] })),
        collector('broken', async () => {
          throw new Error('EACCES');
        }),
        collector('hung', async () => {
          await hung;
          return { samples: [] };
        }),
      ],
      timeoutMs: 20,
      onFailure: (name, reason) => failures.push(`${name}:${reason}`),
    });
    const first = await collection.run(0);
    expect(first.samples).toHaveLength(1);
    expect(failures.sort()).toEqual(['broken:error', 'hung:timeout']);
    const second = await collection.run(1000);
    expect(second.samples).toHaveLength(1);
    expect(failures).toContain('hung:busy'); // not started again while its last run hangs
    release();
  });

  it('runs each collector on its own cadence', async () => {
    const runs: string[] = [];
    const collection = new Collection({
      collectors: [
        collector('fast', async () => (runs.push('fast'), { samples: [] }), 1000),
        collector('slow', async () => (runs.push('slow'), { samples: [] }), 3000),
      ],
      timeoutMs: 100,
      onFailure: () => undefined,
    });
    for (let t = 0; t < 6000; t += 1000) await collection.run(t);
    expect(runs.filter((r) => r === 'fast')).toHaveLength(6);
    expect(runs.filter((r) => r === 'slow')).toHaveLength(2);
  });
});
