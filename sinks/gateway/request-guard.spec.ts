import type { IncomingMessage } from 'node:http';
import { createMetrics } from '../../core/metrics';
import { authFailureLimiter } from './auth-failures';
import { requestGuard } from './request-guard';

const TOKEN = 'the-right-token-0123456789';
const req = (headers: Record<string, string>, method = 'GET', ip = '10.0.0.1') =>
  ({
    method,
    headers: { host: 'gw:7878', ...headers },
    socket: { remoteAddress: ip },
  }) as unknown as IncomingMessage;
const url = new URL('http://gw:7878/api/hosts');

describe('requestGuard', () => {
  const setup = () =>
    requestGuard({
      token: TOKEN,
      allowedOrigins: [],
      metrics: createMetrics(),
      failures: authFailureLimiter({ perMinute: 2, maxTracked: 10, clock: () => 0 }),
    });

  it('admits the right token from any source and refuses a missing or wrong one with 401', () => {
    const guard = setup();
    expect(guard(req({ authorization: `Bearer ${TOKEN}` }), url, true)).toEqual({
      allowed: true,
      hasToken: true,
    });
    expect(guard(req({ cookie: `tidewatch_token=${TOKEN}` }), url, true)).toEqual({
      allowed: true,
      hasToken: true,
    });
    expect(guard(req({}, 'GET', '10.0.0.2'), url, true)).toMatchObject({
      allowed: false,
      status: 401,
      code: 'TW_ERR_AUTH',
    });
  });

  it('counts failures per address and then refuses with 429 before comparing the token', () => {
    const guard = setup();
    const wrong = req({ authorization: 'Bearer wrong' });
    expect(guard(wrong, url, true)).toMatchObject({ status: 401 });
    expect(guard(wrong, url, true)).toMatchObject({ status: 401 });
    const limited = guard(req({ authorization: `Bearer ${TOKEN}` }), url, true);
    expect(limited).toMatchObject({ allowed: false, status: 429, code: 'TW_ERR_RATE_LIMITED' });
    expect(limited.allowed || limited.headers).toEqual({ 'retry-after': '30' });
    expect(guard(req({ authorization: `Bearer ${TOKEN}` }, 'GET', '10.0.0.9'), url, true)).toMatchObject({
      allowed: true,
    });
  });

  it('lets /ready through without a token (no details), but counts a wrong one', () => {
    const guard = setup();
    expect(guard(req({}), url, false)).toEqual({ allowed: true, hasToken: false });
    expect(guard(req({}), url, false)).toEqual({ allowed: true, hasToken: false });
    guard(req({ authorization: 'Bearer wrong' }), url, false);
    guard(req({ authorization: 'Bearer wrong' }), url, false);
    expect(guard(req({ authorization: 'Bearer wrong' }), url, false)).toMatchObject({ status: 429 });
  });

  it('applies the CSRF check to cookie-authenticated POSTs only', () => {
    const guard = setup();
    const post = (headers: Record<string, string>) => guard(req(headers, 'POST'), url, true);
    expect(post({ cookie: `tidewatch_token=${TOKEN}`, origin: 'http://evil.example' })).toMatchObject({
      status: 403,
      code: 'TW_ERR_CROSS_ORIGIN',
    });
    expect(
      post({
        cookie: `tidewatch_token=${TOKEN}`,
        origin: 'http://gw:7878',
        'content-type': 'application/json',
      }),
    ).toEqual({
      allowed: true,
      hasToken: true,
    });
    expect(post({ authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' })).toMatchObject({
      allowed: true,
    });
  });
});
