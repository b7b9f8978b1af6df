import { BreakerOpenError, circuitBreaker, type BreakerState } from './circuit-breaker';

describe('circuitBreaker', () => {
  const setup = () => {
    let now = 0;
    const changes: BreakerState[] = [];
    const breaker = circuitBreaker('clickhouse', {
      failures: 3,
      openMs: 1000,
      clock: () => now,
      onStateChange: (s) => changes.push(s),
    });
    const fail = () => breaker.run(() => Promise.reject(new Error('refused')));
    const succeed = () => breaker.run(() => Promise.resolve('ok'));
    return { breaker, changes, fail, succeed, advance: (ms: number) => (now += ms) };
  };

  it('opens after the configured failures in a row, and refuses without calling while open', async () => {
    const { breaker, changes, fail } = setup();
    await expect(fail()).rejects.toThrow('refused');
    await expect(fail()).rejects.toThrow('refused');
    expect(breaker.state).toBe('closed');
    await expect(fail()).rejects.toThrow('refused');
    expect(breaker.state).toBe('open');
    const fn = jest.fn(() => Promise.resolve(1));
    const refused = await breaker.run(fn).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect((refused as BreakerOpenError).retriable).toBe(true);
    expect((refused as BreakerOpenError).code).toBe('TW_ERR_BREAKER_OPEN');
    expect(fn).not.toHaveBeenCalled();
    expect(changes).toEqual(['open']);
  });

  it('a success resets the count of failures', async () => {
    const { breaker, fail, succeed } = setup();
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    await succeed();
    await expect(fail()).rejects.toThrow();
    await expect(fail()).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('lets one trial through after openMs: success closes it, failure opens it again', async () => {
    const { breaker, changes, fail, succeed, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(999);
    await expect(succeed()).rejects.toBeInstanceOf(BreakerOpenError);
    advance(1);
    await expect(fail()).rejects.toThrow('refused');
    expect(breaker.state).toBe('open');
    advance(1000);
    await expect(succeed()).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('allows only one trial at a time while half-open', async () => {
    const { breaker, fail, advance } = setup();
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow();
    advance(1000);
    let release: () => void = () => undefined;
    const trial = breaker.run(() => new Promise<void>((r) => (release = r)));
    await expect(breaker.run(() => Promise.resolve())).rejects.toBeInstanceOf(BreakerOpenError);
    release();
    await trial;
    expect(breaker.state).toBe('closed');
  });

  it('refuses a nonsensical failure count at construction', () => {
    expect(() => circuitBreaker('x', { failures: 0, openMs: 1, clock: () => 0 })).toThrow(/at least 1/);
  });
});
