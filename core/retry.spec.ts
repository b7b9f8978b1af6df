import { TidewatchError } from './errors';
import { backoffDelay, retry } from './retry';

const retriable = () => new TidewatchError('TW_ERR_SINK_WRITE', 'down', { retriable: true });

describe('retry', () => {
  it('retries retriable errors until success, with jittered backoff under the cap', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 4) throw retriable();
        return 'ok';
      },
      {
        initialMs: 100,
        maxMs: 300,
        attempts: 10,
        random: () => 0.999,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(4);
    expect(delays).toEqual([99, 199, 299]);
  });

  it('does not retry an error that is not retriable', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('bad input');
        },
        { initialMs: 1, maxMs: 1, attempts: 5, sleep: async () => undefined },
      ),
    ).rejects.toThrow('bad input');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw retriable();
        },
        { initialMs: 1, maxMs: 1, attempts: 3, sleep: async () => undefined },
      ),
    ).rejects.toThrow('down');
    expect(calls).toBe(3);
  });

  it('draws full jitter from zero', () => {
    expect(backoffDelay(5, { initialMs: 100, maxMs: 1000, random: () => 0 })).toBe(0);
    expect(backoffDelay(5, { initialMs: 100, maxMs: 1000, random: () => 0.5 })).toBe(500);
  });
});
