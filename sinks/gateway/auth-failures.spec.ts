import { authFailureLimiter } from './auth-failures';

describe('authFailureLimiter', () => {
  const setup = () => {
    let now = 0;
    let forgotten = 0;
    const limiter = authFailureLimiter({
      perMinute: 2,
      maxTracked: 2,
      clock: () => now,
      onForget: () => forgotten++,
    });
    return { limiter, advance: (ms: number) => (now += ms), forgotten: () => forgotten };
  };

  it('admits an address until it has failed perMinute times, then refuses it with Retry-After', () => {
    const { limiter, advance } = setup();
    expect(limiter.admit('10.0.0.1')).toEqual({ allowed: true });
    limiter.failed('10.0.0.1');
    expect(limiter.admit('10.0.0.1')).toEqual({ allowed: true });
    limiter.failed('10.0.0.1');
    expect(limiter.admit('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    advance(30_000);
    expect(limiter.admit('10.0.0.1')).toEqual({ allowed: true });
  });

  it('does not spend the budget on admitted requests that succeed, and limits loopback too', () => {
    const { limiter } = setup();
    for (let i = 0; i < 10; i++) expect(limiter.admit('127.0.0.1')).toEqual({ allowed: true });
    limiter.failed('127.0.0.1');
    limiter.failed('127.0.0.1');
    expect(limiter.admit('127.0.0.1').allowed).toBe(false);
    expect(limiter.admit('::1').allowed).toBe(true);
  });

  it('keeps a bounded table, forgetting the least recently failed address (counted)', () => {
    const { limiter, forgotten } = setup();
    limiter.failed('10.0.0.1');
    limiter.failed('10.0.0.2');
    limiter.failed('10.0.0.3');
    expect(limiter.tracked).toBe(2);
    expect(forgotten()).toBe(1);
    for (let i = 0; i < 5; i++) limiter.admit(`10.1.0.${i}`);
    expect(limiter.tracked).toBe(2);
  });
});
