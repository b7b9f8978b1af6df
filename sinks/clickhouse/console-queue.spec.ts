import { ConsoleBusyError } from './console-busy-error';
import { ConsoleQueue } from './console-queue';

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

describe('ConsoleQueue', () => {
  it('runs maxRunning at once, lets maxWaiting wait in order, and refuses the rest with Retry-After', async () => {
    const queue = new ConsoleQueue(2, 1, 30);
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const jobs = gates.map((g, i) =>
      queue.run(async (slot) => {
        started.push(i);
        await g.opened;
        return slot;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([queue.running, queue.queued]).toEqual([2, 1]);
    const refused = queue.run(async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(ConsoleBusyError);
    await expect(refused).rejects.toMatchObject({ code: 'TW_ERR_SQL_CONSOLE_BUSY', retryAfterSeconds: 30 });
    expect(queue.refused).toBe(1);
    gates[1]!.open();
    const second = await jobs[1]!;
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    // The waiting job took the slot the finished one gave back.
    expect(await jobs[2]!).toBe(second);
    expect(new Set([await jobs[0]!, second]).size).toBe(2);
    expect([queue.running, queue.queued]).toEqual([0, 0]);
  });

  it('gives the slot back when a job fails', async () => {
    const queue = new ConsoleQueue(1, 0, 5);
    await expect(queue.run(() => Promise.reject(new Error('engine said no')))).rejects.toThrow(
      'engine said no',
    );
    await expect(queue.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('refuses limits that cannot run anything', () => {
    expect(() => new ConsoleQueue(0, 1, 1)).toThrow(RangeError);
  });
});
