import { orderedDeliveries } from './ordered-deliveries';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('orderedDeliveries', () => {
  it('overlaps the any-order work of two batches but finishes them in batch order', async () => {
    const run = orderedDeliveries();
    const log: string[] = [];
    const raw = [deferred(), deferred()];
    const first = run({
      anyOrder: () => (log.push('raw 1'), raw[0]!.promise),
      inOrder: async () => log.push('topic 1'),
      finish: () => log.push('ack 1'),
    });
    const second = run({
      anyOrder: () => (log.push('raw 2'), raw[1]!.promise),
      inOrder: async () => log.push('topic 2'),
      finish: () => log.push('ack 2'),
    });
    await settle();
    expect(log).toEqual(['raw 1', 'raw 2', 'topic 1', 'topic 2']); // both inserts started

    raw[1]!.resolve(); // the second insert ends first
    await settle();
    expect(log).not.toContain('ack 2');

    raw[0]!.resolve();
    await Promise.all([first, second]);
    expect(log.slice(-2)).toEqual(['ack 1', 'ack 2']);
  });

  it('starts a batch’s in-order writes only after the previous batch’s have finished', async () => {
    const run = orderedDeliveries();
    const topic = deferred();
    const log: string[] = [];
    const first = run({
      anyOrder: async () => undefined,
      inOrder: () => (log.push('topic 1 start'), topic.promise.then(() => log.push('topic 1 end'))),
      finish: () => undefined,
    });
    const second = run({
      anyOrder: async () => undefined,
      inOrder: async () => log.push('topic 2 start'),
      finish: () => undefined,
    });
    await settle();
    expect(log).toEqual(['topic 1 start']);
    topic.resolve();
    await Promise.all([first, second]);
    expect(log).toEqual(['topic 1 start', 'topic 1 end', 'topic 2 start']);
  });

  it('fails every later delivery when one fails, so none after it is acknowledged', async () => {
    const run = orderedDeliveries();
    const acks: number[] = [];
    const raw = deferred();
    const first = run({ anyOrder: () => raw.promise, inOrder: async () => 0, finish: () => acks.push(1) });
    const second = run({ anyOrder: async () => 0, inOrder: async () => 0, finish: () => acks.push(2) });
    raw.reject(new Error('insert failed'));
    await expect(first).rejects.toThrow('insert failed');
    await expect(second).rejects.toThrow('insert failed');
    expect(acks).toEqual([]);
  });
});
