import type { IncomingMessage } from 'node:http';
import { COOKIE_NAME, originAllowed, requestToken, tokenMatches } from './auth';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('gateway auth', () => {
  it('finds the token in a bearer header, the cookie or the query, in that order', () => {
    const url = new URL('http://x/?token=q');
    expect(requestToken(req({ authorization: 'Bearer b' }), url)).toBe('b');
    expect(requestToken(req({ cookie: `a=1; ${COOKIE_NAME}=c` }), url)).toBe('c');
    expect(requestToken(req({}), url)).toBe('q');
    expect(requestToken(req({}), new URL('http://x/'))).toBeUndefined();
  });

  it('matches only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('allows same-origin and listed origins, refuses others', () => {
    expect(originAllowed(req({ host: '127.0.0.1:7878', origin: 'http://127.0.0.1:7878' }), [])).toBe(true);
    expect(originAllowed(req({ host: '127.0.0.1:7878', origin: 'http://evil.example' }), [])).toBe(false);
    expect(
      originAllowed(req({ host: '127.0.0.1:7878', origin: 'https://ops.example' }), ['https://ops.example']),
    ).toBe(true);
    expect(originAllowed(req({ host: '127.0.0.1:7878', origin: 'null' }), [])).toBe(false);
    expect(originAllowed(req({ host: '127.0.0.1:7878' }), [])).toBe(true);
  });
});
