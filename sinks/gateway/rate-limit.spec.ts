import { rateLimiter } from './rate-limit';

describe('rateLimiter', () => {
  const setup = (over: Partial<Parameters<typeof rateLimiter>[0]> = {}) => {
    let now = 0;
    let forgotten = 0;
    const limiter = rateLimiter({
      perMinute: 3,
      maxTracked: 2,
      exemptLoopback: false,
      clock: () => now,
      onForget: () => forgotten++,
      ...over,
    });
    return { limiter, advance: (ms: number) => (now += ms), forgotten: () => forgotten };
  };

  it('allows perMinute requests, then refuses with the seconds until the next one', () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 3; i++) expect(limiter.take('10.0.0.1')).toEqual({ allowed: true });
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 20 });
    advance(19_000);
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    advance(1000);
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: true });
  });

  it('limits each IP on its own', () => {
    const { limiter } = setup();
    for (let i = 0; i < 3; i++) limiter.take('10.0.0.1');
    expect(limiter.take('10.0.0.1').allowed).toBe(false);
    expect(limiter.take('10.0.0.2').allowed).toBe(true);
  });

  it('tracks at most maxTracked IPs, forgetting the least recently seen, counted', () => {
    const { limiter, forgotten } = setup();
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c'); // forgets b, the least recently seen
    expect(limiter.tracked).toBe(2);
    expect(forgotten()).toBe(1);
    for (let i = 0; i < 2; i++) limiter.take('a');
    expect(limiter.take('a').allowed).toBe(false); // a was kept, with its count
  });

  it('exempts loopback only when configured', () => {
    const exempt = setup({ exemptLoopback: true }).limiter;
    const strict = setup().limiter;
    for (let i = 0; i < 10; i++) expect(exempt.take('127.0.0.1').allowed).toBe(true);
    for (let i = 0; i < 3; i++) strict.take('::1');
    expect(strict.take('::1').allowed).toBe(false);
    for (let i = 0; i < 3; i++) exempt.take('::ffff:10.1.1.1');
    expect(exempt.take('::ffff:10.1.1.1').allowed).toBe(false);
  });
});
